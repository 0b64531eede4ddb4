//! Result delivery of the std pool's real code (`std-pool/src/results.rs`,
//! the result path): a worker delivers into a result ring of 1, and past
//! it into the spill buffer (under loom a timed wait times out at once, so
//! the spill is reached whenever the ring is full), against a receiver
//! draining at the same time. Every result arrives exactly once, and the
//! stream ends only after the last one.
#![cfg(loom)]

use loom::thread;
use ringpool_loom_tests::pool::{RunLog, check_bounded, tiny};
use std::sync::Arc;

/// Two jobs through a result ring of 1, drained by a receiver thread while
/// they are submitted and run; the pool is closed after the submits.
#[test]
fn results_reach_a_draining_receiver_through_ring_and_spill() {
    check_bounded(1, || {
        let log = RunLog::new(2);
        let ran = Arc::clone(&log);
        let pool = tiny(1, 2, 1)
            .build(move |_, job: usize| {
                ran.ran(job);
                job
            })
            .unwrap();
        let results = pool.results().unwrap();
        let receiver = thread::spawn(move || {
            let mut got: Vec<usize> = results.map(|r| r.outcome.unwrap()).collect();
            got.sort_unstable();
            got
        });
        pool.submit(0).unwrap();
        pool.submit(1).unwrap();
        pool.close();
        assert_eq!(receiver.join().unwrap(), [0, 1]);
        assert_eq!((log.runs(0), log.runs(1)), (1, 1));
    });
}

/// Nobody drains while the jobs run: the second result must spill (the
/// ring holds 1), and a receiver that comes after the close gets both, then
/// the end of the stream.
#[test]
fn results_spill_when_nobody_drains_and_are_collected_after_close() {
    check_bounded(1, || {
        let pool = tiny(1, 2, 1).build(|_, job: usize| job).unwrap();
        let results = pool.results().unwrap();
        pool.submit(0).unwrap();
        pool.submit(1).unwrap();
        pool.close();
        let mut got: Vec<usize> = (&results).map(|r| r.outcome.unwrap()).collect();
        got.sort_unstable();
        assert_eq!(got, [0, 1]);
        assert!(results.recv().is_none());
    });
}
