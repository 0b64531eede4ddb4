//! A metrics snapshot in C structs.

use crate::handle::{ringpool_pool, with_pool};
use crate::results::nanos;
use crate::status::ringpool_status;
use ringpool::HistogramSnapshot;

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
    /// Submits refused (full, closed, timed out).
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
    /// Jobs in the queue now.
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
        let m = handle.pool.metrics();
        let snapshot = ringpool_metrics {
            submitted: m.submitted,
            rejected: m.rejected,
            started: m.started,
            succeeded: m.succeeded,
            failed: m.failed,
            panicked: m.panicked,
            cancelled: m.cancelled,
            queue_depth: m.queue_depth,
            queue_capacity: m.queue_capacity,
            workers: m.workers,
            busy_workers: m.busy_workers,
            idle_workers: m.idle_workers,
            results_pending: m.results_pending,
            queue_wait: (&m.queue_wait).into(),
            run_time: (&m.run_time).into(),
        };
        // SAFETY: not NULL; the caller promised it is writable.
        unsafe { out.write(snapshot) };
        ringpool_status::Ok
    };
    // SAFETY: forwarded from this function's contract.
    unsafe { with_pool(pool, body) }
}
