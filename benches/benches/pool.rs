//! Pool throughput: ringpool against a Go-style pool
//! of crossbeam-channel bounded channels, the Rust-book pool over std mpsc,
//! the `threadpool` crate and rayon's scope/spawn.
//!
//! Run by hand (`ci/bench-smoke.sh` only compiles it):
//!
//! ```text
//! cargo bench -p ringpool-benches --bench pool
//! ```
//!
//! # What one benchmark measures
//!
//! * `pool_tiny_2w/<pool>`: 2 workers, tiny jobs (the handler returns
//!   `job * 2`), end to end: one criterion iteration is [`TINY_JOBS`] jobs
//!   submitted by the bench thread while a drainer thread receives every
//!   result ([`ringpool_benches::pools::throughput`]; the pool is built and
//!   warmed up outside the timed part). Throughput in jobs/s.
//! * `pool_tiny_2w/ringpool-batched`: the same, with ringpool's batched
//!   hand-offs: `Pool::submit_many` in chunks of [`CHUNK`] and workers
//!   built with `take_batch(4)` (see `benches/notes/pool-batches-2026-11-30.md`).
//! * `pool_spin10us/<pool>`: CPU-bound jobs of a calibrated 10 µs spin, one
//!   worker per core; jobs/s. The efficiency is that figure divided by the
//!   ideal `cores / 10 µs` (printed once at the start, with the calibration).
//!
//! Sample counts are small (a shared 2-core machine); for steadier ratios
//! use the interleaved report: `cargo run --release -p ringpool-benches --bin
//! report`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::time::Duration;

use ringpool_benches::pools::{
    Drain, GoStyleCrossbeam, PoolPeer, QUEUE_CAPACITY, Rayon, Ringpool, RustBook, ThreadPoolCrate,
    Work, calibrate_spin, throughput,
};
use std::convert::Infallible;
use std::ops::Range;

/// Jobs per `submit_many` call of the batched row.
const CHUNK: u64 = 64;

/// ringpool as [`Ringpool`], with batched hand-offs on both sides.
struct RingpoolBatched(ringpool::Pool<u64, u64, Infallible>);

/// Its results stream.
struct BatchedDrain(ringpool::Results<u64, u64, Infallible>);

impl Drain for BatchedDrain {
    fn recv(&mut self) -> u64 {
        match self.0.recv().expect("ringpool results ended early").outcome {
            Ok(value) => value,
            Err(e) => panic!("ringpool job failed: {e:?}"),
        }
    }
}

impl PoolPeer for RingpoolBatched {
    const NAME: &'static str = "ringpool-batched";
    type Drain = BatchedDrain;
    fn start(workers: usize, work: Work) -> (Self, BatchedDrain) {
        let pool = ringpool::Pool::builder()
            .workers(workers)
            .queue_capacity(QUEUE_CAPACITY)
            .job_timing(false)
            .take_batch(4)
            .build(move |_, job: u64| work.apply(job))
            .expect("ringpool builds");
        let results = pool.results().expect("results taken once");
        (Self(pool), BatchedDrain(results))
    }
    fn submit(&self, job: u64) {
        self.0.submit(job).expect("ringpool accepts jobs");
    }
    fn submit_all(&self, jobs: Range<u64>) {
        let mut next = jobs.start;
        while next < jobs.end {
            let end = jobs.end.min(next + CHUNK);
            let mut chunk = next..end;
            self.0
                .submit_many(&mut chunk)
                .expect("ringpool accepts jobs");
            next = end;
        }
    }
    fn finish(self) {
        self.0.close();
        self.0.shutdown();
    }
}

/// Jobs per criterion iteration, tiny jobs.
const TINY_JOBS: u64 = 10_000;

/// Jobs per criterion iteration, 10 µs jobs.
const SPIN_JOBS: u64 = 1_000;

/// Warm-up jobs pushed through each fresh pool before timing.
const WARMUP: u64 = 1_000;

fn bench_peer<P: PoolPeer>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    workers: usize,
    jobs: u64,
    work: Work,
) {
    group.bench_function(BenchmarkId::from_parameter(P::NAME), |b| {
        b.iter_custom(|iters| throughput::<P>(workers, WARMUP, iters * jobs, work, &|| {}, &|| {}))
    });
}

fn group<F>(c: &mut Criterion, name: &str, jobs: u64, mut add: F)
where
    F: FnMut(&mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>),
{
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(jobs));
    add(&mut g);
    g.finish();
}

fn pools(c: &mut Criterion) {
    group(c, "pool_tiny_2w", TINY_JOBS, |g| {
        bench_peer::<Ringpool>(g, 2, TINY_JOBS, Work::Tiny);
        bench_peer::<RingpoolBatched>(g, 2, TINY_JOBS, Work::Tiny);
        bench_peer::<GoStyleCrossbeam>(g, 2, TINY_JOBS, Work::Tiny);
        bench_peer::<RustBook>(g, 2, TINY_JOBS, Work::Tiny);
        bench_peer::<ThreadPoolCrate>(g, 2, TINY_JOBS, Work::Tiny);
        bench_peer::<Rayon>(g, 2, TINY_JOBS, Work::Tiny);
    });
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let iters = calibrate_spin(Duration::from_micros(10));
    eprintln!(
        "pool_spin10us: {cores} workers, spin of {iters} iterations ≈ 10 µs; \
         ideal = {:.0} jobs/s",
        cores as f64 / 10e-6
    );
    let work = Work::Spin(iters);
    group(c, "pool_spin10us", SPIN_JOBS, |g| {
        bench_peer::<Ringpool>(g, cores, SPIN_JOBS, work);
        bench_peer::<GoStyleCrossbeam>(g, cores, SPIN_JOBS, work);
        bench_peer::<RustBook>(g, cores, SPIN_JOBS, work);
        bench_peer::<ThreadPoolCrate>(g, cores, SPIN_JOBS, work);
        bench_peer::<Rayon>(g, cores, SPIN_JOBS, work);
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = pools
}
criterion_main!(benches);
