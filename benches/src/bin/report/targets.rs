//! Sections "Summary" and "Targets": the product's performance targets
//! against this run's figures, each a row with its verdict, read from the
//! other sections' figure structs. The summary at the top of the report is
//! generated from the same verdicts.
//!
//! Every ratio is a speed ratio "ringpool ÷ peer" (> 1: ringpool is faster;
//! for latency, peer p50 ÷ ringpool p50), the median of the per-round ratios
//! of interleaved rounds, like every table of the report.

use std::fmt::{self, Write as _};

use ringpool_benches::pools::{
    GoStyleCrossbeam, PoolPeer, Rayon, RingpoolHelping, ThreadPoolCrate,
};
use ringpool_benches::queues::CAPACITY;

use crate::bounds::{self, Floor, PoolBounds};
use crate::efficiency::Efficiency;
use crate::idle::Idle;
use crate::interrupts::Interrupts;
use crate::latency::Latency;
use crate::pool_rows::{self, GO, PoolRows};
use crate::ring::{self, Ring, THREADS};
use crate::ring_batch::{self, RingBatch};
use crate::scaling::Scaling;
use crate::stats::fmt_ratio;
use crate::tiny::Tiny;

/// The summary's heading.
pub const SUMMARY_HEADING: &str = "## Summary";
/// The targets section's heading.
pub const HEADING: &str = "## Targets";

/// The published SCQ crates the ring must match.
const SCQ_PEERS: [&str; 3] = [
    "lfqueue ConstBoundedQueue",
    "lfqueue AllocBoundedQueue",
    "nolock scq",
];

/// Everything the targets read.
pub struct Figures<'a> {
    /// Ring rows.
    pub ring: &'a Ring,
    /// Ring batches.
    pub batches: &'a RingBatch,
    /// Ring floor.
    pub floor: &'a Floor,
    /// Pool rows (names, Go).
    pub rows: &'a PoolRows,
    /// Tiny jobs.
    pub tiny: &'a Tiny,
    /// Throughput against workers.
    pub scaling: &'a Scaling,
    /// Pool bounds.
    pub pool_bounds: &'a PoolBounds,
    /// CPU-bound efficiency.
    pub efficiency: &'a Efficiency,
    /// Latency of sporadic jobs.
    pub latency: &'a Latency,
    /// Idle CPU.
    pub idle: &'a Idle,
    /// The interrupt harness.
    pub interrupts: &'a Interrupts,
}

/// A target's verdict in this run.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Verdict {
    /// The figure reaches the target.
    Met,
    /// It does not.
    NotMet,
    /// The run has no figure for it (a skipped peer).
    NotMeasured,
    /// The feature the target is about does not exist yet; the figure is
    /// what the present code gives.
    NotBuilt,
    /// A figure reported next to the targets, no longer a target.
    Reported,
}

impl Verdict {
    fn from(ok: bool) -> Self {
        if ok { Self::Met } else { Self::NotMet }
    }

    fn cell(self) -> &'static str {
        match self {
            Self::Met => "met",
            Self::NotMet => "**not met**",
            Self::NotMeasured => "not measured",
            Self::NotBuilt => "not built",
            Self::Reported => "reported, not a target",
        }
    }
}

