//! Pool metrics: counters, gauges and latency histograms, recorded without
//! allocation and without contended read-modify-writes.
//!
//! Per-job figures live in one [`WorkerStats`] per worker slot, written only
//! by the worker in that slot (relaxed load + store). Submit-side counters
//! are pool-wide atomics touched only by submitters. A
//! [`MetricsSnapshot`] sums everything; under load it is a consistent-enough
//! view (each figure is exact, the figures are not read at one instant).

use crate::histogram::{Histogram, HistogramSnapshot};
use crate::sync::{Ordering, StatCounter};
use std::time::Duration;

/// What a worker slot has done (all workers that used the slot, summed).
#[derive(Debug)]
pub(crate) struct WorkerStats {
    started: StatCounter,
    succeeded: StatCounter,
    failed: StatCounter,
    panicked: StatCounter,
    queue_wait: Histogram,
    run_time: Histogram,
}

/// How a job ended, for the counters.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ending {
    Succeeded,
    Failed,
    Panicked,
}

/// Single-writer increment.
fn bump(counter: &StatCounter) {
    counter.store(counter.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
}

impl WorkerStats {
    pub(crate) fn new() -> Self {
        Self {
            started: StatCounter::new(0),
            succeeded: StatCounter::new(0),
            failed: StatCounter::new(0),
            panicked: StatCounter::new(0),
            queue_wait: Histogram::new(),
            run_time: Histogram::new(),
        }
    }

    /// A job left the queue after waiting `queue_wait` (if timed).
    pub(crate) fn started(&self, queue_wait: Option<Duration>) {
        bump(&self.started);
        if let Some(wait) = queue_wait {
            self.queue_wait.record(wait);
        }
    }

    /// The job ran for `run_time` (if timed) and ended so.
    pub(crate) fn finished(&self, run_time: Option<Duration>, ending: Ending) {
        if let Some(run) = run_time {
            self.run_time.record(run);
        }
        bump(match ending {
            Ending::Succeeded => &self.succeeded,
            Ending::Failed => &self.failed,
            Ending::Panicked => &self.panicked,
        });
    }

    /// Adds this slot's figures into `into`; returns whether a job is
    /// running in the slot now.
    pub(crate) fn add_to(&self, into: &mut MetricsSnapshot) -> bool {
        let started = self.started.load(Ordering::Relaxed);
        let succeeded = self.succeeded.load(Ordering::Relaxed);
        let failed = self.failed.load(Ordering::Relaxed);
        let panicked = self.panicked.load(Ordering::Relaxed);
        into.started += started;
        into.succeeded += succeeded;
        into.failed += failed;
        into.panicked += panicked;
        self.queue_wait.add_to(&mut into.queue_wait);
        self.run_time.add_to(&mut into.run_time);
        started > succeeded + failed + panicked
    }
}

/// A snapshot of a pool's figures, from [`Pool::metrics`](crate::Pool::metrics).
///
/// ```
/// # use ringpool::Pool;
/// let pool = Pool::builder().workers(2).queue_capacity(8).build(|_, x: u64| x * 2).unwrap();
/// for i in 0..5 { pool.submit(i).unwrap(); }
/// pool.wait().unwrap();
/// let m = pool.metrics();
/// assert_eq!((m.submitted, m.succeeded, m.rejected), (5, 5, 0));
/// assert_eq!(m.queue_depth, 0);
/// assert_eq!(m.workers, 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetricsSnapshot {
    /// Jobs accepted by a submit.
    pub submitted: u64,
    /// Submits refused, each job handed back: the queue was full
    /// ([`try_submit`](crate::Pool::try_submit), or
    /// [`submit`](crate::Pool::submit) from inside the pool's own handler),
    /// the pool was closed, or the timeout passed
    /// ([`submit_timeout`](crate::Pool::submit_timeout)).
    pub rejected: u64,
    /// Jobs a worker took from the queue.
    pub started: u64,
    /// Jobs whose handler returned a value (or `Ok`).
    pub succeeded: u64,
    /// Jobs whose handler returned `Err`.
    pub failed: u64,
    /// Jobs whose handler panicked.
    pub panicked: u64,
    /// Jobs handed back unstarted by [`Pool::stop_now`](crate::Pool::stop_now)
    /// or taken back by [`Pool::cancel`](crate::Pool::cancel).
    pub cancelled: u64,
    /// Jobs not run because their deadline had passed when a worker took
    /// them ([`JobError::Expired`](crate::JobError::Expired)); each is
    /// kept for [`Pool::take_expired`](crate::Pool::take_expired). Not
    /// counted in `started`.
    pub expired: u64,
    /// The pool's priority levels ([`Builder::priorities`](crate::Builder::priorities)).
    pub priorities: usize,
    /// Jobs queued now at each level (index = priority; levels at and past
    /// `priorities` read 0). Their sum is `queue_depth`.
    pub level_depths: [usize; crate::control::MAX_PRIORITIES],
    /// Whether takes are paused ([`Pool::pause`](crate::Pool::pause)).
    pub paused: bool,
    /// Jobs in the queue now (every priority level).
    pub queue_depth: usize,
    /// The queue's capacity.
    pub queue_capacity: usize,
    /// Live workers.
    pub workers: usize,
    /// Workers running a job now.
    pub busy_workers: usize,
    /// Workers waiting for a job now.
    pub idle_workers: usize,
    /// Results finished and not yet drained.
    pub results_pending: usize,
    /// Results that found the result ring full with nobody draining it and
    /// went to the growable spill buffer (see
    /// [`Builder::results_capacity`](crate::Builder::results_capacity)).
    /// Zero while receivers keep up.
    pub results_spilled: u64,
    /// Time from submit to a worker taking the job.
    pub queue_wait: HistogramSnapshot,
    /// Time the handler ran.
    pub run_time: HistogramSnapshot,
}
