//! Section "Throughput against workers": the tiny-job run of
//! [`crate::tiny`] with 1, 2, 4 and 8 workers, for every pool row, and its
//! plot.

use std::fmt::{self, Write as _};
use std::path::Path;

use ringpool_benches::pools::{QUEUE_CAPACITY, Work};

use crate::config::Config;
use crate::plot;
use crate::pool_rows::PoolRows;
use crate::rounds::{Grid, Ratio, interleave};
use crate::stats::{fmt_rate, rate};

/// The section's heading.
pub const HEADING: &str = "## Throughput against workers";
/// The plot's file name.
pub const PNG: &str = "bench-plots/bench-throughput-workers.png";

/// Worker counts.
const WORKERS: [usize; 4] = [1, 2, 4, 8];

/// jobs/s per worker count, row and round.
pub struct Scaling {
    names: Vec<&'static str>,
    has: Vec<bool>,
    grid: Grid<f64>,
    jobs: u64,
    rounds: usize,
}

/// Runs the scaling rows.
pub fn measure(cfg: &Config, rows: &PoolRows) -> Scaling {
    let grid = interleave(cfg.scaling_rounds, WORKERS.len(), rows.len(), |cell| {
        let w = WORKERS[cell.config];
        if cell.row == rows.go_row() {
            let d = rows.go_result(rows.go.tiny(w, cfg.scaling_jobs, QUEUE_CAPACITY))?;
            return Some(rate(cfg.scaling_jobs, d));
        }
        let d = (rows.peers[cell.row].throughput)(
            w,
            cfg.warmup,
            cfg.scaling_jobs,
            Work::Tiny,
            &|| {},
            &|| {},
        );
        Some(rate(cfg.scaling_jobs, d))
    });
    Scaling {
        names: rows.names(),
        has: (0..rows.len()).map(|pi| rows.has(pi)).collect(),
        grid,
        jobs: cfg.scaling_jobs,
        rounds: cfg.scaling_rounds,
    }
}

impl Scaling {
    /// ringpool ÷ row `pi` (jobs/s, median of per-round ratios) at every
    /// worker count.
    pub fn ringpool_over(&self, pi: usize) -> Vec<(usize, f64)> {
        WORKERS
            .iter()
            .enumerate()
            .map(|(wi, &w)| (w, self.grid.ratio(wi, pi, 0, Ratio::BaseOverRow)))
            .collect()
    }

    /// Draws the plot into `out`.
    pub fn plot(&self, out: &Path) -> Result<(), Box<dyn std::error::Error>> {
        let series: Vec<(String, Vec<(usize, f64)>)> = (0..self.names.len())
            .filter(|&pi| self.has[pi])
            .map(|pi| {
                (
                    self.names[pi].to_string(),
                    WORKERS
                        .iter()
                        .enumerate()
                        .map(|(wi, &w)| (w, self.grid.median(wi, pi)))
                        .filter(|(_, v)| v.is_finite())
                        .collect(),
                )
            })
            .collect();
        plot::throughput_vs_workers(
            &out.join(PNG),
            "Tiny jobs (x*2), results drained: throughput against workers",
            &series,
        )
    }

    /// The section.
    pub fn write(&self, w: &mut String) -> fmt::Result {
        writeln!(w, "{HEADING}\n")?;
        writeln!(
            w,
            "Tiny jobs as above, {} jobs per run, medians of {} round(s); in brackets ringpool ÷ \
             pool, jobs/s (> 1: ringpool faster).\n",
            self.jobs, self.rounds
        )?;
        writeln!(w, "![throughput against workers]({PNG})\n")?;
        write!(w, "| pool |")?;
        for wc in WORKERS {
            write!(w, " {wc} worker{} |", if wc == 1 { "" } else { "s" })?;
        }
        writeln!(w, "\n|---|{}", "---|".repeat(WORKERS.len()))?;
        for pi in (0..self.names.len()).filter(|&pi| self.has[pi]) {
            write!(w, "| {} |", self.names[pi])?;
            for wi in 0..WORKERS.len() {
                let v = fmt_rate(self.grid.median(wi, pi));
                if pi == 0 {
                    write!(w, " {v} |")?;
                } else {
                    write!(
                        w,
                        " {v} ({}) |",
                        self.grid.ratio_cell(wi, pi, 0, Ratio::BaseOverRow)
                    )?;
                }
            }
            writeln!(w)?;
        }
        writeln!(w)
    }
}
