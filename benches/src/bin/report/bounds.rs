//! The report's two bound sections, which say how far the queue itself
//! limits ringpool:
//!
//! * ring floor: [`circulation::circulate`] through `ArrayQueue`, one SCQ
//!   index ring alone (the least work any SCQ-family ring does per item),
//!   ringpool's `Ring` (two index rings) and the two published SCQ crates
//!   (lfqueue, nolock), at 2, 4 and 8 threads, each run in a child process;
//! * pool bounds: the tiny-job pipeline over bare queues that spin instead
//!   of parking ([`SpinPipeline`]), next to ringpool's pool and the
//!   two peers its targets name (the Go-style crossbeam pool, threadpool).
//!
//! Both run in interleaved rounds like every other section; the ratios are
//! medians of per-round ratios.

use std::fmt::{self, Write as _};
use std::time::Duration;

use ringpool_benches::circulation;
use ringpool_benches::pipeline::{LanePipeline, SpinPipeline};
use ringpool_benches::pools::{self, GoStyleCrossbeam, PoolPeer, Ringpool, ThreadPoolCrate, Work};
use ringpool_benches::queues::{ArrayQueue, RingpoolRing};

use crate::config::Config;
use crate::faults::Faults;
use crate::isolate;
use crate::rounds::{Grid, Ratio, interleave};
use crate::stats::{fmt_rate, fmt_ratio, rate};

/// The floor section's heading.
pub const FLOOR_HEADING: &str = "## Ring floor: one SCQ index ring against ArrayQueue";
/// The pool bounds section's heading.
pub const POOL_HEADING: &str = "## Pool bounds: the same pipeline over bare queues";

/// Thread counts of the floor rows.
const FLOOR_THREADS: [usize; 3] = [2, 4, 8];

/// The ring floor rows: per thread count, per queue (ArrayQueue first).
pub struct Floor {
    names: Vec<&'static str>,
    grid: Grid<f64>,
    items: u64,
}

/// Row of the one-ring floor.
const ONE_RING: usize = 1;

/// Runs the floor rows, each run in a child process (`isolate`):
/// `cfg.ring_items` takes-and-puts per run, split over the threads.
pub fn floor(cfg: &Config, faults: &mut Faults) -> Floor {
    let queues = circulation::kinds();
    let grid = interleave(cfg.rounds, FLOOR_THREADS.len(), queues.len(), |cell| {
        let threads = FLOOR_THREADS[cell.config];
        let name = queues[cell.row].0;
        let per_thread = cfg.ring_items / threads as u64;
        let args = isolate::circulate_args(name, threads, per_thread, cfg.stuck);
        let run = isolate::timed(&args, cfg.child_deadline());
        faults.record(
            name,
            &format!("floor, {threads} threads, round {}", cell.round + 1),
            &run,
        );
        run.ok().map(|d| rate(per_thread * threads as u64, d))
    });
    Floor {
        names: queues.iter().map(|q| q.0).collect(),
        grid,
        items: cfg.ring_items,
    }
}

/// The floor's row names.
pub fn floor_rows() -> Vec<&'static str> {
    circulation::kinds().iter().map(|k| k.0).collect()
}

impl Floor {
    /// "a / b / c" for the one-ring row's ratios to ArrayQueue, per thread count.
    pub fn one_ring_ratios(&self) -> String {
        let cells: Vec<String> = FLOOR_THREADS
            .iter()
            .enumerate()
            .map(|(ti, t)| {
                format!(
                    "{} ({t} threads)",
                    fmt_ratio(self.grid.ratio(ti, ONE_RING, 0, Ratio::RowOverBase))
                )
            })
            .collect();
        cells.join(", ")
    }

    /// The section's markdown.
    pub fn write(&self, w: &mut String) -> fmt::Result {
        writeln!(w, "{FLOOR_HEADING}\n")?;
        writeln!(
            w,
            "Why the ring rows trail `ArrayQueue`. Every queue starts full (128 items) and \
             `T` threads each take the oldest item and put it back, {} times in all per run \
             (`benches/src/circulation.rs`), so no queue is ever Full. ringpool's `Ring` moves \
             an item through two SCQ index rings (a free ring of slots and a used ring); the \
             middle row is one SCQ index ring alone, circulating its own indices \
             (`ringpool_core::bench_internals`): the least a lock-free ring of the SCQ family \
             does per item, even one that carries small items inside its entries. It is not \
             a usable queue, only a floor. lfqueue and nolock are SCQ rings like ringpool's, \
             each run in a child process like the ring rows. Ratio = queue ÷ ArrayQueue; > 1 \
             would mean the queue is faster.\n",
            self.items
        )?;
        writeln!(
            w,
            "| queue | threads | median items/s | queue ÷ ArrayQueue (> 1: queue faster) |"
        )?;
        writeln!(w, "|---|---|---|---|")?;
        for (ti, threads) in FLOOR_THREADS.iter().enumerate() {
            for (qi, name) in self.names.iter().enumerate() {
                writeln!(
                    w,
                    "| {name} | {threads} | {} | {} |",
                    fmt_rate(self.grid.median(ti, qi)),
                    self.grid.ratio_cell(ti, qi, 0, Ratio::RowOverBase)
                )?;
            }
        }
        writeln!(w)
    }
}

