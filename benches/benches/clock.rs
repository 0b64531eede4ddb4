//! The cost of one clock read: `std::time::Instant::now` (through
//! `clock_gettime`) against `quanta::Instant::now` (the time-stamp counter
//! read directly), the clock the pool reads up to three times per job when
//! `job_timing` is on (`std-pool/src/clock.rs`).
//!
//! `cargo bench -p ringpool-benches --bench clock`

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

fn clocks(c: &mut Criterion) {
    let mut group = c.benchmark_group("clock read");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2));
    group.bench_function("std::time::Instant::now", |b| {
        b.iter(|| black_box(std::time::Instant::now()))
    });
    // Calibrate quanta's clock before timing it.
    let _ = quanta::Instant::now();
    group.bench_function("quanta::Instant::now", |b| {
        b.iter(|| black_box(quanta::Instant::now()))
    });
    group.finish();
}

criterion_group!(benches, clocks);
criterion_main!(benches);
