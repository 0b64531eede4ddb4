//! Closing, waiting, stopping now and resizing.

use crate::handle::{lock, ringpool_pool, with_pool};
use crate::status::ringpool_status;
use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

/// A job handed back by ringpool_stop_now, never started.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ringpool_unstarted {
    /// The id its submit returned.
    pub job_id: u64,
    /// Its payload.
    pub job: u64,
}

/// Stops accepting jobs (Go's `close(jobs)`): every later submit returns
/// CLOSED; every job accepted before still runs and its result can still
/// be drained; the receive calls return CLOSED once all are drained.
/// Idempotent.
///
/// Returns OK; NULL_ARGUMENT.
///
/// Thread safety: any thread, concurrently with every call but
/// ringpool_destroy (from the handler too); never blocks.
///
/// # Safety
///
/// `pool` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ringpool_close(pool: *const ringpool_pool) -> ringpool_status {
    let body = |handle: &ringpool_pool| {
        handle.pool.close();
        ringpool_status::Ok
    };
    // SAFETY: forwarded from this function's contract.
    unsafe { with_pool(pool, body) }
}

/// Blocks until every job accepted before the call has finished (Go's
/// `WaitGroup.Wait`); it does not close the pool, and does not wait for
/// the results to be drained. Jobs submitted while it waits do not keep it
/// waiting (its first look closes the current batch; later jobs count in
/// the next), so it returns under sustained load too.
///
/// Returns OK; WOULD_DEADLOCK from this pool's own handler; NULL_ARGUMENT.
///
/// Thread safety: any thread, concurrently with every call but
/// ringpool_destroy.
///
/// # Safety
///
/// `pool` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ringpool_wait(pool: *const ringpool_pool) -> ringpool_status {
    let body = |handle: &ringpool_pool| {
        if handle.in_own_handler() {
            return ringpool_status::WouldDeadlock;
        }
        match handle.pool.wait() {
            Ok(()) => ringpool_status::Ok,
            Err(error) => ringpool_status::from(error),
        }
    };
    // SAFETY: forwarded from this function's contract.
    unsafe { with_pool(pool, body) }
}

/// As ringpool_wait, for at most `timeout_ms` milliseconds (any value:
/// UINT64_MAX waits with no deadline, like ringpool_wait).
///
/// Returns OK; TIMEOUT when jobs were still unfinished; WOULD_DEADLOCK
/// from this pool's own handler; NULL_ARGUMENT.
///
/// Thread safety: as ringpool_wait.
///
/// # Safety
///
/// `pool` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ringpool_wait_timeout(
    pool: *const ringpool_pool,
    timeout_ms: u64,
) -> ringpool_status {
    let body = |handle: &ringpool_pool| {
        if handle.in_own_handler() {
            return ringpool_status::WouldDeadlock;
        }
        match handle.pool.wait_timeout(Duration::from_millis(timeout_ms)) {
            Ok(()) => ringpool_status::Ok,
            Err(error) => ringpool_status::from(error),
        }
    };
    // SAFETY: forwarded from this function's contract.
    unsafe { with_pool(pool, body) }
}

/// Closes the pool and hands back the jobs not yet started, in queue
/// order: up to `capacity` of them into `out[0..]`, their number into
/// `*written`. Jobs already running finish normally (their results can be
/// drained); the handed-back jobs never run and give no result.
///
/// Returns OK when every unstarted job has been handed back; MORE when
/// `out` was filled and more remain (they are kept: call again, with the
/// same or a larger buffer, until OK; none is lost or handed back twice);
/// NULL_ARGUMENT when `pool` or `written` is NULL, or `out` is NULL with a
/// non-zero `capacity`. `capacity` 0 with `out` NULL just stops the pool
/// and reports MORE if any job is waiting to be handed back.
///
/// Thread safety: any thread, concurrently with every call but
/// ringpool_destroy (from the handler too); concurrent calls split the
/// unstarted jobs between them. Never blocks on jobs.
///
/// # Safety
///
/// `pool` must be NULL or a live handle; `written` NULL or writable; `out`
/// NULL or valid for writing `capacity` elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ringpool_stop_now(
    pool: *const ringpool_pool,
    out: *mut ringpool_unstarted,
    capacity: usize,
    written: *mut usize,
) -> ringpool_status {
    let body = |handle: &ringpool_pool| {
        // SAFETY: forwarded from this function's contract.
        unsafe {
            hand_out(
                &handle.unstarted,
                || handle.pool.stop_now(),
                out,
                capacity,
                written,
            )
        }
    };
    // SAFETY: forwarded from this function's contract.
    unsafe { with_pool(pool, body) }
}

/// Hands jobs back to C through a stash: moves what `take` returns into
/// `stash`, then as many as fit from the stash's front into
/// `out[0..capacity]`, their number into `*written`; OK once the stash is
/// empty, MORE while jobs remain in it (kept for the next call, none lost
/// or handed out twice). The body of ringpool_stop_now and
/// ringpool_take_expired.
///
/// # Safety
///
/// `written` NULL or writable; `out` NULL or valid for writing `capacity`
/// elements.
pub(crate) unsafe fn hand_out(
    stash: &Mutex<VecDeque<(u64, u64)>>,
    take: impl FnOnce() -> Vec<(u64, u64)>,
    out: *mut ringpool_unstarted,
    capacity: usize,
    written: *mut usize,
) -> ringpool_status {
    if written.is_null() || (out.is_null() && capacity != 0) {
        return ringpool_status::NullArgument;
    }
    let mut stash = lock(stash);
    stash.extend(take());
    let count = capacity.min(stash.len());
    for (index, (job_id, job)) in stash.drain(..count).enumerate() {
        // SAFETY: index < count <= capacity, and the caller promised `out`
        // is writable for `capacity` elements.
        unsafe { out.add(index).write(ringpool_unstarted { job_id, job }) };
    }
    // SAFETY: not NULL; the caller promised it is writable.
    unsafe { written.write(count) };
    if stash.is_empty() {
        ringpool_status::Ok
    } else {
        ringpool_status::More
    }
}

/// Changes the number of workers to `workers`: new workers start at once;
/// surplus workers retire after their current job (or at once when idle).
/// No job is lost or run twice.
///
/// Returns OK; ZERO_WORKERS; TOO_MANY_WORKERS above the pool's maximum (the
/// larger of the initial worker count and 1024); SPAWN_FAILED (the workers
/// that did start keep running); CLOSED after ringpool_close;
/// NULL_ARGUMENT.
///
/// Thread safety: any thread, concurrently with every call but
/// ringpool_destroy (from the handler too).
///
/// # Safety
///
/// `pool` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ringpool_resize(
    pool: *const ringpool_pool,
    workers: usize,
) -> ringpool_status {
    let body = |handle: &ringpool_pool| {
        if handle.pool.is_closed() {
            return ringpool_status::Closed;
        }
        match handle.pool.resize(workers) {
            Ok(()) => ringpool_status::Ok,
            Err(error) => ringpool_status::from(&error),
        }
    };
    // SAFETY: forwarded from this function's contract.
    unsafe { with_pool(pool, body) }
}
