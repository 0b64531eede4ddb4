//! The `no_std` pool (`ringpool_core::pool::Pool`): `run_one` racing
//! `try_submit`, `close` and `recv`, at job/result capacities 1, 2 and 4.
//!
//! What every model checks, over every interleaving:
//!
//! * exactly once: every accepted job's result is received once, every
//!   refused job comes back inside its error, every item is dropped once;
//! * no stranded result: `run_one` never takes a job whose result has no
//!   slot (the result push would spin forever, which loom reports as a
//!   model that does not terminate);
//! * a waiter whose batch reads finished finds the results of that batch
//!   already queued;
//! * the end of the stream is final: once `recv` said `Ended`, no result
//!   appears later.
//!
//! The job ring and the result ring run through a lap first (`warm`), so
//! the races happen on reused entries.
#![cfg(loom)]

use loom::sync::Arc;
use loom::thread;
use ringpool_core::pool::{JobContext, Pool, RecvError, RunError, SubmitError};
use ringpool_loom_tests::{DropLog, Tracked, check};

/// The handler: hands the job back as its result.
fn pass(_: JobContext, job: Tracked) -> Tracked {
    job
}

type TestPool<const J: usize, const R: usize> = Pool<Tracked, Tracked, J, R>;

/// One full lap of both rings (`J` jobs through, `R` results out), so that
/// the modelled operations land on reused ring entries.
fn warm<const J: usize, const R: usize>(pool: &TestPool<J, R>) {
    let log = DropLog::new(J.max(R));
    for round in 0..J.max(R) {
        assert!(pool.try_submit(log.item(round)).is_ok());
        assert!(pool.run_one(0).is_ok());
        assert_eq!(pool.recv().map(|r| r.outcome.id), Ok(round));
    }
    assert_eq!(pool.recv().err(), Some(RecvError::Empty));
}

/// `try_submit` of `ids`; returns the accepted ones. A refused job must
/// come back inside its error.
fn submit_all<const J: usize, const R: usize>(
    pool: &TestPool<J, R>,
    log: &std::sync::Arc<DropLog>,
    ids: &[usize],
) -> Vec<usize> {
    let mut accepted = Vec::new();
    for &id in ids {
        match pool.try_submit(log.item(id)) {
            Ok(_) => accepted.push(id),
            Err(SubmitError::Full(job) | SubmitError::Closed(job)) => {
                assert_eq!(job.id, id, "another job handed back");
            }
        }
    }
    accepted
}

/// After every thread is joined: runs what is left, receives every result,
/// and checks them against the accepted jobs.
fn settle<const J: usize, const R: usize>(
    pool: &TestPool<J, R>,
    log: &DropLog,
    accepted: &[usize],
    mut received: Vec<usize>,
) {
    for _ in 0..accepted.len() + 1 {
        while pool.recv().map(|r| received.push(r.outcome.id)).is_ok() {}
        match pool.run_one(0) {
            Ok(_) | Err(RunError::ResultsFull) => {}
            Err(RunError::Empty | RunError::Closed) => break,
        }
    }
    while let Ok(result) = pool.recv() {
        received.push(result.outcome.id);
    }
    received.sort_unstable();
    let mut want = accepted.to_vec();
    want.sort_unstable();
    assert_eq!(received, want, "each accepted job's result exactly once");
    assert!(
        pool.ledger().is_idle(),
        "books not idle after everything ran"
    );
    let _ = log;
}

/// A submitter of two jobs against a worker calling `run_one` twice.
fn run_one_against_submit<const J: usize, const R: usize>() {
    check(1, || {
        let pool: Arc<TestPool<J, R>> = Arc::new(Pool::new(pass));
        warm(&pool);
        let log = DropLog::new(2);
        let submitter = {
            let (pool, log) = (pool.clone(), log.clone());
            thread::spawn(move || submit_all(&pool, &log, &[0, 1]))
        };
        let worker = {
            let pool = pool.clone();
            thread::spawn(move || {
                let mut ran = Vec::new();
                for _ in 0..2 {
                    if let Ok(id) = pool.run_one(1) {
                        ran.push(id);
                    }
                }
                ran
            })
        };
        let accepted = submitter.join().unwrap();
        let ran = worker.join().unwrap();
        assert!(ran.len() <= accepted.len(), "ran a job never accepted");
        settle(&pool, &log, &accepted, Vec::new());
        drop(pool);
        log.assert_each_dropped_once();
    });
}

#[test]
fn run_one_against_submit_1() {
    run_one_against_submit::<1, 1>();
}

#[test]
fn run_one_against_submit_2() {
    run_one_against_submit::<2, 2>();
}

