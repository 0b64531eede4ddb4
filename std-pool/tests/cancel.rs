//! Cancelling jobs (issue 14): a queued job comes back and never runs; a
//! running one sees its flag; the race between a cancel and a worker's take
//! is decided exactly once under load; cancelled cells are reclaimed.

use ringpool::{CancelOutcome, JobOptions, Pool, SubmitError};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const LONG: Duration = Duration::from_secs(20);

#[test]
fn a_cancelled_job_never_runs_gives_no_result_and_is_not_waited_for() {
    let ran = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&ran);
    let pool = Pool::builder()
        .workers(2)
        .queue_capacity(4)
        .cancellable(true)
        .build(move |_, job: String| {
            counter.fetch_add(1, Ordering::Relaxed);
            job
        })
        .unwrap();
    let results = pool.results().unwrap();
    pool.pause();
    let keep = pool.submit("keep".to_string()).unwrap();
    let drop_it = pool.submit("drop".to_string()).unwrap();
    assert_eq!(pool.pending(), 2);
    assert_eq!(
        pool.cancel(drop_it),
        CancelOutcome::Cancelled("drop".to_string())
    );
    assert_eq!(pool.cancel(drop_it), CancelOutcome::NotFound);
    assert_eq!(pool.pending(), 1, "the books were told");
    let m = pool.metrics();
    assert_eq!((m.cancelled, m.queue_depth), (1, 1));
    pool.resume();
    pool.wait_timeout(LONG).unwrap();
    pool.close();
    let got: Vec<_> = results.map(|r| r.job_id).collect();
    assert_eq!(got, [keep]);
    assert_eq!(ran.load(Ordering::Relaxed), 1);
    assert_eq!(pool.cancel(keep), CancelOutcome::NotFound);
    assert_eq!(pool.cancel(12345), CancelOutcome::NotFound);
}

#[test]
fn cancelled_cells_are_reclaimed_by_takers_and_by_stop_now() {
    let pool = Pool::builder()
        .workers(1)
        .queue_capacity(2)
        .cancellable(true)
        .build(|_, job: u32| job)
        .unwrap();
    pool.pause();
    let a = pool.submit(1).unwrap();
    let b = pool.submit(2).unwrap();
    assert_eq!(pool.cancel(a), CancelOutcome::Cancelled(1));
    // The cancelled job's cell waits for a taker to pass it.
    assert_eq!(pool.try_submit(3), Err(SubmitError::Full(3)));
    pool.resume();
    pool.wait_timeout(LONG).unwrap();
    let deadline = Instant::now() + LONG;
    let c = loop {
        match pool.try_submit(3) {
            Ok(id) => break id,
            Err(SubmitError::Full(_)) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(other) => panic!("{other:?}"),
        }
    };
    pool.wait_timeout(LONG).unwrap();
    assert_eq!(pool.metrics().succeeded, 2);
    assert!(c > b);
    // stop_now passes tombstones and hands back the live jobs.
    pool.pause();
    let d = pool.submit(4).unwrap();
    let e = pool.submit(5).unwrap();
    assert_eq!(pool.cancel(d), CancelOutcome::Cancelled(4));
    assert_eq!(pool.stop_now(), [(e, 5)]);
    assert_eq!(pool.metrics().cancelled, 3);
}

#[test]
fn cancellable_pools_keep_priorities_and_stop_now_hands_back_every_level() {
    let pool = Pool::builder()
        .workers(1)
        .queue_capacity(4)
        .priorities(3)
        .cancellable(true)
        .build(|_, job: u32| job)
        .unwrap();
    let results = pool.results().unwrap();
    pool.pause();
    let mut ids = Vec::new();
    for (job, level) in [(10, 0), (20, 2), (11, 0), (21, 2), (15, 1)] {
        ids.push(
            pool.submit_with_options(job, JobOptions::new().priority(level))
                .unwrap(),
        );
    }
    assert_eq!(&pool.metrics().level_depths[..3], [2, 1, 2]);
    assert_eq!(pool.cancel(ids[3]), CancelOutcome::Cancelled(21));
    pool.resume();
    pool.close();
    let order: Vec<_> = results.map(|r| r.outcome.unwrap()).collect();
    assert_eq!(order, [20, 15, 10, 11]);

    let pool = Pool::builder()
        .queue_capacity(4)
        .priorities(2)
        .cancellable(true)
        .build(|_, job: u32| job)
        .unwrap();
    pool.pause();
    let low = pool.submit(1).unwrap();
    let high = pool
        .submit_with_options(2, JobOptions::new().priority(1))
        .unwrap();
    assert_eq!(pool.stop_now(), [(high, 2), (low, 1)]);
}

