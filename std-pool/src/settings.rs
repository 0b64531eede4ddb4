//! What a pool was built with: the validated [`Settings`] every part reads,
//! and the public [`Autoscale`] policy among them. A leaf.

use std::time::Duration;

/// Automatic scaling between `min_workers` and `max_workers`.
///
/// The pool grows by one worker when a submit leaves at least
/// `grow_at_depth` jobs queued, and a worker retires after waiting
/// `idle_timeout` for a job while more than `min_workers` are alive. No
/// supervisor thread: an idle pool stays at zero CPU.
///
/// The pool starts with the builder's [`workers`](crate::Builder::workers) clamped
/// into `min_workers..=max_workers`; a setting with `min_workers` of zero or
/// above `max_workers` is refused when the pool is built. See
/// [`Builder::autoscale`](crate::Builder::autoscale) for a pool that grows and shrinks.
///
/// ```
/// use ringpool::{Autoscale, BuildError, Pool};
/// use std::time::Duration;
///
/// let scaling = Autoscale {
///     min_workers: 1,
///     max_workers: 3,
///     grow_at_depth: 4,
///     idle_timeout: Duration::from_millis(50),
/// };
/// // 10 workers asked for, clamped to the maximum of 3.
/// let pool = Pool::builder()
///     .workers(10)
///     .autoscale(scaling)
///     .build(|_, job: u32| job)
///     .unwrap();
/// assert_eq!(pool.workers(), 3);
///
/// // min_workers above max_workers is an error, not a panic.
/// let bad = Autoscale { min_workers: 4, ..scaling };
/// let err = Pool::builder().autoscale(bad).build(|_, job: u32| job).unwrap_err();
/// assert_eq!(err, BuildError::BadScaling { min: 4, max: 3 });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Autoscale {
    /// Never fewer workers than this (at least 1).
    pub min_workers: usize,
    /// Never more workers than this.
    pub max_workers: usize,
    /// Queue depth at which a submit adds a worker.
    pub grow_at_depth: usize,
    /// How long a surplus worker waits for a job before retiring. Any
    /// value works: one past the end of the clock (e.g. `Duration::MAX`)
    /// means surplus workers never retire for being idle.
    pub idle_timeout: Duration,
}

/// Validated settings.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) workers: usize,
    pub(crate) queue_capacity: usize,
    pub(crate) results_capacity: Option<usize>,
    pub(crate) max_workers: usize,
    pub(crate) autoscale: Option<Autoscale>,
    pub(crate) spin_before_park: u32,
    pub(crate) thread_name: String,
    pub(crate) drop_timeout: Duration,
    pub(crate) job_timing: bool,
    pub(crate) spill_after: Duration,
    /// The most jobs a worker takes at once (1..=`MAX_TAKE`).
    pub(crate) take_batch: usize,
    /// Priority levels (1..=`MAX_PRIORITIES`).
    pub(crate) priorities: usize,
    /// Queued jobs in cells that `Pool::cancel` can take back.
    pub(crate) cancellable: bool,
    /// Blocked callers run queued jobs as parked workers (`crate::help`).
    pub(crate) helping: bool,
}
