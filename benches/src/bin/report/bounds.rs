//! The report's two bound sections, which say how far the queue itself
//! limits ringpool:
//!
//! * ring floor: [`circulation::circulate`] through `ArrayQueue`, one SCQ
//!   index ring alone (the least work any SCQ-family ring does per item)
//!   and ringpool's `Ring` (two index rings), at 2, 4 and 8 threads;
//! * pool bounds: the tiny-job pipeline over bare queues that spin instead
//!   of parking ([`pipeline::SpinPipeline`]), next to ringpool's pool and the
//!   two peers its targets name (the Go-style crossbeam pool, threadpool).
//!
//! Both run in interleaved rounds like every other section; the ratios are
//! medians of per-round ratios.

use super::{Row, fmt_rate, fmt_ratio, median, order, rate, ratio_cell};
use ringpool_benches::circulation::{self, Circulate};
use ringpool_benches::pipeline::{LanePipeline, SpinPipeline};
use ringpool_benches::pools::{self, GoStyleCrossbeam, PoolPeer, Ringpool, ThreadPoolCrate, Work};
use ringpool_benches::queues::{ArrayQueue, RingpoolRing};
use ringpool_core::bench_internals::IndexQueue;
use std::fmt::{self, Write as _};
use std::time::Duration;

type CirculateFn = fn(u64, usize, Duration) -> Result<Duration, String>;

fn circulating<Q: Circulate>() -> (&'static str, CirculateFn) {
    (Q::NAME, circulation::circulate::<Q>)
}

/// Thread counts of the floor rows.
const FLOOR_THREADS: [usize; 3] = [2, 4, 8];

/// The ring floor rows: per thread count, per queue (ArrayQueue first).
pub struct Floor {
    names: Vec<&'static str>,
    rows: Vec<Vec<Row>>,
    items: u64,
    errors: Vec<String>,
}

