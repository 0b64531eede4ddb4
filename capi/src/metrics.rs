//! A metrics snapshot in C structs.

use crate::handle::{ringpool_pool, with_pool};
use crate::results::nanos;
use crate::status::ringpool_status;
use ringpool::{HistogramSnapshot, MetricsSnapshot};

/// A latency histogram, summarised. Quantiles are bucket upper edges, at
/// most 25% above the true value; all zero when nothing was recorded.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ringpool_histogram {
    /// Durations recorded.
    pub count: u64,
    /// Mean, in nanoseconds.
    pub mean_ns: u64,
    /// Median, in nanoseconds.
    pub p50_ns: u64,
    /// 90th percentile, in nanoseconds.
    pub p90_ns: u64,
    /// 99th percentile, in nanoseconds.
    pub p99_ns: u64,
    /// Largest, in nanoseconds (its bucket's upper edge).
    pub max_ns: u64,
}

impl From<&HistogramSnapshot> for ringpool_histogram {
    fn from(h: &HistogramSnapshot) -> Self {
        Self {
            count: h.count(),
            mean_ns: nanos(h.mean()),
            p50_ns: nanos(h.p50()),
            p90_ns: nanos(h.p90()),
            p99_ns: nanos(h.p99()),
            max_ns: nanos(h.max()),
        }
    }
}

/// A pool's counters, gauges and histograms at one moment (each figure is
/// exact; under load they are not all read at the same instant).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ringpool_metrics {
    /// Jobs accepted by a submit.
    pub submitted: u64,
    /// Submits refused, none of those jobs taken: FULL (ringpool_try_submit,
    /// or ringpool_submit from inside the pool's own handler), CLOSED, or
    /// TIMEOUT (ringpool_submit_timeout). Calls refused for a NULL argument
    /// are not counted.
    pub rejected: u64,
    /// Jobs a worker took from the queue.
    pub started: u64,
    /// Jobs whose handler returned 0.
    pub succeeded: u64,
    /// Jobs whose handler returned non-zero.
    pub failed: u64,
    /// Jobs that panicked inside the library (should stay 0).
    pub panicked: u64,
    /// Jobs handed back unstarted by ringpool_stop_now.
    pub cancelled: u64,
    /// Jobs not run because their deadline had passed when a worker took
    /// them (result status JOB_EXPIRED; the jobs come back from
    /// ringpool_take_expired). Not counted in `started`.
    pub expired: u64,
    /// The pool's priority levels (1 unless set with ringpool_create_with).
    pub priorities: usize,
    /// Jobs queued now at each level (index = priority; unused levels 0).
    pub level_depths: [usize; 8],
    /// 1 while takes are paused (ringpool_pause), else 0.
    pub paused: u8,
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
    /// went to the growable spill buffer instead (see ringpool_create).
    /// Zero while receivers keep up.
    pub results_spilled: u64,
    /// Time from submit until a worker took the job.
    pub queue_wait: ringpool_histogram,
    /// Time the handler ran.
    pub run_time: ringpool_histogram,
}

/// Writes a snapshot of the pool's metrics to `*out`.
///
/// Returns OK; NULL_ARGUMENT when `pool` or `out` is NULL.
///
/// Thread safety: any thread, concurrently with every call but
/// ringpool_destroy (from the handler too); never blocks on jobs.
///
/// # Safety
///
/// `pool` must be NULL or a live handle; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ringpool_metrics_snapshot(
    pool: *const ringpool_pool,
    out: *mut ringpool_metrics,
) -> ringpool_status {
    let body = |handle: &ringpool_pool| {
        if out.is_null() {
            return ringpool_status::NullArgument;
        }
        // Every field named, no `..`: a figure added to the Rust snapshot
        // fails this build until the C struct carries it too.
        let MetricsSnapshot {
            submitted,
            rejected,
            started,
            succeeded,
            failed,
            panicked,
            cancelled,
            expired,
            priorities,
            level_depths,
            paused,
            queue_depth,
            queue_capacity,
            workers,
            busy_workers,
            idle_workers,
            results_pending,
            results_spilled,
            queue_wait,
            run_time,
        } = handle.pool.metrics();
        let snapshot = ringpool_metrics {
            submitted,
            rejected,
            started,
            succeeded,
            failed,
            panicked,
            cancelled,
            expired,
            priorities,
            level_depths,
            paused: u8::from(paused),
            queue_depth,
            queue_capacity,
            workers,
            busy_workers,
            idle_workers,
            results_pending,
            results_spilled,
            queue_wait: (&queue_wait).into(),
            run_time: (&run_time).into(),
        };
        // SAFETY: not NULL; the caller promised it is writable.
        unsafe { out.write(snapshot) };
        ringpool_status::Ok
    };
    // SAFETY: forwarded from this function's contract.
    unsafe { with_pool(pool, body) }
}
