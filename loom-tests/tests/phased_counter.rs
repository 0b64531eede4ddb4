//! The phased completion counter (`ringpool_core::PhasedCounter`): a
//! waiter's batch ends once the jobs counted before it are done, however
//! many jobs are added after (sustained load), and never earlier.
//!
//! Each job's worker writes the job's result into a loom `UnsafeCell`
//! before its `done`; a waiter that sees its batch finished reads the cells
//! of the batch's jobs. A batch declared finished while one of its jobs is
//! still running is an unordered read: loom reports the race, and the value
//! check fails.
#![cfg(loom)]

use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::thread;
use ringpool_core::PhasedCounter;
use ringpool_loom_tests::check;

/// Job results, one cell per job, written by workers and read by waiters.
struct Results([UnsafeCell<usize>; 3]);

// SAFETY: a cell is written only by its job's worker (before `done`) and
// read only by a waiter whose batch holds that job and is finished; loom
// flags any access that is not ordered so.
unsafe impl Sync for Results {}

impl Results {
    fn new() -> Self {
        Self([UnsafeCell::new(0), UnsafeCell::new(0), UnsafeCell::new(0)])
    }

    fn write(&self, job: usize, value: usize) {
        // SAFETY: only job `job`'s worker writes this cell, before its
        // `done`; loom flags any unordered access.
        self.0[job].with_mut(|p| unsafe { *p = value });
    }

    fn read(&self, job: usize) -> usize {
        // SAFETY: read only once a batch holding job `job` is finished;
        // loom flags a read not ordered after the write.
        self.0[job].with(|p| unsafe { *p })
    }
}

/// Sustained load: job 0 is counted before the waiter's snapshot and first
/// look; then a submitter keeps adding jobs that never finish while a
/// worker finishes job 0. Whenever the waiter sees its batch finished, job 0's result is
/// visible; and once job 0 is done, a few polls finish the batch although
/// jobs are still pending (a counter that waits for idle never would).
#[test]
fn waiter_finishes_under_sustained_load() {
    check(1, || {
        let counter = Arc::new(PhasedCounter::new());
        let results = Arc::new(Results::new());
        let first = counter.add(1).unwrap();
        let batch = counter.batch();
        // The waiter's first look: the old phase is empty, so it closes the
        // current one at once.
        assert!(!counter.poll(batch));
        let worker = {
            let (counter, results) = (counter.clone(), results.clone());
            thread::spawn(move || {
                results.write(0, 10);
                counter.done(first).unwrap()
            })
        };
        let submitter = {
            let counter = counter.clone();
            thread::spawn(move || {
                // Two later jobs that run for ever.
                let _ = counter.add(1).unwrap();
                let _ = counter.add(1).unwrap();
            })
        };
        if counter.spin_wait(batch, 1) {
            assert_eq!(results.read(0), 10);
        }
        assert!(worker.join().unwrap(), "job 0 emptied its phase");
        submitter.join().unwrap();
        assert_eq!(counter.pending(), 2);
        assert!(
            counter.spin_wait(batch, 2),
            "the waiter was starved by jobs added after it"
        );
        assert_eq!(results.read(0), 10);
    });
}

/// Two phases in play: job 0 was counted before a flip (old phase), job 1
/// after it (current phase). Two waiters race, each may flip; each batch
/// holds both jobs, and neither may finish before both results are
/// written, whichever order the jobs finish in and whoever flips.
#[test]
fn racing_waiters_never_finish_early() {
    check(0, || {
        let counter = Arc::new(PhasedCounter::new());
        let results = Arc::new(Results::new());
        let old = counter.add(1).unwrap();
        let flipper = counter.batch();
        assert!(!counter.poll(flipper)); // `old` is in the old phase now
        let current = counter.add(1).unwrap();
        let jobs: Vec<_> = [(0, old), (1, current)]
            .into_iter()
            .map(|(job, ticket)| {
                let (counter, results) = (counter.clone(), results.clone());
                thread::spawn(move || {
                    results.write(job, job + 10);
                    counter.done(ticket).unwrap();
                })
            })
            .collect();
        let waiter = {
            let (counter, results) = (counter.clone(), results.clone());
            thread::spawn(move || {
                let batch = counter.batch();
                if counter.spin_wait(batch, 1) {
                    assert_eq!((results.read(0), results.read(1)), (10, 11));
                }
                batch
            })
        };
        let batch = counter.batch();
        if counter.spin_wait(batch, 1) {
            assert_eq!((results.read(0), results.read(1)), (10, 11));
        }
        for job in jobs {
            job.join().unwrap();
        }
        let other = waiter.join().unwrap();
        assert!(counter.is_idle());
        assert!(counter.poll(batch) && counter.poll(other) && counter.poll(flipper));
    });
}

/// A job counted in the phase a waiter is closing, racing the flip: the
/// add and the flip are ordered on the one word, so the job lands either in
/// the closed phase (and holds the batch) or in the new one (and does not);
/// the batch finishes once job 0 is done and the add has landed, and the
/// job's `done` always finds its own phase.
#[test]
fn add_races_the_flip() {
    check(1, || {
        let counter = Arc::new(PhasedCounter::new());
        let results = Arc::new(Results::new());
        let first = counter.add(1).unwrap();
        let batch = counter.batch();
        let submitter = {
            let counter = counter.clone();
            thread::spawn(move || counter.add(1).unwrap())
        };
        let waiter = {
            let (counter, results) = (counter.clone(), results.clone());
            thread::spawn(move || {
                if counter.spin_wait(batch, 1) {
                    assert_eq!(results.read(0), 10);
                }
            })
        };
        results.write(0, 10);
        counter.done(first).unwrap();
        let late = submitter.join().unwrap();
        waiter.join().unwrap();
        // The late job holds the batch only if it joined the closed phase;
        // either way its ticket names a phase that counts it.
        counter.done(late).unwrap();
        assert!(counter.spin_wait(batch, 2) && counter.is_idle());
    });
}
