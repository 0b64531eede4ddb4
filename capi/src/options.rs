//! Creating a pool with options beyond ringpool_create's: the batched
//! take (`Builder::take_batch`), the helping wait (`Builder::helping`),
//! priority levels (`Builder::priorities`) and cancellable jobs
//! (`Builder::cancellable`).
//! Fill a [`ringpool_options`] with [`ringpool_options_default`], change
//! what you need, and pass it to [`ringpool_create_with`].

use crate::guard::guard;
use crate::handle::{create, ringpool_pool};
use crate::handler::ringpool_handler;
use crate::status::ringpool_status;
use std::ffi::{c_int, c_void};

/// The settings of ringpool_create_with. Always start from
/// ringpool_options_default: fields added in later versions then keep
/// their defaults.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ringpool_options {
    /// Worker threads (default: the machine's parallelism). 0 is refused
    /// with ZERO_WORKERS.
    pub workers: usize,
    /// Jobs the queue holds (default 1024). 0 is refused with
    /// ZERO_CAPACITY.
    pub queue_capacity: usize,
    /// The most jobs a worker takes at once when the queue is deep
    /// (default 1; values above 4 are taken as 4, 0 as 1). A batch's
    /// results are published after its last job; use it for short,
    /// independent jobs.
    pub take_batch: usize,
    /// Non-zero: the helping wait. A thread blocked in ringpool_recv,
    /// ringpool_recv_timeout, ringpool_wait, ringpool_wait_timeout or a
    /// blocking submit on a full queue, that finds a job queued and a
    /// worker parked, runs that job itself under the parked worker's id:
    /// the handler may then run on the caller's thread (it must not take a
    /// lock the caller holds while it waits), and a timed call may return
    /// later than its timeout by that job's run time. Default 0 (off).
    pub helping: c_int,
    /// Priority levels, 1 to 8 (default 1); others are refused with
    /// BAD_PRIORITIES. Each level holds `queue_capacity` jobs; workers take
    /// the highest non-empty level first, FIFO within a level; every 8th
    /// take starts at a rotating level instead, so a waiting job at any
    /// level is taken within 8 * priorities takes per job ahead of it in
    /// its level. Submit to a level with ringpool_submit_with_options.
    pub priorities: usize,
    /// Non-zero: queued jobs can be taken back with ringpool_cancel (each
    /// job costs one more ring operation at submit and at take). Default 0.
    pub cancellable: c_int,
}

/// Writes the default options into `*options`.
///
/// Returns OK; NULL_ARGUMENT when `options` is NULL.
///
/// Thread safety: any thread.
///
/// # Safety
///
/// `options` must be NULL or valid for writing a ringpool_options.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ringpool_options_default(
    options: *mut ringpool_options,
) -> ringpool_status {
    guard(|| {
        if options.is_null() {
            return ringpool_status::NullArgument;
        }
        let defaults = ringpool_options {
            workers: std::thread::available_parallelism().map_or(1, |n| n.get()),
            queue_capacity: 1024,
            take_batch: 1,
            helping: 0,
            priorities: 1,
            cancellable: 0,
        };
        // SAFETY: not NULL; the caller promised it is writable.
        unsafe { options.write(defaults) };
        ringpool_status::Ok
    })
}

/// As ringpool_create, with the settings of `*options` (read during the
/// call only).
///
/// Returns as ringpool_create, NULL_ARGUMENT when `options` is NULL, and
/// BAD_PRIORITIES for `priorities` 0 or above 8.
///
/// Thread safety: as ringpool_create.
///
/// # Safety
///
/// `options` must be NULL or point at a readable ringpool_options; the
/// rest as ringpool_create.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ringpool_create_with(
    options: *const ringpool_options,
    handler: ringpool_handler,
    user: *mut c_void,
    out: *mut *mut ringpool_pool,
) -> ringpool_status {
    if options.is_null() {
        if !out.is_null() {
            // SAFETY: not NULL; the caller promised it is writable.
            unsafe { out.write(std::ptr::null_mut()) };
        }
        return ringpool_status::NullArgument;
    }
    // SAFETY: not NULL; the caller promised it is readable.
    let options = unsafe { options.read() };
    let configure = |builder: ringpool::Builder| {
        builder
            .workers(options.workers)
            .queue_capacity(options.queue_capacity)
            .take_batch(options.take_batch)
            .helping(options.helping != 0)
            .priorities(options.priorities)
            .cancellable(options.cancellable != 0)
    };
    // SAFETY: forwarded from this function's contract.
    unsafe { create(configure, handler, user, out) }
}
