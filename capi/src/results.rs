//! Draining results into a caller-provided [`ringpool_result`].

use crate::handle::{ringpool_pool, with_pool};
use crate::handler::{Done, Failed};
use crate::status::ringpool_status;
use ringpool::{JobError, JobResult, RecvError, Results};
use std::time::Duration;

/// One finished job, written by the receive calls.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ringpool_result {
    /// The job's id, as its submit returned it.
    pub job_id: u64,
    /// The job's payload, as submitted (0 when status is JOB_PANICKED or
    /// JOB_EXPIRED: an expired job comes back from ringpool_take_expired).
    pub job: u64,
    /// What the handler wrote to `*value` (also on failure).
    pub value: u64,
    /// Time from submit until a worker took the job, in nanoseconds.
    pub queue_wait_ns: u64,
    /// Time the handler ran, in nanoseconds.
    pub run_time_ns: u64,
    /// The worker that ran it, from 1.
    pub worker_id: usize,
    /// RINGPOOL_STATUS_OK, RINGPOOL_STATUS_JOB_FAILED,
    /// RINGPOOL_STATUS_JOB_PANICKED or RINGPOOL_STATUS_JOB_EXPIRED.
    pub status: ringpool_status,
    /// The handler's non-zero return when status is JOB_FAILED, else 0.
    pub error_code: i32,
}

/// Nanoseconds, saturating.
pub(crate) fn nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

impl From<JobResult<Done, Failed>> for ringpool_result {
    fn from(result: JobResult<Done, Failed>) -> Self {
        let status = match &result.outcome {
            Ok(_) => ringpool_status::Ok,
            Err(error) => ringpool_status::from(error),
        };
        let (job, value, error_code) = match result.outcome {
            Ok(Done { job, value }) => (job, value, 0),
            Err(JobError::Failed(Failed { job, value, code })) => (job, value, code),
            Err(JobError::Panicked(_) | JobError::Expired) => (0, 0, 0),
        };
        Self {
            job_id: result.job_id,
            job,
            value,
            queue_wait_ns: nanos(result.queue_wait),
            run_time_ns: nanos(result.run_time),
            worker_id: result.worker_id,
            status,
            error_code,
        }
    }
}

/// Runs one receive and writes its result to `*out` on success.
///
/// # Safety
///
/// `pool` NULL or live; `out` NULL or writable.
unsafe fn recv_with(
    pool: *const ringpool_pool,
    out: *mut ringpool_result,
    recv: impl FnOnce(&Results<u64, Done, Failed>) -> Result<JobResult<Done, Failed>, RecvError>,
) -> ringpool_status {
    let body = |handle: &ringpool_pool| {
        if out.is_null() {
            return ringpool_status::NullArgument;
        }
        match recv(&handle.results) {
            Ok(result) => {
                // SAFETY: not NULL; the caller promised it is writable.
                unsafe { out.write(ringpool_result::from(result)) };
                ringpool_status::Ok
            }
            Err(error) => ringpool_status::from(error),
        }
    };
    // SAFETY: forwarded from this function's contract.
    unsafe { with_pool(pool, body) }
}

/// Waits for the next result and writes it to `*out`.
///
/// Returns OK (a result was written; its own `status` says how the job
/// went); CLOSED when the pool is closed, every accepted job has finished
/// and every result was drained (the end of the stream: without a close it
/// waits for ever); NULL_ARGUMENT; WOULD_DEADLOCK, without waiting, when
/// called from this pool's own handler with no result ready (the stream
/// cannot end while the handler's own job runs, and the result it would
/// wait for may need the handler's worker).
///
/// Thread safety: any thread, concurrently with every call but
/// ringpool_destroy; each result goes to exactly one receive call. From
/// the pool's own handler it never waits.
///
/// # Safety
///
/// `pool` must be NULL or a live handle; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ringpool_recv(
    pool: *const ringpool_pool,
    out: *mut ringpool_result,
) -> ringpool_status {
    // SAFETY: forwarded from this function's contract.
    // `Duration::MAX` is no deadline: `recv`, but with its errors (from the
    // pool's own handler: WOULD_DEADLOCK rather than an end of stream).
    unsafe { recv_with(pool, out, |r| r.recv_timeout(Duration::MAX)) }
}

/// Writes the next result to `*out` if one is ready now.
///
/// Returns OK; EMPTY when none is ready yet; CLOSED at the end of the
/// stream (as ringpool_recv); NULL_ARGUMENT.
///
/// Thread safety: as ringpool_recv; never blocks, so it works from the
/// pool's own handler as anywhere.
///
/// # Safety
///
/// `pool` must be NULL or a live handle; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ringpool_try_recv(
    pool: *const ringpool_pool,
    out: *mut ringpool_result,
) -> ringpool_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { recv_with(pool, out, Results::try_recv) }
}

/// Waits at most `timeout_ms` milliseconds for the next result (any value:
/// UINT64_MAX waits with no deadline, like ringpool_recv).
///
/// Returns OK; TIMEOUT; CLOSED at the end of the stream; NULL_ARGUMENT;
/// WOULD_DEADLOCK, without waiting, from this pool's own handler with no
/// result ready (as ringpool_recv).
///
/// Thread safety: as ringpool_recv.
///
/// # Safety
///
/// `pool` must be NULL or a live handle; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ringpool_recv_timeout(
    pool: *const ringpool_pool,
    timeout_ms: u64,
    out: *mut ringpool_result,
) -> ringpool_status {
    let timeout = Duration::from_millis(timeout_ms);
    // SAFETY: forwarded from this function's contract.
    unsafe { recv_with(pool, out, |r| r.recv_timeout(timeout)) }
}
