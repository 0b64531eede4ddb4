//! The control protocols of the std pool's real code (issue 14), on a
//! pool built on loom's primitives (`ringpool_loom_tests::pool`):
//!
//! * cancel against a worker's take of the same job, over the job cells of
//!   a cancellable pool (`std-pool/src/cancel.rs`): decided exactly once
//!   (cancelled and never run, or run once and the cancel says so), the
//!   books end idle, and the cell is reused (capacities 1 and 2, so the
//!   free ring wraps and a tombstone must be reclaimed before a blocked
//!   submit can get in);
//! * close against a submit at a higher priority level (`control.rs`): a
//!   worker leaves only when every level is closed and empty;
//! * resume against a worker parked by a pause (`control.rs`,
//!   `pool_control.rs`): the worker is woken and runs the queued job
//!   (a lost wake-up leaves every loom thread blocked: loom reports a
//!   deadlock).
#![cfg(loom)]

use loom::thread;
use ringpool::CancelOutcome;
use ringpool_loom_tests::pool::{RunLog, check_bounded, tiny};
use std::sync::Arc;

/// Runs `body` on a model thread with a 1 MiB stack: building a
/// cancellable pool or one with levels (more rings) overflows the small
/// stack loom gives a model's main thread (found here: `coroutine has overflowed its
/// stack`); the protocol under test is the same on any thread.
fn on_big_stack(body: impl FnOnce() + Send + 'static) {
    thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(body)
        .unwrap()
        .join()
        .unwrap();
}

/// Submit job 0, cancel it while the only worker may be taking it, then
/// submit job 1 with a blocking submit into the same `queue` cells.
fn cancel_races_a_take(queue: usize) {
    check_bounded(2, move || {
        on_big_stack(move || {
            let log = RunLog::new(2);
            let ran = Arc::clone(&log);
            let pool = tiny(1, queue, 2)
                .cancellable(true)
                .discard_results()
                .build(move |_, job: usize| ran.ran(job))
                .unwrap();
            let first = pool.submit(0).unwrap();
            let outcome = pool.cancel(first);
            if queue == 1 {
                // Fill the one cell again: the worker must free it (take job 0
                // or pass its tombstone) and wake this blocked submit.
                pool.submit(1).unwrap();
            } else {
                pool.try_submit(1).unwrap();
            }
            pool.wait().unwrap();
            match outcome {
                CancelOutcome::Cancelled(0) => assert_eq!(log.runs(0), 0, "cancelled and ran"),
                CancelOutcome::Started | CancelOutcome::NotFound => {
                    assert_eq!(log.runs(0), 1, "not cancelled, not run");
                }
                other => panic!("unexpected {other:?}"),
            }
            assert_eq!(log.runs(1), 1);
            let m = pool.metrics();
            let cancelled = u64::from(matches!(outcome, CancelOutcome::Cancelled(_)));
            assert_eq!((m.cancelled, m.succeeded), (cancelled, 2 - cancelled));
            assert_eq!(pool.pending(), 0);
        })
    });
}

#[test]
fn cancel_races_a_take_capacity_1() {
    cancel_races_a_take(1);
}

#[test]
fn cancel_races_a_take_capacity_2() {
    cancel_races_a_take(2);
}

/// Two cancels of the same job race each other and the worker: at most one
/// gets the job back, and it then never runs.
#[test]
fn two_cancels_race_a_take() {
    check_bounded(1, || {
        on_big_stack(|| {
            let log = RunLog::new(1);
            let ran = Arc::clone(&log);
            let pool = Arc::new(
                tiny(1, 1, 1)
                    .cancellable(true)
                    .discard_results()
                    .build(move |_, job: usize| ran.ran(job))
                    .unwrap(),
            );
            let id = pool.submit(0).unwrap();
            let other = {
                let pool = Arc::clone(&pool);
                thread::spawn(move || pool.cancel(id))
            };
            let mine = pool.cancel(id);
            let theirs = other.join().unwrap();
            pool.wait().unwrap();
            let back = [&mine, &theirs]
                .iter()
                .filter(|o| matches!(o, CancelOutcome::Cancelled(0)))
                .count();
            assert!(back <= 1, "handed back twice");
            assert_eq!(log.runs(0) + back, 1, "{mine:?} {theirs:?}");
        })
    });
}

/// A worker parked while the pool is paused (a job queued meanwhile) is
/// woken by a resume on another thread; `wait` returns.
#[test]
fn resume_wakes_a_paused_worker() {
    check_bounded(2, || {
        let log = RunLog::new(1);
        let ran = Arc::clone(&log);
        let pool = Arc::new(
            tiny(1, 1, 1)
                .discard_results()
                .build(move |_, job: usize| ran.ran(job))
                .unwrap(),
        );
        pool.pause();
        pool.submit(0).unwrap();
        let resumer = {
            let pool = Arc::clone(&pool);
            thread::spawn(move || pool.resume())
        };
        pool.wait().unwrap();
        assert!(resumer.join().unwrap());
        assert_eq!(log.runs(0), 1);
    });
}

/// A submit at the higher of two levels racing close: accepted and run
/// once (a worker leaves only when every level is closed and empty), or
/// handed back as `Closed`; the result stream ends either way.
#[test]
fn close_races_a_high_level_submit() {
    check_bounded(2, || {
        on_big_stack(|| {
            let log = RunLog::new(1);
            let ran = Arc::clone(&log);
            let pool = Arc::new(
                tiny(1, 1, 1)
                    .priorities(2)
                    .build(move |_, job: usize| {
                        ran.ran(job);
                        job
                    })
                    .unwrap(),
            );
            let results = pool.results().unwrap();
            let submitter = {
                let pool = Arc::clone(&pool);
                thread::spawn(move || {
                    pool.submit_with_options(0, ringpool::JobOptions::new().priority(1))
                })
            };
            pool.close();
            let got: Vec<usize> = results.map(|r| r.outcome.unwrap()).collect();
            let accepted = match submitter.join().unwrap() {
                Ok(_) => true,
                Err(ringpool::SubmitError::Closed(0)) => false,
                Err(other) => panic!("unexpected refusal {other:?}"),
            };
            assert_eq!(got.len(), usize::from(accepted));
            assert_eq!(log.runs(0), usize::from(accepted));
        })
    });
}
