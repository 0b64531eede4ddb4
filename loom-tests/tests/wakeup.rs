//! The pool's sleep/wake protocol (`ringpool::event::Event`, an
//! eventcount) used exactly as the pool uses it, over the core ring and
//! counter: announce (`listen`), re-check, then `wait` or `cancel`; the
//! other side changes the state, then notifies. Every model would deadlock
//! under loom (and fail) if a wake-up could be lost.
#![cfg(loom)]

use loom::sync::Arc;
use loom::thread;
use ringpool::event::Event;
use ringpool_core::{CompletionCounter, PopError, PushError, Ring};

/// The worker's idle loop: pop, or listen / re-pop / wait. Returns the
/// jobs taken until the ring reports closed-and-drained, or after `want`.
fn worker(ring: &Ring<u32, 1>, ready: &Event, want: usize) -> Vec<u32> {
    let mut got = Vec::new();
    while got.len() < want {
        match ring.pop() {
            Ok(job) => {
                got.push(job);
                continue;
            }
            Err(PopError::Closed) => break,
            Err(PopError::Empty) => {}
        }
        let listener = ready.listen();
        match ring.pop() {
            Ok(job) => {
                ready.cancel(listener);
                got.push(job);
            }
            Err(PopError::Closed) => {
                ready.cancel(listener);
                break;
            }
            Err(PopError::Empty) => {
                ready.wait(listener, None);
            }
        }
    }
    got
}

/// A submitted job is always picked up by a sleeping worker.
#[test]
fn submitted_job_wakes_the_worker() {
    loom::model(|| {
        let ring = Arc::new(Ring::<u32, 1>::new());
        let ready = Arc::new(Event::new());
        let (r, e) = (ring.clone(), ready.clone());
        let submitter = thread::spawn(move || {
            r.push(7).unwrap();
            e.notify_one();
        });
        assert_eq!(worker(&ring, &ready, 1), vec![7]);
        submitter.join().unwrap();
    });
}

/// close wakes a sleeping worker, which then sees closed-and-drained.
#[test]
fn close_wakes_the_worker() {
    loom::model(|| {
        let ring = Arc::new(Ring::<u32, 1>::new());
        let ready = Arc::new(Event::new());
        let (r, e) = (ring.clone(), ready.clone());
        let closer = thread::spawn(move || {
            r.close();
            e.notify_all();
        });
        assert!(worker(&ring, &ready, usize::MAX).is_empty());
        closer.join().unwrap();
    });
}

/// A push that was in flight when close happened: the sleeping worker
/// still gets woken (the pool notifies after every push once closed), and
/// takes the job if the push won.
#[test]
fn push_racing_close_still_wakes_the_worker() {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(2);
    builder.check(|| {
        let ring = Arc::new(Ring::<u32, 1>::new());
        let ready = Arc::new(Event::new());
        let (r1, e1) = (ring.clone(), ready.clone());
        let submitter = thread::spawn(move || {
            let accepted = r1.push(1).is_ok();
            if accepted {
                e1.notify_one();
            }
            if r1.is_closed() {
                e1.notify_all();
            }
            accepted
        });
        let (r2, e2) = (ring.clone(), ready.clone());
        let closer = thread::spawn(move || {
            r2.close();
            e2.notify_all();
        });
        let got = worker(&ring, &ready, usize::MAX);
        let accepted = submitter.join().unwrap();
        closer.join().unwrap();
        assert_eq!(got.len(), usize::from(accepted));
    });
}

/// A submitter blocked on a full ring is woken when a worker frees a slot.
#[test]
fn full_submitter_wakes_when_a_slot_frees() {
    loom::model(|| {
        let ring = Arc::new(Ring::<u32, 1>::new());
        let slot_free = Arc::new(Event::new());
        ring.push(1).unwrap();
        let (r, e) = (ring.clone(), slot_free.clone());
        let consumer = thread::spawn(move || {
            let job = r.pop().unwrap();
            e.notify_one();
            job
        });
        let mut job = 2;
        loop {
            match ring.push(job) {
                Ok(()) => break,
                Err(PushError::Full(back)) => job = back,
                Err(PushError::Closed(_)) => unreachable!(),
            }
            let listener = slot_free.listen();
            match ring.push(job) {
                Ok(()) => {
                    slot_free.cancel(listener);
                    break;
                }
                Err(back) => job = back.into_inner(),
            }
            slot_free.wait(listener, None);
        }
        assert_eq!(consumer.join().unwrap(), 1);
        assert_eq!(ring.pop(), Ok(2));
    });
}

/// Every `wait()` caller is woken by the last `done`, and never before it.
#[test]
fn waiters_are_woken_by_the_last_done() {
    loom::model(|| {
        let counter = Arc::new(CompletionCounter::new());
        let idle = Arc::new(Event::new());
        counter.add(2).unwrap();
        let finisher = |c: Arc<CompletionCounter>, e: Arc<Event>| {
            thread::spawn(move || {
                if c.done().unwrap() {
                    e.notify_all();
                }
            })
        };
        let a = finisher(counter.clone(), idle.clone());
        let (c, e) = (counter.clone(), idle.clone());
        let other_waiter = thread::spawn(move || wait_idle(&c, &e));
        // The main thread finishes the second job, then waits too.
        if counter.done().unwrap() {
            idle.notify_all();
        }
        wait_idle(&counter, &idle);
        assert!(counter.is_idle());
        a.join().unwrap();
        other_waiter.join().unwrap();
    });
}

/// The pool's `wait`: a batch snapshot, then `Event::wait_until` (check,
/// listen, re-check, sleep).
fn wait_idle(counter: &CompletionCounter, idle: &Event) {
    let batch = counter.batch();
    idle.wait_until(None, || counter.is_finished(batch).then_some(()))
        .expect("no deadline");
}
