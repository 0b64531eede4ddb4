//! Tests of `ringpool_core::pool`: the no_std pool's API contract on one
//! thread (hand-back on Full/Closed, the result reservation, the end of the
//! result stream, the books), drops, and an exactly-once stress run with
//! submitters, workers and receivers on threads.
// Plain std execution: loom types would panic outside `loom::model`.
#![cfg(not(loom))]

use ringpool_core::pool::{JobContext, Pool, RecvError, RunError, RunReport, SubmitError};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn triple(_: JobContext, x: u32) -> u32 {
    x * 3
}

fn context(ctx: JobContext, _: ()) -> JobContext {
    ctx
}

#[test]
fn in_a_static_from_submit_to_ended() {
    static POOL: Pool<u32, u32, 4, 4> = Pool::new(triple);
    let a = POOL.try_submit(1).unwrap();
    let b = POOL.try_submit(2).unwrap();
    assert_eq!((a, b), (1, 2));
    assert_eq!(POOL.pending(), 2);
    assert_eq!(POOL.run_one(7), Ok(a));
    assert_eq!(POOL.run_one(8), Ok(b));
    assert_eq!(POOL.run_one(7), Err(RunError::Empty));
    let first = POOL.recv().unwrap();
    assert_eq!((first.job_id, first.worker_id, first.outcome), (1, 7, 3));
    assert!(POOL.close());
    assert!(!POOL.close(), "second close reports false");
    assert_eq!(POOL.run_one(7), Err(RunError::Closed));
    let second = POOL.recv().unwrap();
    assert_eq!((second.job_id, second.worker_id, second.outcome), (2, 8, 6));
    assert_eq!(POOL.recv(), Err(RecvError::Ended));
    assert_eq!(POOL.recv(), Err(RecvError::Ended), "Ended is final");
}

#[test]
fn handler_sees_its_worker_and_job_ids() {
    let pool: Pool<(), JobContext, 2, 2> = Pool::new(context);
    let id = pool.try_submit(()).unwrap();
    pool.run_one(42).unwrap();
    let result = pool.recv().unwrap();
    assert_eq!(
        result.outcome,
        JobContext {
            worker_id: 42,
            job_id: id
        }
    );
}

#[test]
fn full_and_closed_hand_the_job_back_and_count_nothing() {
    let pool: Pool<u32, u32, 2, 2> = Pool::new(triple);
    pool.try_submit(1).unwrap();
    pool.try_submit(2).unwrap();
    assert_eq!(pool.try_submit(3), Err(SubmitError::Full(3)));
    assert_eq!(pool.submit(4, 10), Err(SubmitError::Full(4)));
    assert_eq!(pool.pending(), 2, "refused jobs are not pending");
    pool.close();
    assert_eq!(pool.try_submit(5), Err(SubmitError::Closed(5)));
    assert_eq!(pool.submit(6, 10), Err(SubmitError::Closed(6)));
    let books = pool.ledger();
    assert_eq!(
        (books.accepted(), books.refused(), books.pending()),
        (2, 4, 2)
    );
    // Accepted jobs still run after the close.
    assert_eq!(pool.run_pending(1, 10).ran, 2);
    assert!(pool.ledger().is_idle());
}

#[test]
fn no_job_is_taken_without_room_for_its_result() {
    let pool: Pool<u32, u32, 8, 2> = Pool::new(triple);
    for job in 0..4 {
        pool.try_submit(job).unwrap();
    }
    let report = pool.run_pending(1, 10);
    assert_eq!(
        report,
        RunReport {
            ran: 2,
            stopped: Some(RunError::ResultsFull)
        }
    );
    assert_eq!(pool.queued(), 2, "the jobs without room stay queued");
    assert_eq!(pool.run_one(1), Err(RunError::ResultsFull));
    assert_eq!(pool.recv().unwrap().outcome, 0);
    assert!(pool.run_one(1).is_ok(), "a received result frees a slot");
    assert_eq!(pool.run_one(1), Err(RunError::ResultsFull));
    let mut results = heapless::Vec::<_, 8>::new();
    assert_eq!(pool.drain_into(&mut results), 2);
    assert_eq!(pool.run_pending(1, 10).ran, 1);
    pool.drain_into(&mut results);
    let outcomes: Vec<u32> = results.iter().map(|r| r.outcome).collect();
    assert_eq!(outcomes, [3, 6, 9]);
}

#[test]
fn drain_into_stops_when_the_vec_is_full() {
    let pool: Pool<u32, u32, 4, 4> = Pool::new(triple);
    for job in 0..4 {
        pool.try_submit(job).unwrap();
    }
    pool.run_pending(1, 4);
    let mut two = heapless::Vec::<_, 2>::new();
    assert_eq!(pool.drain_into(&mut two), 2);
    assert_eq!(pool.drain_into(&mut two), 0);
    assert_eq!(pool.results_queued(), 2);
}

#[test]
fn recv_is_empty_until_closed_and_idle() {
    let pool: Pool<u32, u32, 4, 4> = Pool::new(triple);
    assert_eq!(pool.recv(), Err(RecvError::Empty), "open: not ended");
    pool.try_submit(1).unwrap();
    pool.close();
    assert_eq!(pool.recv(), Err(RecvError::Empty), "a job is still queued");
    pool.run_one(1).unwrap();
    assert!(pool.recv().is_ok());
    assert_eq!(pool.recv(), Err(RecvError::Ended));
}

