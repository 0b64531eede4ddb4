//! Section "Latency of sporadic jobs": one tiny job at a time into an idle
//! pool of 2 workers ([`ringpool_benches::pools::latency`]), submit to
//! result, for every pool row; and its plot.

use std::fmt::{self, Write as _};
use std::path::Path;
use std::time::Duration;

use crate::config::Config;
use crate::plot;
use crate::pool_rows::PoolRows;
use crate::rounds::{Grid, Ratio, interleave};
use crate::stats::{percentile, us};

/// The section's heading.
pub const HEADING: &str = "## Latency of sporadic jobs";
/// The plot's file name.
pub const PNG: &str = "bench-plots/bench-latency.png";

/// All samples per row (sorted) and the per-round p50s.
pub struct Latency {
    names: Vec<&'static str>,
    samples: Vec<Vec<Duration>>,
    p50: Grid<f64>,
    rust_rows: usize,
    per_round: usize,
    rounds: usize,
    gap: Duration,
}

/// Runs the latency rows.
pub fn measure(cfg: &Config, rows: &PoolRows) -> Latency {
    let per_round = (cfg.latency_samples / cfg.rounds).max(1);
    let grid = interleave(cfg.rounds, 1, rows.len(), |cell| {
        let mut samples = if cell.row == rows.go_row() {
            rows.go_result(rows.go.latency(2, per_round, cfg.gap))?
        } else {
            (rows.peers[cell.row].latency)(2, per_round, cfg.gap)
        };
        samples.sort();
        Some(samples)
    });
    let samples = (0..rows.len())
        .map(|pi| {
            let mut all: Vec<Duration> = grid
                .runs(0, pi)
                .iter()
                .flatten()
                .flatten()
                .copied()
                .collect();
            all.sort();
            all
        })
        .collect();
    Latency {
        names: rows.names(),
        samples,
        p50: grid.map(|s| us(percentile(s, 0.5))),
        rust_rows: rows.peers.len(),
        per_round,
        rounds: cfg.rounds,
        gap: cfg.gap,
    }
}

impl Latency {
    fn p(&self, pi: usize, q: f64) -> f64 {
        us(percentile(&self.samples[pi], q))
    }

    /// The Rust peer (not ringpool) with the lowest percentile `q` over all
    /// samples, and that percentile in µs.
    pub fn best_rust_peer(&self, q: f64) -> Option<(usize, f64)> {
        (1..self.rust_rows)
            .filter(|&pi| !self.samples[pi].is_empty())
            .filter(|&pi| !crate::pool_rows::is_ringpool_variant(self.names[pi]))
            .map(|pi| (pi, self.p(pi, q)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// A row's name.
    pub fn name(&self, pi: usize) -> &'static str {
        self.names[pi]
    }

    /// Whether row `pi` has samples.
    pub fn has(&self, pi: usize) -> bool {
        !self.samples[pi].is_empty()
    }

    /// Percentile `q` of row `pi` over all its samples, in µs.
    pub fn percentile_us(&self, pi: usize, q: f64) -> f64 {
        self.p(pi, q)
    }

    /// ringpool ÷ row `pi` as speed: the median over rounds of row p50 ÷
    /// ringpool p50 (> 1: ringpool answers faster).
    pub fn ringpool_over_p50(&self, pi: usize) -> f64 {
        self.p50.ratio(0, pi, 0, Ratio::RowOverBase)
    }

    /// Row `pi` ÷ row `base` as speed: the median over rounds of `base`'s
    /// p50 ÷ `pi`'s p50 (> 1: row `pi` answers faster).
    pub fn row_over_p50(&self, pi: usize, base: usize) -> f64 {
        self.p50.ratio(0, base, pi, Ratio::RowOverBase)
    }

    /// Draws the plot into `out`.
    pub fn plot(&self, out: &Path) -> Result<(), Box<dyn std::error::Error>> {
        let series: Vec<(String, [f64; 3])> = (0..self.names.len())
            .filter(|&pi| !self.samples[pi].is_empty())
            .map(|pi| {
                (
                    self.names[pi].to_string(),
                    [self.p(pi, 0.5), self.p(pi, 0.9), self.p(pi, 0.99)],
                )
            })
            .collect();
        plot::latency_percentiles(
            &out.join(PNG),
            &format!(
                "Submit-to-result latency, one job every {} µs into an idle pool (2 workers)",
                self.gap.as_micros()
            ),
            &series,
        )
    }

    /// The section.
    pub fn write(&self, w: &mut String) -> fmt::Result {
        writeln!(w, "{HEADING}\n")?;
        writeln!(
            w,
            "2 workers; {} samples per pool ({} per round): each round starts the pool, lets \
             it run idle for {} ms (threads in their first tens of milliseconds wake more slowly \
             on this machine, every pool alike: `benches/notes/latency-settle-2026-11-30.md`; \
             the Go design sleeps as long), then, per \
             sample, sleeps {} µs (idle workers go to sleep), submits one tiny job and waits \
             for its result; the time from submit to result received. Percentiles over all \
             samples; the ratio is the median over rounds of pool p50 ÷ ringpool p50.\n",
            self.per_round * self.rounds,
            self.per_round,
            ringpool_benches::pools::LATENCY_SETTLE.as_millis(),
            self.gap.as_micros()
        )?;
        writeln!(w, "![latency percentiles]({PNG})\n")?;
        writeln!(
            w,
            "| pool | p50 | p90 | p99 | max | ringpool ÷ pool: pool p50 ÷ ringpool p50 (> 1: \
             ringpool faster) |"
        )?;
        writeln!(w, "|---|---|---|---|---|---|")?;
        for (pi, name) in self.names.iter().enumerate() {
            if self.samples[pi].is_empty() {
                writeln!(w, "| {name} | skipped (see below) | | | | |")?;
                continue;
            }
            writeln!(
                w,
                "| {name} | {:.1} µs | {:.1} µs | {:.1} µs | {:.1} µs | {} |",
                self.p(pi, 0.5),
                self.p(pi, 0.9),
                self.p(pi, 0.99),
                self.p(pi, 1.0),
                self.p50.ratio_cell(0, pi, 0, Ratio::RowOverBase)
            )?;
        }
        writeln!(w)
    }
}