#[test]
fn run_one_against_submit_4() {
    run_one_against_submit::<4, 4>();
}

/// One job queued; a submitter of a second, a closer, and a worker that
/// also receives. Closed jobs come back; once `recv` says `Ended` nothing
/// can come later; the stream ends after exactly the accepted results.
fn run_one_against_close<const J: usize, const R: usize>() {
    check(0, || {
        let pool: Arc<TestPool<J, R>> = Arc::new(Pool::new(pass));
        warm(&pool);
        let log = DropLog::new(2);
        let mut accepted = submit_all(&pool, &log, &[0]);
        let submitter = {
            let (pool, log) = (pool.clone(), log.clone());
            thread::spawn(move || submit_all(&pool, &log, &[1]))
        };
        let closer = {
            let pool = pool.clone();
            thread::spawn(move || assert!(pool.close()))
        };
        let mut received = Vec::new();
        let mut ended = false;
        for _ in 0..2 {
            let _ = pool.run_one(1);
            match pool.recv() {
                Ok(result) => {
                    assert!(!ended, "result {} after Ended", result.outcome.id);
                    received.push(result.outcome.id);
                }
                Err(RecvError::Ended) => ended = true,
                Err(RecvError::Empty) => assert!(!ended, "Empty after Ended"),
            }
        }
        accepted.extend(submitter.join().unwrap());
        closer.join().unwrap();
        if ended {
            assert_eq!(pool.run_one(0), Err(RunError::Closed), "job after Ended");
            assert_eq!(pool.recv().err(), Some(RecvError::Ended), "Ended not final");
        }
        settle(&pool, &log, &accepted, received);
        assert_eq!(pool.run_one(0), Err(RunError::Closed));
        assert_eq!(pool.recv().err(), Some(RecvError::Ended));
        drop(pool);
        log.assert_each_dropped_once();
    });
}

#[test]
fn run_one_against_close_1() {
    run_one_against_close::<1, 1>();
}

#[test]
fn run_one_against_close_2() {
    run_one_against_close::<2, 2>();
}

#[test]
fn run_one_against_close_4() {
    run_one_against_close::<4, 4>();
}

/// Two jobs queued, one result slot: two workers race a receiver. A run
/// either takes a job with a slot for its result or takes nothing.
fn runs_against_recv_with_few_result_slots<const J: usize, const R: usize>(jobs: usize) {
    check(0, move || {
        let pool: Arc<TestPool<J, R>> = Arc::new(Pool::new(pass));
        warm(&pool);
        let log = DropLog::new(jobs);
        let ids: Vec<usize> = (0..jobs).collect();
        let accepted = submit_all(&pool, &log, &ids);
        assert_eq!(accepted.len(), jobs);
        let workers: Vec<_> = (1..=2)
            .map(|worker| {
                let pool = pool.clone();
                thread::spawn(move || pool.run_one(worker).is_ok())
            })
            .collect();
        let received: Vec<usize> = pool.recv().map(|r| r.outcome.id).into_iter().collect();
        for worker in workers {
            worker.join().unwrap();
        }
        settle(&pool, &log, &accepted, received);
        drop(pool);
        log.assert_each_dropped_once();
    });
}

#[test]
fn runs_against_recv_results_1() {
    runs_against_recv_with_few_result_slots::<2, 1>(2);
}

#[test]
fn runs_against_recv_results_2() {
    runs_against_recv_with_few_result_slots::<4, 2>(3);
}

/// A waiter's batch: once it reads finished, the job's result is queued.
fn finished_batch_has_its_results<const J: usize, const R: usize>() {
    check(1, || {
        let pool: Arc<TestPool<J, R>> = Arc::new(Pool::new(pass));
        warm(&pool);
        let log = DropLog::new(1);
        let accepted = submit_all(&pool, &log, &[0]);
        let batch = pool.batch();
        let worker = {
            let pool = pool.clone();
            thread::spawn(move || pool.run_one(1).is_ok())
        };
        let mut received = Vec::new();
        if pool.spin_wait(batch, 2) {
            let result = pool
                .recv()
                .expect("batch finished but its result is missing");
            received.push(result.outcome.id);
        }
        assert!(worker.join().unwrap());
        settle(&pool, &log, &accepted, received);
        drop(pool);
        log.assert_each_dropped_once();
    });
}

#[test]
fn finished_batch_has_its_results_1() {
    finished_batch_has_its_results::<1, 1>();
}

#[test]
fn finished_batch_has_its_results_4() {
    finished_batch_has_its_results::<4, 4>();
}