#[test]
fn submit_many_jobs_in_a_cancellable_pool_run_but_are_not_cancellable_while_queued() {
    let pool = Pool::builder()
        .workers(1)
        .cancellable(true)
        .build(|_, job: u32| job)
        .unwrap();
    pool.pause();
    let mut jobs = 0..3;
    pool.submit_many(&mut jobs).unwrap();
    assert_eq!(pool.cancel(1), CancelOutcome::NotFound);
    pool.resume();
    pool.wait_timeout(LONG).unwrap();
    assert_eq!(pool.metrics().succeeded, 3);
}

/// Submitters, cancellers and workers race over a small queue: every
/// accepted job ends exactly once, ran or cancelled; a cancel that says
/// `Started` or `NotFound` is one whose job ran; the metrics agree.
#[test]
fn cancel_races_takes_exactly_once_under_load() {
    const SUBMITTERS: u64 = 3;
    const PER: u64 = 4_000;
    let runs: Arc<Mutex<HashMap<u64, u32>>> = Arc::default();
    let log = Arc::clone(&runs);
    let pool = Arc::new(
        Pool::builder()
            .workers(2)
            .queue_capacity(4)
            .priorities(2)
            .cancellable(true)
            .discard_results()
            .build(move |ctx, job: u64| {
                *log.lock().unwrap().entry(ctx.job_id).or_default() += 1;
                job
            })
            .unwrap(),
    );
    let handles: Vec<_> = (0..SUBMITTERS)
        .map(|s| {
            let pool = Arc::clone(&pool);
            std::thread::spawn(move || {
                let mut cancelled = Vec::new();
                let mut others = Vec::new();
                for i in 0..PER {
                    let job = s * PER + i;
                    let options = JobOptions::new().priority((job % 2) as usize);
                    let id = match pool.submit_with_options(job, options) {
                        Ok(id) => id,
                        Err(other) => panic!("{other:?}"),
                    };
                    // Cancel two of every three, at once: races the workers.
                    if !job.is_multiple_of(3) {
                        match pool.cancel(id) {
                            CancelOutcome::Cancelled(back) => {
                                assert_eq!(back, job);
                                cancelled.push(id);
                            }
                            CancelOutcome::Started | CancelOutcome::NotFound => others.push(id),
                            CancelOutcome::NotCancellable => unreachable!(),
                        }
                    } else {
                        others.push(id);
                    }
                }
                (cancelled, others)
            })
        })
        .collect();
    let mut cancelled = Vec::new();
    let mut others = Vec::new();
    for handle in handles {
        let (c, o) = handle.join().unwrap();
        cancelled.extend(c);
        others.extend(o);
    }
    pool.wait_timeout(LONG).unwrap();
    let runs = runs.lock().unwrap();
    for id in &cancelled {
        assert!(!runs.contains_key(id), "job {id} cancelled and ran");
    }
    for id in &others {
        assert_eq!(
            runs.get(id),
            Some(&1),
            "job {id} ran {:?} times",
            runs.get(id)
        );
    }
    assert_eq!(runs.len(), others.len());
    let m = pool.metrics();
    assert_eq!(m.submitted, SUBMITTERS * PER);
    assert_eq!(m.cancelled, cancelled.len() as u64);
    assert_eq!(m.succeeded, others.len() as u64);
    assert_eq!(m.submitted, m.succeeded + m.cancelled);
    assert!(!cancelled.is_empty() && !others.is_empty());
    println!(
        "{} cancelled, {} ran ({} cancels lost the race or came late)",
        cancelled.len(),
        others.len(),
        others.len() as u64 - SUBMITTERS * PER / 3
    );
}
