//! The async face of the std pool's real code (`std-pool/src/async_*.rs`,
//! `waker_list.rs` and the event's `listen_async`): a future registers its
//! task's waker in the same eventcount that blocking callers sleep on, and
//! the pool's notifies wake it. Each model runs the future with loom's own
//! `block_on` (a waker that unparks the model thread) against the pool's
//! loom worker threads: a lost wake-up leaves the `block_on` thread parked
//! with nobody to wake it, which loom reports as a deadlock.
//!
//! Capacities 1 and 2, so the future really meets a full queue (1) and the
//! ring wraps (2).
#![cfg(loom)]

use loom::future::block_on;
use loom::sync::Notify;
use loom::thread;
use ringpool::SubmitError;
use ringpool_loom_tests::check;
use ringpool_loom_tests::pool::{RunLog, check_bounded, tiny};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

/// `submit_async` on a queue of 1 that the first job may still fill: the
/// future waits on `slot_free` until the worker takes job 0, then queues
/// job 1. Both run once; `wait_async` then sees them finished.
#[test]
fn submit_async_on_a_full_queue_is_woken_by_the_worker() {
    check(0, || {
        let log = RunLog::new(2);
        let ran = Arc::clone(&log);
        let pool = tiny(1, 1, 1)
            .discard_results()
            .build(move |_, job: usize| ran.ran(job))
            .unwrap();
        pool.submit(0).unwrap();
        block_on(pool.submit_async(1)).unwrap();
        block_on(pool.wait_async()).unwrap();
        assert_eq!((log.runs(0), log.runs(1)), (1, 1));
    });
}

/// A queue of 2 (the ring's indices wrap): three async submits from the
/// model thread against the worker; every job runs once.
#[test]
fn submit_async_through_a_queue_of_two() {
    check_bounded(1, || {
        let log = RunLog::new(3);
        let ran = Arc::clone(&log);
        let pool = tiny(1, 2, 2)
            .discard_results()
            .build(move |_, job: usize| ran.ran(job))
            .unwrap();
        block_on(async {
            for job in 0..3 {
                pool.submit_async(job).await.unwrap();
            }
            pool.wait_async().await.unwrap();
        });
        assert_eq!((log.runs(0), log.runs(1), log.runs(2)), (1, 1, 1));
    });
}

/// A future waiting for room on a full queue of 1, and a close from
/// another thread: the close wakes it and the job comes back (or it got in
/// before the close and ran).
#[test]
fn close_wakes_a_waiting_submit_async() {
    check_bounded(1, || {
        let log = RunLog::new(2);
        let ran = Arc::clone(&log);
        let pool = Arc::new(
            tiny(1, 1, 1)
                .discard_results()
                .build(move |_, job: usize| ran.ran(job))
                .unwrap(),
        );
        pool.submit(0).unwrap();
        let closer = {
            let pool = Arc::clone(&pool);
            thread::spawn(move || pool.close())
        };
        let outcome = block_on(pool.submit_async(1));
        closer.join().unwrap();
        block_on(pool.wait_async()).unwrap();
        match outcome {
            Ok(_) => assert_eq!(log.runs(1), 1),
            Err(SubmitError::Closed(1)) => assert_eq!(log.runs(1), 0),
            Err(other) => panic!("unexpected {other:?}"),
        }
        assert_eq!(log.runs(0), 1);
    });
}

/// `recv_async` against the worker delivering: the future waits on the
/// result path's `ready` event and gets the result; after close the next
/// `recv_async` resolves to the end of the stream.
#[test]
fn recv_async_is_woken_by_the_delivering_worker_and_by_the_end() {
    check(0, || {
        let pool = tiny(1, 1, 1).build(|_, job: usize| job).unwrap();
        let results = pool.results().unwrap();
        pool.submit(0).unwrap();
        let first = block_on(results.recv_async()).unwrap();
        assert_eq!(first.outcome, Ok(0));
        pool.close();
        assert!(block_on(results.recv_async()).is_none());
    });
}

/// The stream ends while a receiver on another thread waits in
/// `recv_async`: the job finishing after the close wakes it.
#[test]
fn recv_async_on_another_thread_sees_the_end_of_the_stream() {
    check_bounded(1, || {
        let pool = tiny(1, 1, 1).build(|_, job: usize| job).unwrap();
        let results = pool.results().unwrap();
        let receiver = thread::spawn(move || {
            let mut got = Vec::new();
            while let Some(r) = block_on(results.recv_async()) {
                got.push(r.outcome.unwrap());
            }
            got
        });
        pool.submit(0).unwrap();
        pool.close();
        assert_eq!(receiver.join().unwrap(), [0]);
    });
}

/// `wait_async` against the last job finishing: the future waits on the
/// `idle` event until the worker finishes job 0.
#[test]
fn wait_async_is_woken_by_the_last_job_finishing() {
    check(1, || {
        let log = RunLog::new(1);
        let ran = Arc::clone(&log);
        let pool = tiny(1, 1, 1)
            .discard_results()
            .build(move |_, job: usize| ran.ran(job))
            .unwrap();
        pool.submit(0).unwrap();
        block_on(pool.wait_async()).unwrap();
        assert_eq!(log.runs(0), 1);
    });
}

/// A waker that posts a loom `Notify` (its permit is kept until waited
/// for, so a wake-up before the wait is not lost).
struct NotifyWaker(Notify);

impl Wake for NotifyWaker {
    fn wake(self: Arc<Self>) {
        self.0.notify();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.notify();
    }
}

/// Two futures wait for room in a queue of 1 (job 0 in it, the worker
/// about to take it); the older one is dropped without looking again. The
/// worker's `notify_one` for the freed slot may have picked it: the drop
/// must pass that wake-up on, or the younger future, parked on its own
/// waker, is never woken (loom: deadlock). Job 1 dies with its future,
/// jobs 0 and 2 run once.
#[test]
fn a_dropped_waiting_submit_passes_its_wake_up_on() {
    check(0, || {
        let log = RunLog::new(3);
        let ran = Arc::clone(&log);
        let pool = tiny(1, 1, 1)
            .discard_results()
            .build(move |_, job: usize| ran.ran(job))
            .unwrap();
        pool.submit(0).unwrap();
        let (a_wake, b_wake) = (
            Arc::new(NotifyWaker(Notify::new())),
            Arc::new(NotifyWaker(Notify::new())),
        );
        let (a_waker, b_waker) = (
            Waker::from(Arc::clone(&a_wake)),
            Waker::from(Arc::clone(&b_wake)),
        );
        let mut a = pool.submit_async(1);
        let mut b = pool.submit_async(2);
        let a_poll = Pin::new(&mut a).poll(&mut Context::from_waker(&a_waker));
        let mut b_poll = Pin::new(&mut b).poll(&mut Context::from_waker(&b_waker));
        let a_queued = a_poll.is_ready();
        drop(a); // if still pending, job 1 dies with it, never queued
        while b_poll.is_pending() {
            b_wake.0.wait();
            b_poll = Pin::new(&mut b).poll(&mut Context::from_waker(&b_waker));
        }
        assert!(matches!(b_poll, Poll::Ready(Ok(_))));
        pool.wait().unwrap();
        assert_eq!(log.runs(0), 1);
        assert_eq!(log.runs(1), usize::from(a_queued));
        assert_eq!(log.runs(2), 1);
    });
}
