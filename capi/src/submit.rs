//! Submitting jobs: blocking, try, and with a timeout. A job is a
//! `uint64_t`; a refused job simply stays with the caller.

use crate::handle::{CPool, ringpool_pool, with_pool};
use crate::status::ringpool_status;
use ringpool::{JobId, SubmitError};
use std::time::Duration;

/// Runs one submit and reports it: the id into `*job_id` on success.
///
/// # Safety
///
/// `pool` NULL or live; `job_id` NULL or writable.
unsafe fn submit_with(
    pool: *const ringpool_pool,
    job_id: *mut u64,
    submit: impl FnOnce(&CPool) -> Result<JobId, SubmitError<u64>>,
) -> ringpool_status {
    let body = |handle: &ringpool_pool| {
        if job_id.is_null() {
            return ringpool_status::NullArgument;
        }
        match submit(&handle.pool) {
            Ok(id) => {
                // SAFETY: not NULL; the caller promised it is writable.
                unsafe { job_id.write(id) };
                ringpool_status::Ok
            }
            Err(error) => ringpool_status::from(&error),
        }
    };
    // SAFETY: forwarded from this function's contract.
    unsafe { with_pool(pool, body) }
}

/// Queues `job`, waiting while the queue is full,
/// and writes its id (from 1) to `*job_id`.
///
/// Returns OK; NULL_ARGUMENT when `pool` or `job_id` is NULL; CLOSED after
/// ringpool_close or ringpool_stop_now (also when the pool closes while
/// this call waits). A refused job was not taken.
///
/// Thread safety: any thread, concurrently with every call but
/// ringpool_destroy. From inside this pool's own handler it does not wait
/// for room (if every worker waited, none would be left to make room): it
/// returns FULL when the queue is full there, as ringpool_try_submit.
///
/// # Safety
///
/// `pool` must be NULL or a live handle; `job_id` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ringpool_submit(
    pool: *const ringpool_pool,
    job: u64,
    job_id: *mut u64,
) -> ringpool_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { submit_with(pool, job_id, |p| p.submit(job)) }
}

/// Queues `job` only if there is room now; writes its id to `*job_id`.
///
/// Returns OK; FULL when the queue is full now;
/// CLOSED; NULL_ARGUMENT. A refused job was not taken.
///
/// Thread safety: any thread, concurrently with every call but
/// ringpool_destroy (from the handler too); never blocks.
///
/// # Safety
///
/// `pool` must be NULL or a live handle; `job_id` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ringpool_try_submit(
    pool: *const ringpool_pool,
    job: u64,
    job_id: *mut u64,
) -> ringpool_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { submit_with(pool, job_id, |p| p.try_submit(job)) }
}

/// Queues `job`, waiting at most `timeout_ms` milliseconds for room;
/// writes its id to `*job_id`. Any value is safe: UINT64_MAX waits with no
/// deadline, like ringpool_submit (so, from the pool's own handler, not at
/// all: FULL).
///
/// Returns OK; TIMEOUT when there was no room in time; CLOSED;
/// NULL_ARGUMENT. A refused job was not taken.
///
/// Thread safety: any thread, concurrently with every call but
/// ringpool_destroy (from the handler too: it waits at most `timeout_ms`,
/// and UINT64_MAX there means no wait, as ringpool_submit).
///
/// # Safety
///
/// `pool` must be NULL or a live handle; `job_id` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ringpool_submit_timeout(
    pool: *const ringpool_pool,
    job: u64,
    timeout_ms: u64,
    job_id: *mut u64,
) -> ringpool_status {
    let timeout = Duration::from_millis(timeout_ms);
    // SAFETY: forwarded from this function's contract.
    unsafe { submit_with(pool, job_id, |p| p.submit_timeout(job, timeout)) }
}
