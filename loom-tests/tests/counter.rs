//! The completion counter: `add`/`done` from several threads, waiters that
//! see a batch finished only after its last `done` (and then see the jobs'
//! writes), reuse across batches, and misuse reported as errors.
//!
//! Each worker writes its job's result into a loom `UnsafeCell` before
//! `done`; a waiter that sees the batch finished reads every cell. If
//! `done` → `is_finished` did not order those writes before the reads,
//! loom reports the data race.
#![cfg(loom)]

use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::thread;
use ringpool_core::{CompletionCounter, CounterError};
use ringpool_loom_tests::check;

/// Job results, one cell per job, written by workers and read by waiters.
struct Results([UnsafeCell<usize>; 2]);

// SAFETY: the models only touch a cell from its worker (before `done`) and
// from a waiter (after the batch is finished); loom checks that those
// accesses are ordered and reports a race otherwise.
unsafe impl Sync for Results {}

impl Results {
    fn new() -> Self {
        Self([UnsafeCell::new(0), UnsafeCell::new(0)])
    }

    fn write(&self, job: usize, value: usize) {
        // SAFETY: only job `job`'s worker writes this cell, before its
        // `done`; loom flags any unordered access.
        self.0[job].with_mut(|p| unsafe { *p = value });
    }

    fn read(&self, job: usize) -> usize {
        // SAFETY: read only after the batch is finished; loom flags a read
        // that is not ordered after the write.
        self.0[job].with(|p| unsafe { *p })
    }
}

/// Two workers finish one job each; the main thread waits on the batch with
/// a bounded spin. Finished means both results are visible; exactly one
/// `done` reports that it made the counter idle.
#[test]
fn last_done_finishes_the_batch() {
    check(1, || {
        let counter = Arc::new(CompletionCounter::new());
        let results = Arc::new(Results::new());
        counter.add(2).unwrap();
        let batch = counter.batch();
        let workers: Vec<_> = (0..2)
            .map(|job| {
                let (counter, results) = (counter.clone(), results.clone());
                thread::spawn(move || {
                    results.write(job, job + 10);
                    counter.done().unwrap()
                })
            })
            .collect();
        if counter.spin_wait(batch, 2) {
            assert_eq!(counter.pending(), 0);
            assert_eq!((results.read(0), results.read(1)), (10, 11));
        }
        let idle_reports: usize = workers
            .into_iter()
            .map(|w| w.join().unwrap() as usize)
            .sum();
        assert_eq!(idle_reports, 1, "exactly one done() makes the counter idle");
        assert!(counter.is_finished(batch) && counter.is_idle());
        assert_eq!(counter.batches_finished(), 1);
    });
}

/// A worker reporting two jobs with one `done_many(2)` races a single
/// `done()` for a third: finished means all three results are visible, and
/// exactly one call reports the counter idle.
#[test]
fn done_many_races_done() {
    check(1, || {
        let counter = Arc::new(CompletionCounter::new());
        let results = Arc::new(Results::new());
        counter.add(3).unwrap();
        let batch = counter.batch();
        let batcher = {
            let (counter, results) = (counter.clone(), results.clone());
            thread::spawn(move || {
                results.write(0, 10);
                counter.done_many(2).unwrap()
            })
        };
        let single = {
            let (counter, results) = (counter.clone(), results.clone());
            thread::spawn(move || {
                results.write(1, 11);
                counter.done().unwrap()
            })
        };
        if counter.spin_wait(batch, 2) {
            assert_eq!((results.read(0), results.read(1)), (10, 11));
        }
        let idle = usize::from(batcher.join().unwrap()) + usize::from(single.join().unwrap());
        assert_eq!(idle, 1, "exactly one call makes the counter idle");
        assert!(counter.is_finished(batch) && counter.is_idle());
        assert_eq!(counter.done_many(1), Err(CounterError::Underflow));
    });
}

