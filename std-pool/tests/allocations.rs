//! No heap allocation per job: after construction and a warm-up, 100 000
//! jobs submitted, run and drained allocate nothing, on any thread. A
//! counting global allocator proves it.
//!
//! This file is its own test binary with its own `main` (`harness = false`
//! in Cargo.toml): under libtest the harness's coordinating thread
//! sometimes allocates for its own bookkeeping while the test runs (a
//! hash-map rehash of the running tests, seen as one allocation in about
//! one run in ten), and the allocator counts every thread. Without the
//! harness the only threads are this one and the pool's.

use ringpool::Pool;
use std::sync::atomic::{AtomicBool, Ordering};

mod counting;
use counting::{ALLOCATIONS, COUNTING};

/// Runs `jobs` jobs through `pool`, draining every ready result after each
/// submit, so that the undrained backlog (at most the queue plus the
/// running jobs) always fits the result ring and nothing spills.
fn run(
    pool: &Pool<u64, u64>,
    results: &ringpool::Results<u64, u64, std::convert::Infallible>,
    jobs: u64,
    many: bool,
) {
    let mut drained = 0;
    let drain = |drained: &mut u64| {
        while let Ok(r) = results.try_recv() {
            assert!(r.outcome.is_ok_and(|doubled| doubled.is_multiple_of(2)));
            *drained += 1;
        }
    };
    if many {
        // Chunks of 16 through `try_submit_many`: refused jobs stay in the
        // iterator.
        let mut next = 0;
        while next < jobs {
            let mut chunk = next..(next + 16).min(jobs);
            while !chunk.is_empty() {
                let _ = pool.try_submit_many(&mut chunk);
                drain(&mut drained);
            }
            next = chunk.end;
        }
    }
    for job in (0..jobs).filter(|_| !many) {
        let mut job = job;
        while let Err(e) = pool.try_submit(job) {
            job = e.into_inner();
            drain(&mut drained);
        }
        drain(&mut drained);
    }
    while drained < jobs {
        results.recv().unwrap();
        drained += 1;
    }
}

fn steady_state_allocates_nothing_per_job() {
    // The instrument works: an allocation while counting is counted.
    COUNTING.store(true, Ordering::SeqCst);
    drop(std::hint::black_box(vec![1u8; 64]));
    COUNTING.store(false, Ordering::SeqCst);
    assert!(
        ALLOCATIONS.swap(0, Ordering::SeqCst) > 0,
        "the counter counts nothing"
    );

    // One job at a time, then batches on both sides (`try_submit_many`,
    // workers taking up to 4 jobs at once), then three priority levels
    // in job cells (a cancellable pool, issue 14).
    for (take, many, levels, cancellable) in [
        (1, false, 1, false),
        (4, true, 1, false),
        (1, false, 3, true),
    ] {
        let ran = std::sync::Arc::new([AtomicBool::new(false), AtomicBool::new(false)]);
        let ran_in_handler = ran.clone();
        let pool = Pool::builder()
            .workers(2)
            .queue_capacity(256)
            .take_batch(take)
            .priorities(levels)
            .cancellable(cancellable)
            // Every level holds 256: room for every result that can wait.
            .results_capacity(256 * levels + 2)
            .build(move |ctx, job: u64| {
                ran_in_handler[(ctx.worker_id - 1) % 2].store(true, Ordering::Relaxed);
                job * 2
            })
            .unwrap();
        let results = pool.results().unwrap();
        // Warm-up: threads started, lazy thread-locals and statistics touched.
        // Every worker must have run a job: a worker thread that the OS
        // first schedules inside the counted window allocates there (std's
        // per-thread start-up), which is not a per-job cost.
        let mut warm_up_jobs = 0;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while warm_up_jobs == 0 || !ran.iter().all(|r| r.load(Ordering::Relaxed)) {
            assert!(
                std::time::Instant::now() < deadline,
                "a worker ran no job in 60 s of warm-up"
            );
            run(&pool, &results, 20_000, many);
            warm_up_jobs += 20_000;
        }
        pool.wait().unwrap();
        let _ = pool.metrics();

        COUNTING.store(true, Ordering::SeqCst);
        run(&pool, &results, 100_000, many);
        pool.wait().unwrap();
        COUNTING.store(false, Ordering::SeqCst);

        let allocations = ALLOCATIONS.swap(0, Ordering::SeqCst);
        let spilled = pool.metrics().results_spilled;
        assert_eq!(
            allocations, 0,
            "{allocations} allocations during 100 000 jobs (take {take}, many {many}; \
             {spilled} results spilled)"
        );
        assert_eq!(pool.metrics().succeeded, warm_up_jobs + 100_000);
    }
}

fn main() {
    // `cargo test -- --list` and name filters reach this binary too; it has
    // one test and runs it whatever the arguments.
    print!("test steady_state_allocates_nothing_per_job ... ");
    steady_state_allocates_nothing_per_job();
    println!("ok");
}
