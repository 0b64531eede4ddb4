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

/// Runs one batch submit and reports it: how many jobs were queued into
/// `*queued`, on success and on refusal alike.
///
/// # Safety
///
/// `pool` NULL or live; `jobs` NULL or `count` readable values; `queued`
/// NULL or writable.
unsafe fn submit_many_with(
    pool: *const ringpool_pool,
    jobs: *const u64,
    count: usize,
    queued: *mut usize,
    submit: impl FnOnce(
        &CPool,
        &mut std::iter::Copied<std::slice::Iter<'_, u64>>,
    ) -> Result<usize, SubmitError<usize>>,
) -> ringpool_status {
    let body = |handle: &ringpool_pool| {
        if queued.is_null() || (jobs.is_null() && count > 0) {
            return ringpool_status::NullArgument;
        }
        let jobs: &[u64] = if count == 0 {
            &[]
        } else {
            // SAFETY: not NULL, and the caller promised `count` readable
            // values there for the length of this call.
            unsafe { std::slice::from_raw_parts(jobs, count) }
        };
        let (done, status) = match submit(&handle.pool, &mut jobs.iter().copied()) {
            Ok(done) => (done, ringpool_status::Ok),
            Err(error) => {
                let status = ringpool_status::from(&error);
                (error.into_inner(), status)
            }
        };
        // SAFETY: not NULL; the caller promised it is writable.
        unsafe { queued.write(done) };
        status
    };
    // SAFETY: forwarded from this function's contract.
    unsafe { with_pool(pool, body) }
}

/// Queues `jobs[0..count]`, in order, waiting while the queue is full,
/// and writes how many were queued to `*queued` (on every status but
/// NULL_ARGUMENT and PANIC). Each chunk that fits is queued with one
/// admission and one batch push: cheaper per job than `count` calls of
/// ringpool_submit. The jobs' ids are those the results carry.
///
/// Returns OK (all `count` queued); NULL_ARGUMENT when `pool` or `queued`
/// is NULL, or `jobs` is NULL with `count` above 0; CLOSED after
/// ringpool_close or ringpool_stop_now: `jobs[*queued..count]` were not
/// taken. From inside this pool's own handler it does not wait for room:
/// FULL then, as ringpool_try_submit_many.
///
/// Thread safety: any thread, concurrently with every call but
/// ringpool_destroy.
///
/// # Safety
///
/// `pool` must be NULL or a live handle; `jobs` NULL or `count` readable
/// values; `queued` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ringpool_submit_many(
    pool: *const ringpool_pool,
    jobs: *const u64,
    count: usize,
    queued: *mut usize,
) -> ringpool_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { submit_many_with(pool, jobs, count, queued, |p, it| p.submit_many(it)) }
}

/// Queues jobs of `jobs[0..count]`, in order, while there is room now;
/// writes how many were queued to `*queued`. Never blocks.
///
/// Returns OK (all queued); FULL when the queue filled first; CLOSED;
/// NULL_ARGUMENT as ringpool_submit_many. `jobs[*queued..count]` were not
/// taken.
///
/// Thread safety: any thread, concurrently with every call but
/// ringpool_destroy (from the handler too).
///
/// # Safety
///
/// `pool` must be NULL or a live handle; `jobs` NULL or `count` readable
/// values; `queued` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ringpool_try_submit_many(
    pool: *const ringpool_pool,
    jobs: *const u64,
    count: usize,
    queued: *mut usize,
) -> ringpool_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { submit_many_with(pool, jobs, count, queued, |p, it| p.try_submit_many(it)) }
}
