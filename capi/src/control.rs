//! Control (the levels and cells are set up by ringpool_create_with in
//! `options`): priority levels, queue deadlines, cancelling, pause and
//! resume, and the expired jobs handed back (see the std pool's
//! `Pool::submit_with_options`, `Pool::cancel`, `Pool::pause`,
//! `Pool::take_expired`).

use crate::handle::{ringpool_pool, with_pool};
use crate::handler::ringpool_job_context;
use crate::lifecycle::{hand_out, ringpool_unstarted};
use crate::status::ringpool_status;
use ringpool::{CancelOutcome, JobContext, JobOptions, SubmitError};
use std::time::Duration;

/// Per-job options for ringpool_submit_with_options.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ringpool_job_options {
    /// The level to queue at, `0..priorities` (0 is the lowest and where
    /// ringpool_submit queues); higher levels are taken first.
    pub priority: usize,
    /// A queue deadline in nanoseconds from the submit call; 0 means none.
    /// A worker that takes the job after it does not run it: its result has
    /// status JOB_EXPIRED and the job comes back from ringpool_take_expired.
    pub deadline_ns: u64,
}

impl ringpool_job_options {
    fn to_rust(self) -> JobOptions {
        let options = JobOptions::new().priority(self.priority);
        match self.deadline_ns {
            0 => options,
            ns => options.deadline_in(Duration::from_nanos(ns)),
        }
    }
}

/// What ringpool_cancel did.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ringpool_cancel_outcome {
    /// The job had not started: it will not run and gives no result; its
    /// payload was written to `*job`.
    Cancelled = 0,
    /// The job had started: it runs to its end; ringpool_is_cancelled now
    /// says 1 for it inside its handler.
    Started = 1,
    /// No queued or running job has this id (finished, expired, cancelled
    /// or handed back already, never accepted, or its submit has not
    /// returned yet).
    NotFound = 2,
    /// The pool was not created cancellable: nothing was done.
    NotCancellable = 3,
}

/// Cancels job `job_id`: takes it back if it has not started, or flags it
/// if it is running (cooperative: see ringpool_is_cancelled). The race with
/// a worker taking the same job is decided exactly once. Writes what
/// happened to `*outcome`, and on CANCELLED the job's payload to `*job`.
///
/// Returns OK; NULL_ARGUMENT when `pool`, `job` or `outcome` is NULL.
///
/// Thread safety: any thread (from the handler too); never blocks. Costs a
/// scan of the pool's job cells.
///
/// # Safety
///
/// `pool` must be NULL or a live handle; `job` and `outcome` NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ringpool_cancel(
    pool: *const ringpool_pool,
    job_id: u64,
    job: *mut u64,
    outcome: *mut ringpool_cancel_outcome,
) -> ringpool_status {
    let body = |handle: &ringpool_pool| {
        if job.is_null() || outcome.is_null() {
            return ringpool_status::NullArgument;
        }
        let what = match handle.pool.cancel(job_id) {
            CancelOutcome::Cancelled(payload) => {
                // SAFETY: not NULL; the caller promised it is writable.
                unsafe { job.write(payload) };
                ringpool_cancel_outcome::Cancelled
            }
            CancelOutcome::Started => ringpool_cancel_outcome::Started,
            CancelOutcome::NotFound => ringpool_cancel_outcome::NotFound,
            CancelOutcome::NotCancellable => ringpool_cancel_outcome::NotCancellable,
        };
        // SAFETY: not NULL; the caller promised it is writable.
        unsafe { outcome.write(what) };
        ringpool_status::Ok
    };
    // SAFETY: forwarded from this function's contract.
    unsafe { with_pool(pool, body) }
}

/// 1 if ringpool_cancel was called for the job `context` describes after
/// it started, else 0. Call it from the handler running that job, with the
/// context the handler was given (elsewhere it returns 0).
///
/// Thread safety: the handler's thread; never blocks.
#[unsafe(no_mangle)]
pub extern "C" fn ringpool_is_cancelled(context: ringpool_job_context) -> i32 {
    let context = JobContext {
        worker_id: context.worker_id,
        job_id: context.job_id,
    };
    i32::from(context.is_cancelled())
}