/// `add` and `done` race from two threads while a job is pending: the
/// counter never drops to idle early, and a waiter never sees a batch that
/// still has a job pending as finished.
#[test]
fn add_races_done() {
    check(1, || {
        let counter = Arc::new(CompletionCounter::new());
        let results = Arc::new(Results::new());
        counter.add(1).unwrap();
        let adder = {
            let counter = counter.clone();
            thread::spawn(move || {
                counter.add(1).unwrap();
                counter.batch()
            })
        };
        let finisher = {
            let (counter, results) = (counter.clone(), results.clone());
            thread::spawn(move || {
                results.write(0, 7);
                counter.done().unwrap()
            })
        };
        // The second job is never done in this model.
        let second = adder.join().unwrap();
        let made_idle = finisher.join().unwrap();
        assert!(
            !counter.is_finished(second),
            "a batch with a pending job looked finished"
        );
        assert_eq!(counter.pending(), 1);
        assert_eq!(made_idle, counter.batches_finished() == 1);
        counter.done().unwrap();
        assert!(counter.is_finished(second));
        assert_eq!(results.read(0), 7);
    });
}

/// Reuse: a waiter for batch 1 must see it finished even though batch 2
/// starts right after (pending is non-zero again), and must not be fooled
/// the other way: a waiter for batch 2 is not finished by batch 1's end.
#[test]
fn waiter_for_one_batch_is_not_fooled_by_the_next() {
    check(1, || {
        let counter = Arc::new(CompletionCounter::new());
        let results = Arc::new(Results::new());
        counter.add(1).unwrap();
        let first = counter.batch();
        let worker = {
            let (counter, results) = (counter.clone(), results.clone());
            thread::spawn(move || {
                results.write(0, 1);
                assert_eq!(counter.done(), Ok(true));
                // Batch 2 begins; its one job stays pending.
                counter.add(1).unwrap();
            })
        };
        // A snapshot taken during the race covers job 1, job 2, or neither.
        let racing = counter.batch();
        let saw_first = counter.is_finished(first);
        if saw_first {
            assert_eq!(results.read(0), 1);
        }
        worker.join().unwrap();
        assert!(counter.is_finished(first), "batch 1 lost behind batch 2");
        assert_eq!(counter.pending(), 1);
        let second = counter.batch();
        assert!(!counter.is_finished(second), "batch 2 finished by batch 1");
        counter.done().unwrap();
        assert!(counter.is_finished(second) && counter.is_finished(racing));
        assert_eq!(counter.batches_finished(), 2);
    });
}

/// Misuse from two threads: one job, two `done`s: exactly one succeeds and
/// the other is `Underflow`, and the count stays at zero (no wrap-around).
#[test]
fn done_without_add_is_an_error() {
    check(1, || {
        let counter = Arc::new(CompletionCounter::new());
        counter.add(1).unwrap();
        let other = {
            let counter = counter.clone();
            thread::spawn(move || counter.done())
        };
        let mine = counter.done();
        let theirs = other.join().unwrap();
        let mut outcomes = [mine, theirs];
        outcomes.sort_by_key(|r| r.is_err());
        assert_eq!(outcomes, [Ok(true), Err(CounterError::Underflow)]);
        assert_eq!(counter.pending(), 0);
        assert_eq!(counter.done(), Err(CounterError::Underflow));
        assert_eq!(counter.batches_finished(), 1);
    });
}

/// Misuse from two threads: room for one more job, two `add(1)`s: exactly
/// one succeeds and the other is `Overflow`, and the count stays at
/// `MAX_PENDING` (no wrap-around into the generation).
#[test]
fn add_past_max_is_an_error() {
    check(1, || {
        let counter = Arc::new(CompletionCounter::new());
        counter.add(CompletionCounter::MAX_PENDING - 1).unwrap();
        let other = {
            let counter = counter.clone();
            thread::spawn(move || counter.add(1))
        };
        let mine = counter.add(1);
        let theirs = other.join().unwrap();
        let mut outcomes = [mine, theirs];
        outcomes.sort_by_key(|r| r.is_err());
        assert_eq!(
            outcomes,
            [
                Ok(()),
                Err(CounterError::Overflow {
                    pending: CompletionCounter::MAX_PENDING,
                    added: 1
                })
            ]
        );
        assert_eq!(counter.pending(), CompletionCounter::MAX_PENDING);
        assert_eq!(
            counter.batches_finished(),
            0,
            "overflow leaked into the generation"
        );
        assert_eq!(counter.add(0), Ok(()));
        assert!(!counter.is_idle());
    });
}
