//! Shared pieces of the models of the std pool's real code: a builder for
//! a tiny pool that loom can explore, and a handler that counts its runs.
//!
//! Under `--cfg loom` the `ringpool` crate takes every atomic, mutex,
//! condvar, thread and thread-local from loom (its `sync` module), so a
//! `Pool` built here runs its own worker loop on loom threads. Timed waits
//! do not sleep under loom: they time out at once unless already notified
//! (see `ringpool`'s `sync` module docs).

use ringpool::Builder;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A builder for a model pool: `workers` workers (at most 2), a queue of
/// `queue` jobs, a result ring of `results`, no spinning before parking
/// (spinning multiplies the interleavings and changes no protocol), no
/// clock reads, and a Drop that waits for the workers without a deadline
/// (so a model ends with every loom thread joined).
pub fn tiny(workers: usize, queue: usize, results: usize) -> Builder {
    ringpool::Pool::builder()
        .workers(workers)
        .max_workers(2)
        .queue_capacity(queue)
        .results_capacity(results)
        .spin_before_park(0)
        .job_timing(false)
        .drop_timeout(Duration::MAX)
        .thread_name("model")
}

/// How many times each job (by value, `0..jobs`) ran. Plain std atomics:
/// loom runs one thread at a time and they are read after the pool is
/// dropped or through the pool's own synchronisation (`wait`, a result).
#[derive(Debug)]
pub struct RunLog {
    runs: Vec<AtomicUsize>,
}

impl RunLog {
    /// A log for jobs `0..jobs`.
    pub fn new(jobs: usize) -> Arc<Self> {
        Arc::new(Self {
            runs: (0..jobs).map(|_| AtomicUsize::new(0)).collect(),
        })
    }

    /// Records a run of `job`.
    pub fn ran(&self, job: usize) {
        self.runs[job].fetch_add(1, Ordering::SeqCst);
    }

    /// How many times `job` ran.
    pub fn runs(&self, job: usize) -> usize {
        self.runs[job].load(Ordering::SeqCst)
    }
}

/// Runs `model` under loom with at most `bound` preemptions (loom's
/// default is none). A model pool runs the real code: every submit and
/// every pop goes through the core ring's index rings, the books and the
/// eventcount, dozens of atomic steps each, so these models use a small
/// fixed bound (1 or 2; blocking switches, e.g. a park, are not counted)
/// and stay in seconds. The models of the core ring explore its steps with
/// more preemptions.
pub fn check_bounded<F>(bound: usize, model: F)
where
    F: Fn() + Sync + Send + 'static,
{
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(bound);
    builder.check(model);
}