/// The pool bound rows, in this order.
const BOUND_ROWS: usize = 6;
const CROSSBEAM: usize = 4;
const THREADPOOL: usize = 5;

type ThroughputFn = fn(usize, u64, u64, Work, &dyn Fn(), &dyn Fn()) -> Duration;

fn pool<P: PoolPeer>() -> (&'static str, ThroughputFn) {
    (P::NAME, pools::throughput::<P>)
}

/// The pool bound rows: jobs/s per row and round.
pub struct PoolBounds {
    names: Vec<&'static str>,
    grid: Grid<f64>,
    jobs: u64,
}

/// Runs the pool bound rows (tiny jobs, 2 workers, as the tiny-job section).
pub fn pool_bounds(cfg: &Config) -> PoolBounds {
    let rows: [(&str, ThroughputFn); BOUND_ROWS] = [
        pool::<Ringpool>(),
        pool::<SpinPipeline<RingpoolRing>>(),
        pool::<LanePipeline>(),
        pool::<SpinPipeline<ArrayQueue>>(),
        pool::<GoStyleCrossbeam>(),
        pool::<ThreadPoolCrate>(),
    ];
    let grid = interleave(cfg.rounds, 1, BOUND_ROWS, |cell| {
        let d = (rows[cell.row].1)(2, cfg.warmup, cfg.tiny_jobs, Work::Tiny, &|| {}, &|| {});
        Some(rate(cfg.tiny_jobs, d))
    });
    PoolBounds {
        names: rows.iter().map(|r| r.0).collect(),
        grid,
        jobs: cfg.tiny_jobs,
    }
}

/// The pool bound section's row names.
pub fn pool_rows() -> Vec<&'static str> {
    vec![
        Ringpool::NAME,
        SpinPipeline::<RingpoolRing>::NAME,
        LanePipeline::NAME,
        SpinPipeline::<ArrayQueue>::NAME,
        GoStyleCrossbeam::NAME,
        ThreadPoolCrate::NAME,
    ]
}

/// Row of the ringpool `Ring` pipeline bound.
pub const RING_BOUND: usize = 1;
/// Row of the bound with per-worker SPSC result lanes.
pub const LANES_BOUND: usize = 2;
/// Row of the `ArrayQueue` pipeline bound.
pub const ARRAY_QUEUE_BOUND: usize = 3;

impl PoolBounds {
    /// "x ÷ crossbeam, y ÷ threadpool" for one row.
    pub fn ratios(&self, row: usize) -> String {
        format!(
            "{} the Go-style crossbeam pool and {} threadpool",
            fmt_ratio(self.grid.ratio(0, row, CROSSBEAM, Ratio::RowOverBase)),
            fmt_ratio(self.grid.ratio(0, row, THREADPOOL, Ratio::RowOverBase))
        )
    }

    /// The section's markdown.
    pub fn write(&self, w: &mut String) -> fmt::Result {
        writeln!(w, "{POOL_HEADING}\n")?;
        writeln!(
            w,
            "How much of the tiny-job figure the queue decides. The \"bound\" rows run the \
             tiny-job workload above ({} jobs, 2 workers, one submitter, one drainer) over two \
             bare queues whose threads spin and yield instead of parking \
             (`benches/src/pipeline.rs`; one row takes results through one SPSC ring per \
             worker instead of a shared queue): no counter, no close, no metrics, no panic \
             handling, an idle core burnt. They are upper bounds for a pool built on that \
             queue, not pools. Ratios are \"row ÷ peer\" in jobs/s (> 1: the row is \
             faster), medians of per-round ratios from their own interleaved rounds; the pool \
             targets are 1.3x the Go-style crossbeam pool and 2x threadpool.\n",
            self.jobs
        )?;
        writeln!(
            w,
            "| row | median jobs/s | row ÷ Go-style crossbeam-channel (> 1: row faster) | row ÷ \
             threadpool (> 1: row faster) |"
        )?;
        writeln!(w, "|---|---|---|---|")?;
        for ri in 0..BOUND_ROWS {
            writeln!(
                w,
                "| {} | {} | {} | {} |",
                self.names[ri],
                fmt_rate(self.grid.median(0, ri)),
                self.grid.ratio_cell(0, ri, CROSSBEAM, Ratio::RowOverBase),
                self.grid.ratio_cell(0, ri, THREADPOOL, Ratio::RowOverBase),
            )?;
        }
        writeln!(w)
    }
}
