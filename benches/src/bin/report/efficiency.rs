//! Section "CPU-bound efficiency": jobs that spin a loop calibrated to 1 µs
//! and 10 µs, one worker per core, as a share of cores × (1 / job time),
//! next to the same jobs spun by bare threads (the ceiling the machine
//! allowed) and the Go design.

use std::fmt::{self, Write as _};
use std::time::{Duration, Instant};

use ringpool_benches::pools::{self, Work};
use ringpool_benches::queues;

use crate::config::Config;
use crate::pool_rows::{GO, PoolRows};
use crate::rounds::{Grid, Ratio, interleave};
use crate::stats::{median, rate};

/// The section's heading.
pub const HEADING: &str = "## CPU-bound efficiency";
/// The baseline row's name.
pub const BARE: &str = "bare threads, no pool (baseline)";

/// Job lengths.
const JOB_TIMES: [Duration; 2] = [Duration::from_micros(1), Duration::from_micros(10)];

/// Efficiency per job length, row and round; rows: the Rust pools, then
/// bare threads, then Go.
pub struct Efficiency {
    names: Vec<&'static str>,
    go_skipped: bool,
    grid: Grid<f64>,
    spins: Vec<u64>,
    go_iters: Vec<Vec<u64>>,
    cores: usize,
}

/// The efficiency ceiling: `threads` plain threads spin their share of
/// `jobs` jobs of `iters` iterations each; from the first thread's start to
/// the last one's end. Each thread first spins a tenth of its share untimed
/// (as the pools get a warm-up), so the scheduler has spread the new threads
/// over the cores before the clock starts.
fn bare_threads(threads: usize, jobs: u64, iters: u64) -> Duration {
    let barrier = std::sync::Barrier::new(threads);
    let spans: Vec<(Instant, Instant)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let barrier = &barrier;
                s.spawn(move || {
                    let share = queues::share(jobs, threads, t);
                    barrier.wait();
                    for job in 0..share / 10 {
                        std::hint::black_box(Work::Spin(iters).apply(job));
                    }
                    barrier.wait();
                    let t0 = Instant::now();
                    for job in 0..share {
                        std::hint::black_box(Work::Spin(iters).apply(job));
                    }
                    (t0, Instant::now())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("spinner panicked"))
            .collect()
    });
    queues::overall(&spans)
}

/// Calibrates the spins, then runs the rows.
pub fn measure(cfg: &Config, rows: &PoolRows, cores: usize) -> Efficiency {
    let spins: Vec<u64> = JOB_TIMES
        .iter()
        .map(|&t| pools::calibrate_spin(t))
        .collect();
    let n = rows.peers.len();
    let (bare_row, go_row) = (n, n + 1);
    let mut go_iters = vec![Vec::new(); JOB_TIMES.len()];
    let grid = interleave(cfg.rounds, JOB_TIMES.len(), n + 2, |cell| {
        let (ji, pi) = (cell.config, cell.row);
        let t = JOB_TIMES[ji];
        let jobs = if ji == 0 {
            cfg.spin1_jobs
        } else {
            cfg.spin10_jobs
        };
        let d = if pi == go_row {
            let (d, iters) = rows.go_result(rows.go.spin(cores, jobs, t))?;
            go_iters[ji].push(iters);
            d
        } else if pi == bare_row {
            bare_threads(cores, jobs, spins[ji])
        } else {
            (rows.peers[pi].throughput)(
                cores,
                jobs / 10,
                jobs,
                Work::Spin(spins[ji]),
                &|| {},
                &|| {},
            )
        };
        Some(rate(jobs, d) / (cores as f64 / t.as_secs_f64()))
    });
    Efficiency {
        names: rows
            .peers
            .iter()
            .map(|p| p.name)
            .chain([BARE, GO])
            .collect(),
        go_skipped: rows.go_skip.is_some(),
        grid,
        spins,
        go_iters,
        cores,
    }
}

impl Efficiency {
    fn bare_row(&self) -> usize {
        self.names.len() - 2
    }

    /// Whether the Go row ran.
    pub fn has_go(&self) -> bool {
        !self.go_skipped
    }

    /// ringpool's 1 µs efficiency, Go's and ringpool ÷ Go (medians; the
    /// ratio of the same rounds).
    pub fn one_us_against_go(&self) -> (f64, f64, f64) {
        let go = self.bare_row() + 1;
        (
            self.grid.median(0, 0),
            self.grid.median(0, go),
            self.grid.ratio(0, go, 0, Ratio::BaseOverRow),
        )
    }

    /// ringpool's 10 µs efficiency, bare threads' and ringpool ÷ bare.
    pub fn ten_us(&self) -> (f64, f64, f64) {
        let bare = self.bare_row();
        (
            self.grid.median(1, 0),
            self.grid.median(1, bare),
            self.grid.ratio(1, bare, 0, Ratio::BaseOverRow),
        )
    }

    /// The section.
    pub fn write(&self, w: &mut String) -> fmt::Result {
        let cores = self.cores;
        writeln!(w, "{HEADING}\n")?;
        let go = if self.go_iters.iter().all(|v| v.is_empty()) {
            "not run".to_string()
        } else {
            self.go_iters
                .iter()
                .zip(["1 µs", "10 µs"])
                .map(|(v, t)| {
                    format!(
                        "median {:.0} iterations ≈ {t}",
                        median(&v.iter().map(|&x| x as f64).collect::<Vec<_>>())
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        writeln!(
            w,
            "{cores} workers (one per core); each job spins a loop calibrated on this machine at \
             the start of the section ({} iterations ≈ 1 µs, {} ≈ 10 µs). Efficiency = measured \
             jobs/s ÷ ideal jobs/s, ideal = cores × (1 / job time) = {:.0} jobs/s (1 µs) and \
             {:.0} jobs/s (10 µs). The drainer and submitter threads share the same cores. The \
             bare-threads row is the ceiling this machine allowed during the run: {cores} plain \
             threads, each spinning its share of the jobs, no pool, no results. The Go design \
             calibrates its own loop the same way ({go}).\n",
            self.spins[0],
            self.spins[1],
            cores as f64 / 1e-6,
            cores as f64 / 10e-6,
        )?;
        writeln!(
            w,
            "| pool | 1 µs jobs | ringpool ÷ pool (> 1: ringpool faster) | 10 µs jobs | ringpool ÷ \
             pool (> 1: ringpool faster) |"
        )?;
        writeln!(w, "|---|---|---|---|---|")?;
        let bare = self.bare_row();
        let go = bare + 1;
        // Pools first, Go, then the baseline (the committed report's order).
        for pi in (0..bare).chain([go, bare]) {
            let name = self.names[pi];
            if pi == go && self.go_skipped {
                writeln!(w, "| {name} | skipped (see below) | | | |")?;
                continue;
            }
            write!(w, "| {name} |")?;
            for ji in 0..JOB_TIMES.len() {
                write!(
                    w,
                    " {:.1}% | {} |",
                    100.0 * self.grid.median(ji, pi),
                    self.grid.ratio_cell(ji, pi, 0, Ratio::BaseOverRow)
                )?;
            }
            writeln!(w)?;
        }
        writeln!(w)
    }
}
