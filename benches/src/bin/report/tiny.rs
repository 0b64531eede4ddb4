//! Sections "Pool throughput: tiny jobs, 2 workers" and "Heap allocations
//! and memory": [`ringpool_benches::pools::throughput`] with tiny jobs (`x * 2`), results
//! drained by another thread, for every pool row; the same runs count the
//! allocations per job and the peak heap of each Rust pool.

use std::cell::Cell;
use std::fmt::{self, Write as _};

use ringpool_benches::pools::{QUEUE_CAPACITY, Work};

use crate::alloc;
use crate::config::Config;
use crate::pool_rows::PoolRows;
use crate::rounds::{Grid, Ratio, interleave};
use crate::stats::{fmt_rate, median, rate};

/// The throughput section's heading.
pub const HEADING: &str = "## Pool throughput: tiny jobs, 2 workers";
/// The memory section's heading.
pub const MEMORY_HEADING: &str = "## Heap allocations and memory";

/// The tiny-job figures.
pub struct Tiny {
    names: Vec<&'static str>,
    has: Vec<bool>,
    rust_rows: usize,
    /// jobs/s per row and round.
    pub grid: Grid<f64>,
    /// Allocations per run, per Rust row.
    allocs: Vec<Vec<u64>>,
    /// Peak heap above the baseline per run, per Rust row.
    peak_heap: Vec<Vec<usize>>,
    jobs: u64,
    warmup: u64,
}

/// Runs the tiny-job rows.
pub fn measure(cfg: &Config, rows: &PoolRows) -> Tiny {
    let n = rows.peers.len();
    let mut allocs: Vec<Vec<u64>> = vec![Vec::new(); n];
    let mut peak_heap: Vec<Vec<usize>> = vec![Vec::new(); n];
    let grid = interleave(cfg.rounds, 1, rows.len(), |cell| {
        let pi = cell.row;
        if pi == rows.go_row() {
            let d = rows.go_result(rows.go.tiny(2, cfg.tiny_jobs, QUEUE_CAPACITY))?;
            return Some(rate(cfg.tiny_jobs, d));
        }
        let a0 = Cell::new(0u64);
        let a1 = Cell::new(0u64);
        alloc::reset_peak();
        let base = alloc::in_use();
        let d = (rows.peers[pi].throughput)(
            2,
            cfg.warmup,
            cfg.tiny_jobs,
            Work::Tiny,
            &|| a0.set(alloc::allocations()),
            &|| a1.set(alloc::allocations()),
        );
        peak_heap[pi].push(alloc::peak().saturating_sub(base));
        allocs[pi].push(a1.get() - a0.get());
        Some(rate(cfg.tiny_jobs, d))
    });
    Tiny {
        names: rows.names(),
        has: (0..rows.len()).map(|pi| rows.has(pi)).collect(),
        rust_rows: n,
        grid,
        allocs,
        peak_heap,
        jobs: cfg.tiny_jobs,
        warmup: cfg.warmup,
    }
}

fn median_u(v: &[u64]) -> f64 {
    median(&v.iter().map(|&x| x as f64).collect::<Vec<_>>())
}

impl Tiny {
    /// ringpool ÷ row `pi`.
    pub fn ringpool_over(&self, pi: usize) -> f64 {
        self.grid.ratio(0, pi, 0, Ratio::BaseOverRow)
    }

    /// Median allocations in one ringpool run.
    pub fn ringpool_allocations(&self) -> f64 {
        median_u(&self.allocs[0])
    }

    /// Jobs per run.
    pub fn jobs(&self) -> u64 {
        self.jobs
    }

    /// The throughput section.
    pub fn write(&self, w: &mut String) -> fmt::Result {
        writeln!(w, "{HEADING}\n")?;
        writeln!(
            w,
            "{} jobs (handler `job * 2`) submitted by one thread while another drains every \
             result, after {} warm-up jobs; from the first timed submit to the last result \
             received. Pool construction and shutdown are not timed.\n",
            self.jobs, self.warmup
        )?;
        writeln!(
            w,
            "| pool | median jobs/s | ringpool ÷ pool (> 1: ringpool faster) |"
        )?;
        writeln!(w, "|---|---|---|")?;
        for (pi, name) in self.names.iter().enumerate() {
            if !self.has[pi] {
                writeln!(w, "| {name} | skipped (see below) | – |")?;
                continue;
            }
            writeln!(
                w,
                "| {name} | {} | {} |",
                fmt_rate(self.grid.median(0, pi)),
                self.grid.ratio_cell(0, pi, 0, Ratio::BaseOverRow)
            )?;
        }
        writeln!(w)
    }

    /// The memory section; `hwm_kb`: the process's peak resident set.
    pub fn write_memory(&self, w: &mut String, hwm_kb: Option<u64>) -> fmt::Result {
        writeln!(w, "{MEMORY_HEADING}\n")?;
        writeln!(
            w,
            "Allocations: a counting global allocator in the report binary; the count during \
             each 2-worker tiny-job run (from the first timed submit to the last result, \
             warm-up excluded) ÷ its {} jobs, median over rounds. Peak heap: the allocator's \
             peak of heap bytes in use above the level just before the pool was built, during \
             that run (construction, warm-up and timed part; thread stacks are not heap and \
             not included). Rust peers only (the Go process has its own allocator).\n",
            self.jobs
        )?;
        writeln!(
            w,
            "| pool | allocations per job | allocations in the run (median) | peak heap above \
             baseline |"
        )?;
        writeln!(w, "|---|---|---|---|")?;
        for pi in 0..self.rust_rows {
            let count = median_u(&self.allocs[pi]);
            let peak = median_u(
                &self.peak_heap[pi]
                    .iter()
                    .map(|&x| x as u64)
                    .collect::<Vec<_>>(),
            );
            writeln!(
                w,
                "| {} | {:.4} | {:.0} | {:.1} KiB |",
                self.names[pi],
                count / self.jobs as f64,
                count,
                peak / 1024.0
            )?;
        }
        writeln!(
            w,
            "\nWhole report process: peak resident set (VmHWM, /proc/self/status) {}.\n",
            hwm_kb.map_or("unknown".into(), |kb| format!(
                "{:.1} MiB",
                kb as f64 / 1024.0
            ))
        )
    }
}
