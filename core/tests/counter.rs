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