#[test]
fn discarding_pool_keeps_no_results_and_never_reports_results_full() {
    static RAN: AtomicUsize = AtomicUsize::new(0);
    fn count(_: JobContext, _: u8) {
        RAN.fetch_add(1, Ordering::Relaxed);
    }
    let pool: Pool<u8, (), 4, 1> = Pool::discarding(count);
    for round in 0..5 {
        for job in 0..4 {
            pool.try_submit(job).unwrap();
        }
        assert_eq!(pool.run_pending(1, 10).ran, 4, "round {round}");
    }
    assert_eq!(RAN.load(Ordering::Relaxed), 20);
    assert_eq!(pool.recv(), Err(RecvError::Empty));
    pool.close();
    assert_eq!(pool.recv(), Err(RecvError::Ended));
}

#[test]
fn waits_are_bounded_checks() {
    let pool: Pool<u32, u32, 4, 4> = Pool::new(triple);
    let idle = pool.batch();
    assert!(pool.is_finished(idle));
    pool.try_submit(1).unwrap();
    let batch = pool.batch();
    assert!(!pool.is_finished(batch));
    assert!(!pool.spin_wait(batch, 100), "nobody runs the job");
    pool.run_one(1).unwrap();
    assert!(pool.spin_wait(batch, 0));
    assert!(pool.spin_wait_with::<spin::relax::Loop>(batch, 1));
}

#[test]
fn run_pending_respects_its_budget() {
    let pool: Pool<u32, u32, 8, 8> = Pool::new(triple);
    for job in 0..5 {
        pool.try_submit(job).unwrap();
    }
    assert_eq!(
        pool.run_pending(1, 3),
        RunReport {
            ran: 3,
            stopped: None
        }
    );
    assert_eq!(
        pool.run_pending(1, 3),
        RunReport {
            ran: 2,
            stopped: Some(RunError::Empty)
        }
    );
}

/// An item that counts its drops.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn pass(_: JobContext, c: Counted) -> Counted {
    c
}

#[test]
fn leftover_jobs_and_results_drop_once() {
    let drops = Arc::new(AtomicUsize::new(0));
    {
        let pool: Pool<Counted, Counted, 4, 2> = Pool::new(pass);
        for _ in 0..4 {
            assert!(pool.try_submit(Counted(Arc::clone(&drops))).is_ok());
        }
        let refused = pool.try_submit(Counted(Arc::clone(&drops)));
        drop(refused); // the handed-back job: one drop
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        pool.run_pending(1, 2); // two results queued, two jobs left
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }
    assert_eq!(drops.load(Ordering::SeqCst), 5);
}

/// Every accepted job runs once and its result is received once, with two
/// submitters, two workers and two receivers racing, and a close.
#[test]
fn threaded_exactly_once() {
    const PER_SUBMITTER: u32 = if cfg!(miri) { 50 } else { 20_000 };
    const SUBMITTERS: u32 = 2;
    fn id_twice(_: JobContext, x: u32) -> u32 {
        x.wrapping_mul(2)
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    let pool: Arc<Pool<u32, u32, 16, 8>> = Arc::new(Pool::new(id_twice));
    let seen: Arc<Vec<AtomicUsize>> = Arc::new(
        (0..PER_SUBMITTER * SUBMITTERS)
            .map(|_| AtomicUsize::new(0))
            .collect(),
    );
    let stop = Arc::new(AtomicBool::new(false));
    std::thread::scope(|s| {
        let submitters: Vec<_> = (0..SUBMITTERS)
            .map(|t| {
                let pool = &pool;
                s.spawn(move || {
                    for i in 0..PER_SUBMITTER {
                        let mut job = t * PER_SUBMITTER + i;
                        loop {
                            assert!(Instant::now() < deadline, "submitter stuck");
                            match pool.try_submit(job) {
                                Ok(_) => break,
                                Err(SubmitError::Full(back)) => job = back,
                                Err(SubmitError::Closed(_)) => panic!("closed early"),
                            }
                            std::thread::yield_now();
                        }
                    }
                })
            })
            .collect();
        for worker in 1..=2 {
            let (pool, stop) = (&pool, &stop);
            s.spawn(move || {
                loop {
                    assert!(Instant::now() < deadline, "worker stuck");
                    match pool.run_pending(worker, 32).stopped {
                        Some(RunError::Closed) => break,
                        Some(_) if stop.load(Ordering::Acquire) => {}
                        Some(_) => std::thread::yield_now(),
                        None => {}
                    }
                }
            });
        }
        for _ in 0..2 {
            let (pool, seen) = (&pool, &seen);
            s.spawn(move || {
                loop {
                    assert!(Instant::now() < deadline, "receiver stuck");
                    match pool.recv() {
                        Ok(result) => {
                            let job = result.outcome / 2;
                            assert!((1..=2).contains(&result.worker_id));
                            seen[job as usize].fetch_add(1, Ordering::Relaxed);
                        }
                        Err(RecvError::Ended) => break,
                        Err(RecvError::Empty) => std::thread::yield_now(),
                    }
                }
            });
        }
        for submitter in submitters {
            submitter.join().unwrap();
        }
        stop.store(true, Ordering::Release);
        pool.close();
    });
    for (job, count) in seen.iter().enumerate() {
        assert_eq!(count.load(Ordering::Relaxed), 1, "job {job}");
    }
    let books = pool.ledger();
    assert_eq!(books.accepted(), (PER_SUBMITTER * SUBMITTERS) as usize);
    assert!(books.is_idle());
}
