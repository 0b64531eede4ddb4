//! Stress: many submitters, random job durations, a million jobs, every
//! result exactly once; stop-now accounting under load; resize under load;
//! panics under load. Sizes shrink with `RINGPOOL_STRESS_SCALE` (the
//! ThreadSanitizer run sets it) — the checks do not.

use ringpool::{JobError, Pool, SubmitError};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// Jobs for a full-size run, divided by `RINGPOOL_STRESS_SCALE`.
fn jobs(full: u64) -> u64 {
    let scale = std::env::var("RINGPOOL_STRESS_SCALE")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(1)
        .max(1);
    (full / scale).max(100)
}

/// xorshift64*: a deterministic stream of job durations.
fn next_random(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_F491_4F6C_DD1D)
}

/// Spins for about `nanos` nanoseconds: a job of random length.
fn busy(nanos: u64) {
    let start = std::time::Instant::now();
    while start.elapsed() < Duration::from_nanos(nanos) {
        std::hint::spin_loop();
    }
}

#[test]
fn million_jobs_from_four_submitters_each_result_once() {
    let total = jobs(1_000_000);
    let submitters = 4;
    let pool = Arc::new(
        Pool::builder()
            .workers(3)
            .queue_capacity(256)
            .build(|_, job: u64| {
                // One job in 64 spins up to ~4 µs; the rest return at once.
                if job.is_multiple_of(64) {
                    let mut s = job | 1;
                    busy(next_random(&mut s) % 4_000);
                }
                job
            })
            .unwrap(),
    );
    let results = pool.results().unwrap();
    let drainer = std::thread::spawn(move || {
        let mut seen = vec![false; usize::try_from(total).unwrap()];
        let mut count = 0u64;
        for r in results {
            let job = r.outcome.unwrap();
            let index = usize::try_from(job).unwrap();
            assert!(!seen[index], "job {job} delivered twice");
            seen[index] = true;
            count += 1;
        }
        (count, seen.iter().all(|&s| s))
    });
    let handles: Vec<_> = (0..submitters)
        .map(|s| {
            let pool = pool.clone();
            std::thread::spawn(move || {
                let mut job = s;
                while job < total {
                    pool.submit(job).unwrap();
                    job += submitters;
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    pool.close();
    let (count, all) = drainer.join().unwrap();
    assert_eq!(count, total);
    assert!(all, "a job's result is missing");
    let m = pool.metrics();
    assert_eq!((m.submitted, m.succeeded, m.rejected), (total, total, 0));
}

#[test]
fn stop_now_under_load_accounts_for_every_job() {
    for round in 0..5 {
        let completed = Arc::new(AtomicU64::new(0));
        let c = completed.clone();
        let pool = Arc::new(
            Pool::builder()
                .workers(2)
                .queue_capacity(64)
                .discard_results()
                .build(move |_, job: u64| {
                    let mut s = job | 1;
                    busy(next_random(&mut s) % 20_000);
                    c.fetch_add(1, Ordering::Relaxed);
                })
                .unwrap(),
        );
        let accepted = Arc::new(AtomicU64::new(0));
        let refused = Arc::new(AtomicU64::new(0));
        let handles: Vec<_> = (0..3)
            .map(|_| {
                let (pool, accepted, refused) = (pool.clone(), accepted.clone(), refused.clone());
                std::thread::spawn(move || {
                    for job in 0..jobs(20_000) {
                        match pool.submit(job) {
                            Ok(_) => accepted.fetch_add(1, Ordering::Relaxed),
                            Err(SubmitError::Closed(_)) => refused.fetch_add(1, Ordering::Relaxed),
                            Err(e) => panic!("unexpected {e:?}"),
                        };
                    }
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(5 + round * 3));
        let returned = pool.stop_now().len() as u64;
        for h in handles {
            h.join().unwrap();
        }
        pool.wait().unwrap();
        let accepted = accepted.load(Ordering::Relaxed);
        let completed = completed.load(Ordering::Relaxed);
        assert_eq!(returned + completed, accepted, "round {round}");
        assert_eq!(accepted + refused.load(Ordering::Relaxed), 3 * jobs(20_000));
        let m = pool.metrics();
        assert_eq!(m.cancelled, returned);
        assert_eq!(m.succeeded, completed);
    }
}

#[test]
fn resize_under_load_loses_and_repeats_nothing() {
    let total = jobs(200_000);
    let pool = Arc::new(
        Pool::builder()
            .workers(2)
            .max_workers(8)
            .queue_capacity(128)
            .build(|_, job: u64| job)
            .unwrap(),
    );
    let results = pool.results().unwrap();
    let drainer = std::thread::spawn(move || {
        let mut seen = vec![false; usize::try_from(total).unwrap()];
        for r in results {
            let job = usize::try_from(r.outcome.unwrap()).unwrap();
            assert!(!seen[job], "job {job} twice");
            seen[job] = true;
        }
        seen.iter().all(|&s| s)
    });
    let stop = Arc::new(AtomicBool::new(false));
    let resizer = {
        let (pool, stop) = (pool.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                pool.resize(1 + n % 8).unwrap();
                n += 1;
                std::thread::sleep(Duration::from_micros(300));
            }
            n
        })
    };
    for job in 0..total {
        pool.submit(job).unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    let resizes = resizer.join().unwrap();
    pool.close();
    assert!(drainer.join().unwrap(), "a job was lost");
    assert!(resizes > 10, "only {resizes} resizes happened under load");
}

#[test]
fn panicking_handlers_under_load() {
    let total = jobs(100_000);
    let pool = Pool::builder()
        .workers(3)
        .queue_capacity(64)
        .build_fallible(|_, job: u64| match job % 10 {
            0 => panic!("job {job} panics"),
            1 => Err(job),
            _ => Ok(job),
        })
        .unwrap();
    // Silence the default hook's message for the expected panics.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let results = pool.results().unwrap();
    let drainer = std::thread::spawn(move || {
        let (mut ok, mut failed, mut panicked) = (0u64, 0u64, 0u64);
        for r in results {
            match r.outcome {
                Ok(_) => ok += 1,
                Err(JobError::Failed(job)) => {
                    assert_eq!(job % 10, 1);
                    failed += 1;
                }
                Err(JobError::Panicked(msg)) => {
                    assert!(msg.ends_with("panics"), "{msg}");
                    panicked += 1;
                }
                Err(JobError::Expired) => panic!("no job here has a deadline"),
            }
        }
        (ok, failed, panicked)
    });
    for job in 0..total {
        pool.submit(job).unwrap();
    }
    pool.close();
    let (ok, failed, panicked) = drainer.join().unwrap();
    std::panic::set_hook(hook);
    assert_eq!(ok + failed + panicked, total);
    assert_eq!(panicked, total.div_ceil(10));
    let m = pool.metrics();
    assert_eq!((m.succeeded, m.failed, m.panicked), (ok, failed, panicked));
}