type Eval = Box<dyn Fn(&Figures<'_>) -> (String, Verdict)>;

/// One target: what it asks (the table's first cell) and how this run's
/// figures answer it (the measured cell and the verdict).
struct Target {
    what: String,
    eval: Eval,
}

fn target(what: String, eval: impl Fn(&Figures<'_>) -> (String, Verdict) + 'static) -> Target {
    Target {
        what,
        eval: Box::new(eval),
    }
}

/// One evaluated row of the table.
pub struct Row {
    what: String,
    measured: String,
    verdict: Verdict,
}

/// "1/1: 1.02x, 2/2: 0.97x, 4/4: 1.10x" and whether all reach `need`.
fn per_threads(need: f64, ratio: impl Fn(usize) -> f64) -> (String, bool) {
    let values: Vec<(usize, f64)> = THREADS.iter().map(|&t| (t, ratio(t))).collect();
    let text = values
        .iter()
        .map(|(t, r)| format!("{t}/{t}: {}", fmt_ratio(*r)))
        .collect::<Vec<_>>()
        .join(", ");
    (text, values.iter().all(|&(_, r)| r >= need))
}

/// The index of a pool row by name.
fn pool_row(name: &str) -> usize {
    pool_rows::names()
        .iter()
        .position(|&n| n == name)
        .expect("a pool row the targets name")
}

/// The ring's targets (SCQ peers, capacity, batches, interrupts), with the
/// ring ≥ ArrayQueue rows reported next to them.
fn ring_targets() -> Vec<Target> {
    let mut t = Vec::new();
    for &threads in &THREADS {
        t.push(target(
            format!("ring {threads}/{threads}: ringpool ÷ ArrayQueue ≥ 1.0× items/s"),
            move |f| {
                let r = f.ring.ringpool_over("ArrayQueue", threads);
                (
                    format!(
                        "{} (one SCQ index ring alone: {})",
                        fmt_ratio(r),
                        f.floor.one_ring_ratios()
                    ),
                    Verdict::Reported,
                )
            },
        ));
    }
    for peer in SCQ_PEERS {
        t.push(target(
            format!("ring: ringpool ÷ {peer} ≥ 1.0× items/s at 1/1, 2/2, 4/4"),
            move |f| {
                let (text, ok) = per_threads(1.0, |th| f.ring.ringpool_over(peer, th));
                (text, Verdict::from(ok))
            },
        ));
    }
    for capacity in [1024, 65536] {
        t.push(target(
            format!(
                "capacity {capacity}: ringpool ÷ ArrayQueue ≥ 0.9× its value at {CAPACITY} \
                 (kept fraction)"
            ),
            move |f| {
                let (text, ok) = per_threads(0.9, |th| {
                    let (at, base) = ring::capacity_keep(f.ring, capacity, th);
                    at / base
                });
                (text, Verdict::from(ok))
            },
        ));
    }
    t.push(target(
        format!(
            "batches of {}: ringpool ÷ ArrayQueue's single items ≥ 1.0× items/s at 1/1 and 2/2",
            ring_batch::K
        ),
        |f| match f.batches.target() {
            Some(values) => {
                let (text, ok) = ring_batch::fmt_target(&values);
                (text, Verdict::from(ok))
            }
            None => (
                "no queue with batch operations at this commit".into(),
                Verdict::NotMeasured,
            ),
        },
    ));
    t.push(target(
        "interrupted inside push/pop: ringpool zero failures, never a hang".into(),
        |f| {
            let (ok, text) = f.interrupts.ringpool();
            (text, Verdict::from(ok))
        },
    ));
    t
}

/// The pool's targets: tiny jobs, scaling, efficiency, latency,
/// allocations, idle CPU.
fn pool_targets() -> Vec<Target> {
    let mut t = Vec::new();
    for (peer, need) in [
        (GO, 1.0f64),
        (GoStyleCrossbeam::NAME, 1.3),
        (ThreadPoolCrate::NAME, 2.0),
        (Rayon::NAME, 2.0),
    ] {
        t.push(target(
            format!("tiny jobs, 2 workers: ringpool ÷ {peer} ≥ {need:.1}× jobs/s"),
            move |f| {
                let pi = pool_row(peer);
                if !f.rows.has(pi) {
                    return ("skipped (see below)".into(), Verdict::NotMeasured);
                }
                let r = f.tiny.ringpool_over(pi);
                (fmt_ratio(r), Verdict::from(r >= need))
            },
        ));
    }
    t.push(target(
        format!(
            "throughput against workers: ringpool ÷ {} ≥ 1.0× jobs/s at 1, 2, 4 and 8 workers",
            GoStyleCrossbeam::NAME
        ),
        |f| {
            let values = f.scaling.ringpool_over(pool_row(GoStyleCrossbeam::NAME));
            let text = values
                .iter()
                .map(|(w, r)| format!("{w}: {}", fmt_ratio(*r)))
                .collect::<Vec<_>>()
                .join(", ");
            (text, Verdict::from(values.iter().all(|&(_, r)| r >= 1.0)))
        },
    ));
    t.push(target(
        format!(
            "1 µs CPU-bound jobs: ringpool's efficiency ≥ {GO}'s in the same rounds \
             (ringpool ÷ Go ≥ 1.0×)"
        ),
        |f| {
            if !f.efficiency.has_go() {
                return ("Go skipped (see below)".into(), Verdict::NotMeasured);
            }
            let (e, go, r) = f.efficiency.one_us_against_go();
            (
                format!(
                    "{:.1}% against {:.1}%; ringpool ÷ Go {}",
                    100.0 * e,
                    100.0 * go,
                    fmt_ratio(r)
                ),
                Verdict::from(r >= 1.0),
            )
        },
    ));
    t.push(target(
        "10 µs CPU-bound jobs: ringpool ÷ bare threads ≥ 0.97× jobs/s".into(),
        |f| {
            let (e10, bare, over_bare) = f.efficiency.ten_us();
            (
                format!(
                    "{} ({:.1}% of the ideal against {:.1}% for bare threads, no pool)",
                    fmt_ratio(over_bare),
                    100.0 * e10,
                    100.0 * bare
                ),
                Verdict::from(over_bare >= 0.97),
            )
        },
    ));
    t.push(target(
        "sporadic jobs, default settings: p50 no worse than the best Rust peer's \
         (ringpool ÷ that peer ≥ 1.0×)"
            .into(),
        |f| {
            let Some((pi, peer_p50)) = f.latency.best_rust_peer(0.5) else {
                return ("no Rust peer ran".into(), Verdict::NotMeasured);
            };
            let r = f.latency.ringpool_over_p50(pi);
            (
                format!(
                    "{} (ringpool {:.1} µs, best peer {} {:.1} µs)",
                    fmt_ratio(r),
                    f.latency.percentile_us(0, 0.5),
                    f.latency.name(pi),
                    peer_p50
                ),
                Verdict::from(r >= 1.0),
            )
        },
    ));
    t.push(target(
        "sporadic jobs, default settings: p99 no worse than the best Rust peer's \
         (ringpool ÷ that peer ≥ 1.0×)"
            .into(),
        |f| {
            let Some((pi, peer_p99)) = f.latency.best_rust_peer(0.99) else {
                return ("no Rust peer ran".into(), Verdict::NotMeasured);
            };
            let own = f.latency.percentile_us(0, 0.99);
            let r = peer_p99 / own;
            (
                format!(
                    "{} (ringpool {own:.1} µs, best peer {} {peer_p99:.1} µs; p99 over all \
                     samples of the interleaved rounds, a round has too few for its own)",
                    fmt_ratio(r),
                    f.latency.name(pi),
                ),
                Verdict::from(r >= 1.0),
            )
        },
    ));
    t.push(target(
        format!(
            "sporadic jobs, with a wait that runs queued jobs itself: p50 ≤ 2× {GO}'s \
             (ringpool ÷ Go ≥ 0.5×)"
        ),
        |f| {
            let go = pool_row(GO);
            if !f.latency.has(go) {
                return ("Go skipped (see below)".into(), Verdict::NotMeasured);
            }
            // The opt-in helping wait (`Builder::helping`), its own row.
            let helping = pool_row(RingpoolHelping::NAME);
            if !f.latency.has(helping) {
                return ("the helping row did not run".into(), Verdict::NotMeasured);
            }
            let r = f.latency.row_over_p50(helping, go);
            (
                format!(
                    "{} with `helping(true)` (ringpool (helping) {:.1} µs, Go {:.1} µs; \
                     default settings {:.1} µs)",
                    fmt_ratio(r),
                    f.latency.percentile_us(helping, 0.5),
                    f.latency.percentile_us(go, 0.5),
                    f.latency.percentile_us(0, 0.5)
                ),
                Verdict::from(r >= 0.5),
            )
        },
    ));
    t.push(target(
        "zero heap allocations per job (ringpool, steady state)".into(),
        |f| {
            let a = f.tiny.ringpool_allocations();
            let jobs = f.tiny.jobs();
            (
                format!(
                    "{a:.0} allocations in {jobs} jobs ({:.4} per job)",
                    a / jobs as f64
                ),
                Verdict::from(a == 0.0),
            )
        },
    ));
    t.push(target(
        "idle pool < 1% of one core (ringpool)".into(),
        |f| {
            let idle = f.idle.ringpool();
            (format!("{idle:.3}%"), Verdict::from(idle < 1.0))
        },
    ));
    t
}

fn targets() -> Vec<Target> {
    ring_targets().into_iter().chain(pool_targets()).collect()
}

/// Every target's first cell, in the table's order (for `--list-rows`).
pub fn names() -> Vec<String> {
    targets().into_iter().map(|t| t.what).collect()
}

/// Evaluates every target against this run's figures.
pub fn evaluate(f: &Figures<'_>) -> Vec<Row> {
    targets()
        .into_iter()
        .map(|t| {
            let (measured, verdict) = (t.eval)(f);
            Row {
                what: t.what,
                measured,
                verdict,
            }
        })
        .collect()
}

fn count(rows: &[Row], verdict: Verdict) -> usize {
    rows.iter().filter(|r| r.verdict == verdict).count()
}

/// Writes the summary: how many targets this run met, and which are not.
pub fn write_summary(w: &mut String, rows: &[Row]) -> fmt::Result {
    writeln!(w, "{SUMMARY_HEADING}\n")?;
    let targets = rows.len() - count(rows, Verdict::Reported);
    writeln!(
        w,
        "**{} of {targets} targets met** in this run ({} not met, {} not built, {} not \
         measured); every ratio in this report is ringpool ÷ peer as speed, so > 1 means \
         ringpool is faster. Details: [Targets](#targets).\n",
        count(rows, Verdict::Met),
        count(rows, Verdict::NotMet),
        count(rows, Verdict::NotBuilt),
        count(rows, Verdict::NotMeasured),
    )?;
    for (verdict, label) in [
        (Verdict::Met, "Met"),
        (Verdict::NotMet, "Not met"),
        (Verdict::NotBuilt, "Not built"),
        (Verdict::NotMeasured, "Not measured"),
    ] {
        let items: Vec<String> = rows
            .iter()
            .filter(|r| r.verdict == verdict)
            .map(|r| match verdict {
                Verdict::Met => r.what.clone(),
                _ => format!("{}: {}", r.what, r.measured),
            })
            .collect();
        if items.is_empty() {
            continue;
        }
        writeln!(w, "* **{label}**:")?;
        for item in items {
            writeln!(w, "  * {item}")?;
        }
    }
    writeln!(w)
}

/// Writes the targets section.
pub fn write(w: &mut String, rows: &[Row], f: &Figures<'_>) -> fmt::Result {
    writeln!(w, "{HEADING}\n")?;
    writeln!(
        w,
        "The performance targets against this run's medians of per-round ratios, each a speed \
         ratio ringpool ÷ peer (> 1: ringpool is faster; for latency, peer p50 ÷ ringpool p50). \
         The ring ≥ 1.0× ArrayQueue rows are reported, not targets: the ring floor shows that \
         no ring of the SCQ family reaches ArrayQueue here. \"Not built\": the target is about \
         a feature the pool does not have yet; the figure is what the present code gives.\n"
    )?;
    writeln!(w, "| target | measured | met? |")?;
    writeln!(w, "|---|---|---|")?;
    for r in rows {
        writeln!(w, "| {} | {} | {} |", r.what, r.measured, r.verdict.cell())?;
    }
    writeln!(w)?;
    let unmet = count(rows, Verdict::NotMet);
    if unmet > 0 {
        writeln!(
            w,
            "{unmet} target(s) not met in this run. Why, from this run: one SCQ index ring \
             alone, the least work a lock-free ring of the SCQ family does per item, reached \
             {} of ArrayQueue (\"Ring floor\"); ringpool's ring does that work twice (a free \
             ring and a used ring). The tiny-job pipeline over bare spinning queues, no pool \
             around it (\"Pool bounds\"), reached {} over ringpool's ring, {} with \
             ringpool's ring for jobs and per-worker SPSC lanes for results, and {} over \
             ArrayQueue. The CPU-bound efficiency is bounded by what bare threads reach on \
             this shared machine (the bare-threads row of the CPU-bound section). Profiles and \
             the changes tried: `benches/notes/`.\n",
            f.floor.one_ring_ratios(),
            f.pool_bounds.ratios(bounds::RING_BOUND),
            f.pool_bounds.ratios(bounds::LANES_BOUND),
            f.pool_bounds.ratios(bounds::ARRAY_QUEUE_BOUND),
        )
    } else {
        writeln!(w, "Every target was met in this run.\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_names_are_unique_and_say_what_they_measure() {
        let names = names();
        for (i, name) in names.iter().enumerate() {
            assert!(!names[..i].contains(name), "duplicate target {name:?}");
            assert!(!name.to_lowercase().contains("issue"), "{name:?}");
            assert!(
                name.contains('÷') || name.contains('<') || name.contains("zero"),
                "{name:?}"
            );
        }
        // Every pool row a target names exists.
        for peer in [
            GO,
            GoStyleCrossbeam::NAME,
            ThreadPoolCrate::NAME,
            Rayon::NAME,
        ] {
            pool_row(peer);
        }
    }

    #[test]
    fn the_summary_counts_every_verdict() {
        let row = |verdict| Row {
            what: format!("{verdict:?} target"),
            measured: "1.00x".into(),
            verdict,
        };
        let rows = [
            row(Verdict::Met),
            row(Verdict::NotMet),
            row(Verdict::NotBuilt),
            row(Verdict::Reported),
        ];
        let mut w = String::new();
        write_summary(&mut w, &rows).unwrap();
        assert!(w.contains("**1 of 3 targets met**"), "{w}");
        assert!(w.contains("1 not met, 1 not built, 0 not measured"), "{w}");
        assert!(w.contains("  * NotMet target: 1.00x"), "{w}");
        assert!(!w.contains("Reported target"), "{w}");
    }
}
