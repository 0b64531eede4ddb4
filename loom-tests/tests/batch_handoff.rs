//! The pool's batched hand-offs over the real core code: a batch submit
//! (`Ledger::admit_many`, one `push_batch`, `accept_many` for what got in,
//! `withdraw_many` for the rest), a worker taking its share of the queue
//! with one `pop_batch`, publishing the results with one `push_batch` and
//! finishing them with one `Ledger::finish_many` per counter phase, and a
//! waiter (`Ledger::batch` + `poll`, which may flip the counter's phase)
//! racing both. This is the protocol of the std pool's `submit_many`
//! (`std-pool/src/submit_many.rs`) and of a worker with `take_batch`
//! (`std-pool/src/worker.rs`, `std-pool/src/take.rs`), written over the
//! same core calls in the same order.
//!
//! Checked over every interleaving, at queue capacities 1, 2 and 4 (so a
//! batch push is refused part-way at 1) after a precycle lap:
//!
//! * the books: a waiter that sees the jobs admitted before it finished
//!   finds every one of their results already published (the ledger's
//!   rule 3: finish after delivering);
//! * nothing lost or run twice: every accepted job's result appears exactly
//!   once; a job the queue refused is withdrawn, so the counter ends idle;
//! * the worker never takes more than its share (`len / workers`, at least
//!   one, at most its limit).
#![cfg(loom)]

use loom::sync::Arc;
use loom::thread;
use ringpool_core::pool::Ledger;
use ringpool_core::{BatchPushError, PhasedCounter, Ring, Ticket};
use ringpool_loom_tests::check;

/// A queued job: its number and the counter phase it was admitted in.
type Job = (usize, Ticket);

/// The worker's share of `queued` jobs among `workers`, at most `limit`
/// (the std pool's `take::share`, then its `take_batch` limit).
fn share(queued: usize, workers: usize, limit: usize) -> usize {
    (queued / workers.max(1)).clamp(1, limit)
}

/// One batch submit of `jobs`: admit them all, push what fits, accept that,
/// withdraw the rest. Returns the jobs queued.
fn submit_many<const N: usize>(ledger: &Ledger, queue: &Ring<Job, N>, jobs: &[usize]) -> usize {
    let mut admissions = ledger.admit_many(jobs.len()).unwrap();
    let ticket = admissions.ticket();
    let mut items = jobs.iter().map(|&job| (job, ticket));
    let pushed = match queue.push_batch(&mut items) {
        Ok(n) => n,
        Err(BatchPushError::Full { pushed } | BatchPushError::Closed { pushed }) => pushed,
    };
    ledger.accept_many(&mut admissions, pushed);
    if admissions.count() > 0 {
        ledger.withdraw_many(admissions);
    }
    pushed
}

/// One round of a worker: take a share with one pop, "run" the jobs,
/// publish the results together, then finish them, one step per phase.
/// Returns how many it ran.
fn worker_round<const N: usize>(
    ledger: &Ledger,
    queue: &Ring<Job, N>,
    results: &Ring<usize, 4>,
    limit: usize,
) -> usize {
    let want = share(queue.len(), 1, limit);
    let mut taken = Vec::new();
    if queue.pop_batch(want, |job| taken.push(job)).is_err() {
        return 0;
    }
    assert!(
        taken.len() <= want,
        "took {} of a share of {want}",
        taken.len()
    );
    let mut outputs = taken.iter().map(|&(job, _)| job);
    assert_eq!(results.push_batch(&mut outputs), Ok(taken.len()));
    // Runs of one ticket, each finished with one counter step.
    let mut i = 0;
    while i < taken.len() {
        let ticket = taken[i].1;
        let run = taken[i..].iter().take_while(|(_, t)| *t == ticket).count();
        ledger.finish_many(ticket, run).unwrap();
        i += run;
    }
    taken.len()
}

fn model<const N: usize>() {
    check(0, || {
        let ledger = Arc::new(Ledger::new());
        let queue = Arc::new(Ring::<Job, N>::new());
        let results = Arc::new(Ring::<usize, 4>::new());
        // A lap first, so the race runs on reused entries.
        let lap_ticket = PhasedCounter::new().add(1).unwrap();
        for job in 0..N {
            assert!(queue.push((100 + job, lap_ticket)).is_ok());
        }
        for _ in 0..N {
            assert!(queue.pop().is_ok());
        }

        let submitter = {
            let (ledger, queue) = (Arc::clone(&ledger), Arc::clone(&queue));
            thread::spawn(move || submit_many(&ledger, &queue, &[1, 2]))
        };
        let worker = {
            let (ledger, queue, results) = (
                Arc::clone(&ledger),
                Arc::clone(&queue),
                Arc::clone(&results),
            );
            thread::spawn(move || worker_round(&ledger, &queue, &results, 2))
        };
        let queued = submitter.join().unwrap();
        assert!(
            queued >= 1 && queued >= N.min(2),
            "queued {queued} at capacity {N}"
        );
        // The waiter: everything admitted before it, once finished, has its
        // result published.
        let batch = ledger.batch();
        if ledger.poll(batch) {
            assert_eq!(results.len(), queued, "finished but results missing");
        }
        let ran = worker.join().unwrap();
        // What the worker left, the main thread runs as a second worker.
        let mut rest = 0;
        loop {
            let n = worker_round(&ledger, &queue, &results, 2);
            if n == 0 {
                break;
            }
            rest += n;
        }
        assert_eq!(ran + rest, queued, "every queued job ran once");
        assert!(ledger.poll(ledger.batch()));
        assert!(ledger.is_idle(), "a refused job was left in the books");
        let mut got = Vec::new();
        while let Ok(job) = results.pop() {
            got.push(job);
        }
        got.sort_unstable();
        assert_eq!(got, [1, 2][..queued], "results exactly once");
        assert_eq!(ledger.accepted(), queued);
    });
}

#[test]
fn batch_submit_and_take_capacity_1() {
    model::<1>();
}

#[test]
fn batch_submit_and_take_capacity_2() {
    model::<2>();
}

#[test]
fn batch_submit_and_take_capacity_4() {
    model::<4>();
}
