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
    GoStyleCrossbeam, PoolPeer, Rayon, Ringpool, RustBook, ThreadPoolCrate, Work, calibrate_spin,
    throughput,
};

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
