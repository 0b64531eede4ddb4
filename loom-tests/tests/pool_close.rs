//! Close and stop-now of the std pool's real code against a submitter on
//! another thread: every job is run exactly once or handed back exactly
//! once (never both, never neither), the books end idle so `wait` and the
//! result stream end, and the workers leave (Drop joins them).
#![cfg(loom)]

use loom::thread;
use ringpool::SubmitError;
use ringpool_loom_tests::pool::{RunLog, check_bounded, tiny};
use std::sync::Arc;

/// A submit racing close: accepted and run once with its result
/// delivered, or handed back as `Closed`; the result stream ends either
/// way.
#[test]
fn close_races_a_submit() {
    check_bounded(2, || {
        let log = RunLog::new(1);
        let ran = Arc::clone(&log);
        let pool = Arc::new(
            tiny(1, 1, 1)
                .build(move |_, job: usize| {
                    ran.ran(job);
                    job
                })
                .unwrap(),
        );
        let results = pool.results().unwrap();
        let submitter = {
            let pool = Arc::clone(&pool);
            thread::spawn(move || pool.submit(0))
        };
        pool.close();
        let got: Vec<usize> = results.map(|r| r.outcome.unwrap()).collect();
        let accepted = match submitter.join().unwrap() {
            Ok(_) => true,
            Err(SubmitError::Closed(0)) => false,
            Err(other) => panic!("unexpected refusal {other:?}"),
        };
        assert_eq!(got.len(), usize::from(accepted));
        assert_eq!(log.runs(0), usize::from(accepted));
        let m = pool.metrics();
        assert_eq!(
            (m.submitted, m.rejected),
            (u64::from(accepted), u64::from(!accepted))
        );
    });
}

/// stop_now racing a submitter of two jobs: each job ran once, or came back
/// from stop_now once, or was refused once; `wait` returns afterwards.
#[test]
fn stop_now_races_a_submitter() {
    check_bounded(1, || {
        let log = RunLog::new(2);
        let ran = Arc::clone(&log);
        let pool = Arc::new(
            tiny(1, 2, 1)
                .discard_results()
                .build(move |_, job: usize| ran.ran(job))
                .unwrap(),
        );
        let submitter = {
            let pool = Arc::clone(&pool);
            thread::spawn(move || [pool.try_submit(0), pool.try_submit(1)])
        };
        let unstarted = pool.stop_now();
        let submits = submitter.join().unwrap();
        pool.wait().unwrap();
        for (job, submit) in submits.iter().enumerate() {
            let accepted = submit.is_ok();
            let handed_back = unstarted.iter().filter(|(_, j)| *j == job).count();
            assert_eq!(
                log.runs(job) + handed_back,
                usize::from(accepted),
                "job {job}: ran {} times, handed back {handed_back} times",
                log.runs(job)
            );
        }
        assert_eq!(pool.pending(), 0);
    });
}