/// Runs one submit with options and writes the id on success.
///
/// # Safety
///
/// `pool` NULL or live; `options` NULL or readable; `job_id` NULL or writable.
unsafe fn submit_options(
    pool: *const ringpool_pool,
    job: u64,
    options: *const ringpool_job_options,
    job_id: *mut u64,
    wait: bool,
) -> ringpool_status {
    let body = |handle: &ringpool_pool| {
        if job_id.is_null() {
            return ringpool_status::NullArgument;
        }
        // SAFETY: the caller promised `options` is NULL or readable.
        let Some(options) = (unsafe { options.as_ref() }) else {
            return ringpool_status::NullArgument;
        };
        let options = options.to_rust();
        let submitted = if wait {
            handle.pool.submit_with_options(job, options)
        } else {
            handle.pool.try_submit_with_options(job, options)
        };
        match submitted {
            Ok(id) => {
                // SAFETY: not NULL; the caller promised it is writable.
                unsafe { job_id.write(id) };
                ringpool_status::Ok
            }
            Err(error) => ringpool_status::from(&error as &SubmitError<u64>),
        }
    };
    // SAFETY: forwarded from this function's contract.
    unsafe { with_pool(pool, body) }
}

/// Queues `job` at `options->priority` with `options->deadline_ns`, waiting
/// while that level is full, and writes its id to `*job_id`.
///
/// Returns OK; NO_SUCH_PRIORITY for a level the pool does not have;
/// CLOSED; FULL from inside the pool's own handler when the level is full
/// (as ringpool_submit); NULL_ARGUMENT when `pool`, `options` or `job_id`
/// is NULL. A refused job was not taken.
///
/// Thread safety: as ringpool_submit.
///
/// # Safety
///
/// `pool` must be NULL or a live handle; `options` NULL or readable;
/// `job_id` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ringpool_submit_with_options(
    pool: *const ringpool_pool,
    job: u64,
    options: *const ringpool_job_options,
    job_id: *mut u64,
) -> ringpool_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { submit_options(pool, job, options, job_id, true) }
}

/// As ringpool_submit_with_options, only if the level has room now: FULL
/// otherwise. Never blocks.
///
/// # Safety
///
/// As ringpool_submit_with_options.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ringpool_try_submit_with_options(
    pool: *const ringpool_pool,
    job: u64,
    options: *const ringpool_job_options,
    job_id: *mut u64,
) -> ringpool_status {
    // SAFETY: forwarded from this function's contract.
    unsafe { submit_options(pool, job, options, job_id, false) }
}

/// Stops workers taking jobs: running jobs finish, queued jobs stay,
/// submits still queue, ringpool_wait does not return while jobs are
/// queued, idle workers sleep. ringpool_stop_now still hands the queued
/// jobs back; ringpool_destroy resumes first (it runs every queued job).
///
/// Returns OK; NULL_ARGUMENT.
///
/// Thread safety: any thread (from the handler too).
///
/// # Safety
///
/// `pool` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ringpool_pause(pool: *const ringpool_pool) -> ringpool_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        with_pool(pool, |handle| {
            handle.pool.pause();
            ringpool_status::Ok
        })
    }
}

/// Lets workers take jobs again after ringpool_pause.
///
/// Returns OK; NULL_ARGUMENT.
///
/// Thread safety: any thread (from the handler too).
///
/// # Safety
///
/// `pool` must be NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ringpool_resume(pool: *const ringpool_pool) -> ringpool_status {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        with_pool(pool, |handle| {
            handle.pool.resume();
            ringpool_status::Ok
        })
    }
}

/// Hands back jobs that expired (not run: their deadline had passed when a
/// worker took them), oldest first: up to `capacity` into `out[0..]`,
/// their number into `*written`.
///
/// Returns OK when every expired job so far was handed back; MORE when
/// `out` was filled and more remain (call again; none is lost or handed
/// back twice); NULL_ARGUMENT when `pool` or `written` is NULL, or `out` is
/// NULL with a non-zero `capacity`.
///
/// Thread safety: any thread (from the handler too); concurrent calls split
/// the jobs between them. Never blocks on jobs.
///
/// # Safety
///
/// `pool` must be NULL or a live handle; `written` NULL or writable; `out`
/// NULL or valid for writing `capacity` elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ringpool_take_expired(
    pool: *const ringpool_pool,
    out: *mut ringpool_unstarted,
    capacity: usize,
    written: *mut usize,
) -> ringpool_status {
    let body = |handle: &ringpool_pool| {
        // SAFETY: forwarded from this function's contract.
        unsafe {
            hand_out(
                &handle.expired,
                || handle.pool.take_expired(),
                out,
                capacity,
                written,
            )
        }
    };
    // SAFETY: forwarded from this function's contract.
    unsafe { with_pool(pool, body) }
}
