//! The end of a scoped pool (`ringpool::scope`, `std-pool/src/scope.rs`):
//! close, then join every worker the crew ever started, with no deadline,
//! while workers started late by `resize` or autoscale growth may not even
//! have begun to run. The handler borrows the model's own run log; once
//! `scope` returns, every accepted job must have run exactly once (a
//! worker still running, or detached, would leave a job unrun in some
//! interleaving, and would touch the borrowed log after the scope).
#![cfg(loom)]

use ringpool::Autoscale;
use ringpool_loom_tests::pool::{RunLog, check_bounded, tiny};
use std::time::Duration;

/// A worker started by `resize` just before the scope ends (it may not have
/// run yet when the scope closes the pool): the scope still joins it, and
/// both jobs ran once.
#[test]
fn scope_end_joins_a_worker_started_by_resize() {
    check_bounded(1, || {
        let log = RunLog::new(2);
        let log = &*log; // the handler borrows it
        ringpool::scope(
            tiny(1, 2, 2).discard_results(),
            |_, job: usize| log.ran(job),
            |pool| {
                pool.submit(0).unwrap();
                pool.resize(2).unwrap();
                pool.submit(1).unwrap();
            },
        )
        .unwrap();
        assert_eq!((log.runs(0), log.runs(1)), (1, 1));
    });
}

/// A worker added by autoscale growth during the closure's last submit:
/// joined too, and the job ran once.
#[test]
fn scope_end_joins_a_worker_grown_by_autoscale() {
    check_bounded(1, || {
        let log = RunLog::new(1);
        let log = &*log;
        ringpool::scope(
            tiny(1, 1, 1).discard_results().autoscale(Autoscale {
                min_workers: 1,
                max_workers: 2,
                grow_at_depth: 1,
                idle_timeout: Duration::MAX,
            }),
            |_, job: usize| log.ran(job),
            |pool| {
                pool.submit(0).unwrap();
            },
        )
        .unwrap();
        assert_eq!(log.runs(0), 1);
    });
}
