//! Single-threaded unit tests of `CompletionCounter`: WaitGroup counting,
//! batches across reuse, misuse (underflow, overflow) as errors that change
//! nothing, and the bounded spin wait.
// Plain std execution: loom types would panic outside `loom::model`.
#![cfg(not(loom))]

use ringpool_core::{CompletionCounter, CounterError};

#[test]
fn smoke() {
    let c = CompletionCounter::new();
    assert!(c.is_idle());
    c.add(3).unwrap();
    assert_eq!(c.pending(), 3);
    assert_eq!(c.done(), Ok(false));
    assert_eq!(c.done(), Ok(false));
    assert_eq!(c.done(), Ok(true));
    assert!(c.is_idle());
    assert_eq!(c.batches_finished(), 1);
}

#[test]
fn in_a_static() {
    static C: CompletionCounter = CompletionCounter::new();
    C.add(1).unwrap();
    assert_eq!(C.done(), Ok(true));
}

#[test]
fn done_without_add_is_underflow_and_changes_nothing() {
    let c = CompletionCounter::default();
    assert_eq!(c.done(), Err(CounterError::Underflow));
    assert_eq!((c.pending(), c.batches_finished()), (0, 0));
    c.add(1).unwrap();
    c.done().unwrap();
    assert_eq!(c.done(), Err(CounterError::Underflow));
    assert_eq!((c.pending(), c.batches_finished()), (0, 1));
    assert!(CounterError::Underflow.to_string().contains("done()"));
}

#[test]
fn overflow_is_an_error_and_changes_nothing() {
    let max = CompletionCounter::MAX_PENDING;
    let c = CompletionCounter::new();
    c.add(max - 1).unwrap();
    c.add(1).unwrap();
    assert_eq!(c.pending(), max);
    let err = c.add(1).unwrap_err();
    assert_eq!(
        err,
        CounterError::Overflow {
            pending: max,
            added: 1
        }
    );
    assert!(err.to_string().contains("overflows"));
    assert_eq!(
        c.add(usize::MAX),
        Err(CounterError::Overflow {
            pending: max,
            added: usize::MAX
        })
    );
    assert_eq!((c.pending(), c.batches_finished()), (max, 0));
    // done() works from the maximum.
    c.add(0).unwrap();
    for _ in 0..3 {
        c.done().unwrap();
    }
    assert_eq!(c.pending(), max - 3);
}

#[test]
fn max_pending_is_half_a_word() {
    assert_eq!(
        CompletionCounter::MAX_PENDING,
        (1usize << (usize::BITS / 2)) - 1
    );
}

#[test]
fn batch_of_an_idle_counter_is_finished() {
    let c = CompletionCounter::new();
    let b = c.batch();
    assert!(c.is_finished(b));
    c.add(1).unwrap();
    assert!(
        c.is_finished(b),
        "jobs added after the snapshot do not count"
    );
}

#[test]
fn batches_across_reuse() {
    let c = CompletionCounter::new();
    c.add(2).unwrap();
    let first = c.batch();
    c.done().unwrap();
    assert!(!c.is_finished(first));
    c.add(1).unwrap(); // joins the running batch
    c.done().unwrap();
    assert!(!c.is_finished(first));
    assert_eq!(c.done(), Ok(true));
    assert!(c.is_finished(first));
    // Next batch: the old snapshot stays finished, a new one is not.
    c.add(1).unwrap();
    let second = c.batch();
    assert!(c.is_finished(first));
    assert!(!c.is_finished(second));
    c.done().unwrap();
    assert!(c.is_finished(second));
    assert_eq!(c.batches_finished(), 2);
}

#[test]
fn spin_wait_is_bounded() {
    let c = CompletionCounter::new();
    c.add(1).unwrap();
    let b = c.batch();
    assert!(!c.spin_wait(b, 100));
    assert!(!c.spin_wait(b, 0));
    c.done().unwrap();
    assert!(c.spin_wait(b, 0));
}

// ---- PhasedCounter: a waiter's batch ends with the jobs counted before it.

use ringpool_core::{PhasedCounter, Ticket};

