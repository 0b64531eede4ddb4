//! The wake-up protocol of the std pool's real worker loop
//! (`std-pool/src/worker.rs`, `next_job`): a parked worker is woken by a
//! submit, and by a close; a submitter parked on a full queue is woken when
//! a worker takes a job. The pool here is `ringpool::Pool` itself, built on
//! loom's primitives; a lost wake-up leaves every loom thread blocked,
//! which loom reports as a deadlock.
#![cfg(loom)]

use loom::thread;
use ringpool_loom_tests::check;
use ringpool_loom_tests::pool::{RunLog, tiny};
use std::sync::Arc;

/// A job submitted to a pool whose only worker is idle (parked, or about to
/// park) runs, and `wait` sees it finished.
#[test]
fn submit_wakes_the_idle_worker() {
    check(1, || {
        let log = RunLog::new(1);
        let ran = Arc::clone(&log);
        let pool = tiny(1, 1, 1)
            .discard_results()
            .build(move |_, job: usize| ran.ran(job))
            .unwrap();
        pool.submit(0).unwrap();
        pool.wait().unwrap();
        assert_eq!(log.runs(0), 1);
    });
}

/// close wakes the idle worker, which leaves its loop: Drop's join ends.
#[test]
fn close_wakes_the_idle_worker() {
    check(1, || {
        let pool = tiny(1, 1, 1)
            .discard_results()
            .build(|_, _job: usize| ())
            .unwrap();
        let closer = {
            let pool = Arc::new(pool);
            let handle = Arc::clone(&pool);
            (thread::spawn(move || handle.close()), pool)
        };
        let (thread, pool) = closer;
        assert!(thread.join().unwrap());
        assert!(pool.is_closed());
        // Drop joins the worker: it must have seen the close.
        drop(pool);
    });
}

/// A submitter that finds the queue of 1 full parks on `slot_free`; the
/// worker taking the queued job wakes it. Both jobs run once.
#[test]
fn full_submitter_is_woken_by_the_worker() {
    check(0, || {
        let log = RunLog::new(2);
        let ran = Arc::clone(&log);
        let pool = tiny(1, 1, 1)
            .discard_results()
            .build(move |_, job: usize| ran.ran(job))
            .unwrap();
        pool.submit(0).unwrap();
        pool.submit(1).unwrap();
        pool.wait().unwrap();
        assert_eq!((log.runs(0), log.runs(1)), (1, 1));
    });
}
