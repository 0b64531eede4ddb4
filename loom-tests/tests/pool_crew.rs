//! Retirement of the std pool's real workers (`std-pool/src/crew.rs` and
//! the worker loop): a resize down retires exactly the surplus, and
//! autoscale never retires below `min_workers`, whatever the interleaving
//! of the workers' looks, the resize and the jobs. A pool left with no
//! worker would leave `wait` blocked for ever: loom reports the deadlock.
#![cfg(loom)]

use ringpool::Autoscale;
use ringpool_loom_tests::pool::{RunLog, check_bounded, tiny};
use std::sync::Arc;
use std::time::Duration;

/// Two workers, resized to one while both may be looking for work; a job
/// submitted afterwards still runs (exactly once), and one worker is left.
#[test]
fn resize_down_retires_exactly_the_surplus() {
    check_bounded(1, || {
        let log = RunLog::new(1);
        let ran = Arc::clone(&log);
        let pool = tiny(2, 1, 1)
            .discard_results()
            .build(move |_, job: usize| ran.ran(job))
            .unwrap();
        pool.resize(1).unwrap();
        pool.submit(0).unwrap();
        pool.wait().unwrap();
        assert_eq!(log.runs(0), 1);
        assert!(pool.workers() >= 1, "the pool retired every worker");
    });
}

/// Autoscale with two idle workers above `min_workers = 1`: both park
/// with the idle timeout (under loom it runs out at once) and race to
/// retire; exactly one may. A job submitted afterwards still runs (the
/// queue depth that would grow the crew is never reached, so only a worker
/// left alive can run it).
#[test]
fn autoscale_idle_retirement_keeps_min_workers() {
    check_bounded(1, || {
        let log = RunLog::new(1);
        let ran = Arc::clone(&log);
        let pool = tiny(2, 1, 1)
            .discard_results()
            .autoscale(Autoscale {
                min_workers: 1,
                max_workers: 2,
                grow_at_depth: 2,
                idle_timeout: Duration::from_millis(1),
            })
            .build(move |_, job: usize| ran.ran(job))
            .unwrap();
        assert!(pool.workers() >= 1);
        pool.submit(0).unwrap();
        pool.wait().unwrap();
        assert!(pool.workers() >= 1, "autoscale retired below min_workers");
        assert_eq!(log.runs(0), 1);
    });
}

/// Autoscale growth: one worker, a queued job at `grow_at_depth = 1` adds
/// a second (under the crew's lock, never past `max_workers`); the job
/// runs once whichever worker takes it.
#[test]
fn autoscale_grows_under_load() {
    check_bounded(1, || {
        let log = RunLog::new(1);
        let ran = Arc::clone(&log);
        let pool = tiny(1, 1, 1)
            .discard_results()
            .autoscale(Autoscale {
                min_workers: 1,
                max_workers: 2,
                grow_at_depth: 1,
                idle_timeout: Duration::MAX,
            })
            .build(move |_, job: usize| ran.ran(job))
            .unwrap();
        pool.submit(0).unwrap();
        pool.wait().unwrap();
        assert_eq!(log.runs(0), 1);
        assert!((1..=2).contains(&pool.workers()));
    });
}