/// Sustained load, one thread playing every part: a job is always pending
/// (each new job is added before the oldest finishes), so the count never
/// drops to zero; the waiter's batch still ends once the jobs counted before
/// it are done, and not before.
#[test]
fn phased_waiter_is_not_starved_by_later_jobs() {
    let c = PhasedCounter::new();
    let mut running: std::collections::VecDeque<Ticket> =
        (0..3).map(|_| c.add(1).unwrap()).collect();
    let batch = c.batch();
    let mut before: usize = 3; // jobs of the batch still running
    let mut polls = 0;
    while !c.poll(batch) {
        polls += 1;
        assert!(polls < 100, "the waiter was starved");
        running.push_back(c.add(1).unwrap());
        c.done(running.pop_front().unwrap()).unwrap();
        before = before.saturating_sub(1);
        assert!(c.pending() > 0, "the load never stops");
    }
    assert_eq!(
        before, 0,
        "finished while a job counted before it was running"
    );
    assert_eq!(polls, 3);
    while let Some(t) = running.pop_front() {
        c.done(t).unwrap();
    }
    assert!(c.is_idle());
}

/// The batch is never finished early: each job counted before the snapshot
/// holds it up, whichever phase it is in.
#[test]
fn phased_batch_waits_for_both_phases() {
    let c = PhasedCounter::new();
    let old = c.add(1).unwrap();
    let flipper = c.batch();
    assert!(!c.poll(flipper)); // flips: `old` is now in the old phase
    let current = c.add(1).unwrap();
    let batch = c.batch(); // holds `old` (old phase) and `current`
    assert!(!c.poll(batch), "may not flip while the old phase is busy");
    c.done(current).unwrap();
    assert!(!c.poll(batch), "`old` is still running");
    assert_eq!(c.done(old), Ok(true));
    assert!(c.poll(batch) && c.poll(flipper));
}

/// A waiter that sleeps through four flips (a generation wrap) may be
/// delayed, never stuck: its own polls finish it. (While a job of its batch
/// runs, the generation cannot move two steps, so no wrap can release it
/// early.)
#[test]
fn phased_generation_wrap_only_delays() {
    let c = PhasedCounter::new();
    let held = c.add(1).unwrap();
    let stale = c.batch();
    // Other waiters flip while `held` runs: only one flip can happen.
    for _ in 0..3 {
        let b = c.batch();
        assert!(!c.poll(b));
    }
    assert!(!c.poll(stale), "`held` is still running");
    c.done(held).unwrap();
    // Four more flips, each by a waiter on a job that then finishes.
    for _ in 0..4 {
        let t = c.add(1).unwrap();
        let b = c.batch();
        assert!(!c.poll(b));
        c.done(t).unwrap();
        assert!(c.poll(b));
    }
    c.add(1).map(drop).unwrap(); // a job that never finishes
    let mut polls = 0;
    while !c.poll(stale) {
        polls += 1;
        assert!(polls < 4, "a wrapped waiter got stuck");
    }
}

#[test]
fn phased_misuse_is_an_error_that_changes_nothing() {
    let c = PhasedCounter::default();
    let t = c.add(0).unwrap();
    assert_eq!(c.done(t), Err(CounterError::Underflow));
    assert_eq!(c.done_many(t, 0), Ok(false));
    let max = PhasedCounter::MAX_PENDING;
    assert_eq!(max, (1usize << (usize::BITS / 2 - 1)) - 1);
    let t = c.add(max).unwrap();
    assert_eq!(
        c.add(1),
        Err(CounterError::Overflow {
            pending: max,
            added: 1
        })
    );
    assert_eq!(
        c.add(usize::MAX),
        Err(CounterError::Overflow {
            pending: max,
            added: usize::MAX
        })
    );
    assert_eq!(c.done_many(t, usize::MAX), Err(CounterError::Underflow));
    assert_eq!(c.pending(), max);
    // The other phase still takes jobs once the full one is closed.
    let b = c.batch();
    assert!(!c.poll(b));
    let other = c.add(1).unwrap();
    assert_eq!(c.pending(), max + 1);
    assert_eq!(c.done_many(t, max), Ok(true));
    assert!(c.poll(b));
    assert_eq!(c.done(other), Ok(true));
    assert!(c.is_idle());
}

#[test]
fn phased_spin_wait_is_bounded() {
    let c = PhasedCounter::new();
    let t = c.add(1).unwrap();
    let b = c.batch();
    assert!(!c.spin_wait(b, 100));
    assert!(!c.spin_wait(b, 0));
    c.done(t).unwrap();
    assert!(c.spin_wait(b, 0));
    let idle = c.batch();
    assert!(c.is_finished(idle));
}