/// Runs the floor rows: `items` takes-and-puts per run, split over the threads.
pub fn floor(rounds: usize, items: u64, stuck: Duration) -> Floor {
    let queues = [
        circulating::<ArrayQueue>(),
        circulating::<IndexQueue>(),
        circulating::<RingpoolRing>(),
    ];
    let mut rows = vec![vec![Row::default(); queues.len()]; FLOOR_THREADS.len()];
    let mut errors = Vec::new();
    for round in 0..rounds {
        for (ti, &threads) in FLOOR_THREADS.iter().enumerate() {
            let mut this = vec![f64::NAN; queues.len()];
            for qi in order(queues.len(), round) {
                let per_thread = items / threads as u64;
                match (queues[qi].1)(per_thread, threads, stuck) {
                    Ok(d) => this[qi] = rate(per_thread * threads as u64, d),
                    Err(e) => errors.push(format!("round {}: {e}", round + 1)),
                }
            }
            for qi in 0..queues.len() {
                rows[ti][qi].values.push(this[qi]);
                rows[ti][qi].ratios.push(this[qi] / this[0]);
            }
        }
    }
    Floor {
        names: queues.iter().map(|q| q.0).collect(),
        rows,
        items,
        errors,
    }
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
                    fmt_ratio(median(&self.rows[ti][1].ratios))
                )
            })
            .collect();
        cells.join(", ")
    }

    /// The section's markdown.
    pub fn write(&self, w: &mut String) -> fmt::Result {
        writeln!(w, "## Ring floor: one SCQ index ring against ArrayQueue\n")?;
        writeln!(
            w,
            "Why the ring rows trail `ArrayQueue`. Every queue starts full (128 items) and \
             `T` threads each take the oldest item and put it back, {} times in all per run \
             (`benches/src/circulation.rs`), so no queue is ever Full. ringpool's `Ring` moves \
             an item through two SCQ index rings (a free ring of slots and a used ring); the \
             middle row is one SCQ index ring alone, circulating its own indices \
             (`ringpool_core::bench_internals`): the least a lock-free ring of the SCQ family \
             does per item, even one that carries small items inside its entries. It is not \
             a usable queue, only a floor. Ratio = queue ÷ ArrayQueue; > 1 would mean faster.\n",
            self.items
        )?;
        writeln!(
            w,
            "| queue | threads | median items/s | queue ÷ ArrayQueue |"
        )?;
        writeln!(w, "|---|---|---|---|")?;
        for (ti, threads) in FLOOR_THREADS.iter().enumerate() {
            for (qi, name) in self.names.iter().enumerate() {
                let row = &self.rows[ti][qi];
                writeln!(
                    w,
                    "| {name} | {threads} | {} | {} |",
                    fmt_rate(median(&row.values)),
                    ratio_cell(qi == 0, &row.ratios)
                )?;
            }
        }
        if !self.errors.is_empty() {
            writeln!(w, "\nRuns that failed: {}.", self.errors.join("; "))?;
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

/// The pool bound rows: jobs/s per row, and per-round ratios to the
/// crossbeam pool and to threadpool.
pub struct PoolBounds {
    names: Vec<&'static str>,
    values: Vec<Vec<f64>>,
    to_crossbeam: Vec<Vec<f64>>,
    to_threadpool: Vec<Vec<f64>>,
    jobs: u64,
}

/// Runs the pool bound rows (tiny jobs, 2 workers, as the tiny-job section).
pub fn pool_bounds(rounds: usize, warmup: u64, jobs: u64) -> PoolBounds {
    let rows: [(&str, ThroughputFn); BOUND_ROWS] = [
        pool::<Ringpool>(),
        pool::<SpinPipeline<RingpoolRing>>(),
        pool::<LanePipeline>(),
        pool::<SpinPipeline<ArrayQueue>>(),
        pool::<GoStyleCrossbeam>(),
        pool::<ThreadPoolCrate>(),
    ];
    let mut values = vec![Vec::new(); BOUND_ROWS];
    let mut to_crossbeam = vec![Vec::new(); BOUND_ROWS];
    let mut to_threadpool = vec![Vec::new(); BOUND_ROWS];
    for round in 0..rounds {
        let mut this = [f64::NAN; BOUND_ROWS];
        for ri in order(BOUND_ROWS, round) {
            let d = (rows[ri].1)(2, warmup, jobs, Work::Tiny, &|| {}, &|| {});
            this[ri] = rate(jobs, d);
        }
        for ri in 0..BOUND_ROWS {
            values[ri].push(this[ri]);
            to_crossbeam[ri].push(this[ri] / this[CROSSBEAM]);
            to_threadpool[ri].push(this[ri] / this[THREADPOOL]);
        }
    }
    PoolBounds {
        names: rows.iter().map(|r| r.0).collect(),
        values,
        to_crossbeam,
        to_threadpool,
        jobs,
    }
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
            fmt_ratio(median(&self.to_crossbeam[row])),
            fmt_ratio(median(&self.to_threadpool[row]))
        )
    }

    /// The section's markdown.
    pub fn write(&self, w: &mut String) -> fmt::Result {
        writeln!(w, "## Pool bounds: the same pipeline over bare queues\n")?;
        writeln!(
            w,
            "How much of the tiny-job figure the queue decides. The \"bound\" rows run the \
             tiny-job workload above ({} jobs, 2 workers, one submitter, one drainer) over two \
             bare queues whose threads spin and yield instead of parking \
             (`benches/src/pipeline.rs`; one row takes results through one SPSC ring per \
             worker instead of a shared queue): no counter, no close, no metrics, no panic \
             handling, an idle core burnt. They are upper bounds for a pool built on that \
             queue, not pools. Ratios are \"row ÷ peer\", medians of per-round ratios from \
             their own interleaved rounds; the pool targets are 1.5x the Go-style \
             crossbeam pool and 4x threadpool.\n",
            self.jobs
        )?;
        writeln!(
            w,
            "| row | median jobs/s | ÷ Go-style crossbeam-channel | ÷ threadpool |"
        )?;
        writeln!(w, "|---|---|---|---|")?;
        for ri in 0..BOUND_ROWS {
            writeln!(
                w,
                "| {} | {} | {} | {} |",
                self.names[ri],
                fmt_rate(median(&self.values[ri])),
                ratio_cell(ri == CROSSBEAM, &self.to_crossbeam[ri]),
                ratio_cell(ri == THREADPOOL, &self.to_threadpool[ri]),
            )?;
        }
        writeln!(w)
    }
}
