//! The handle, [`ringpool_pool`]: creating it, borrowing it inside the
//! other exports, and destroying it.

use crate::guard::guard;
use crate::handler::{CHandler, Done, Failed, inside_handler_of, ringpool_handler};
use crate::status::ringpool_status;
use ringpool::{Builder, JobContext, Pool, Results};
use std::collections::VecDeque;
use std::ffi::c_void;
use std::sync::Mutex;

/// The std pool as the C library instantiates it: `uint64_t` jobs.
pub type CPool = Pool<u64, Done, Failed>;

/// A worker pool. Opaque: create it with ringpool_create, free it with
/// ringpool_destroy.
pub struct ringpool_pool {
    /// The pool itself.
    pub(crate) pool: CPool,
    /// The one receiver every ringpool_recv call drains through, held for
    /// the handle's life.
    pub(crate) results: Results<u64, Done, Failed>,
    /// Jobs taken back by ringpool_stop_now and not yet handed to the caller.
    pub(crate) unstarted: Mutex<VecDeque<(u64, u64)>>,
    /// Expired jobs taken from the pool by ringpool_take_expired and not
    /// yet handed to the caller.
    pub(crate) expired: Mutex<VecDeque<(u64, u64)>>,
    /// Recognises calls made from inside this pool's handler.
    pub(crate) token: u64,
}

impl ringpool_pool {
    /// Whether the current thread is inside this pool's handler.
    pub(crate) fn in_own_handler(&self) -> bool {
        inside_handler_of(self.token)
    }
}

/// Borrows the handle behind `pool`, or reports `NullArgument`.
///
/// # Safety
///
/// `pool` must be NULL or a handle from ringpool_create that has not been
/// destroyed, and must stay so for `'a`.
pub(crate) unsafe fn borrow<'a>(
    pool: *const ringpool_pool,
) -> Result<&'a ringpool_pool, ringpool_status> {
    // SAFETY: the caller promises `pool` is NULL or a live handle; `as_ref`
    // handles NULL.
    unsafe { pool.as_ref() }.ok_or(ringpool_status::NullArgument)
}

/// Runs `body` on the handle behind `pool` inside the panic boundary.
///
/// # Safety
///
/// As [`borrow`]: `pool` is NULL or a live handle for the whole call.
pub(crate) unsafe fn with_pool(
    pool: *const ringpool_pool,
    body: impl FnOnce(&ringpool_pool) -> ringpool_status,
) -> ringpool_status {
    guard(|| {
        // SAFETY: forwarded from this function's contract.
        match unsafe { borrow(pool) } {
            Ok(handle) => body(handle),
            Err(status) => status,
        }
    })
}

/// Creates a pool of `workers` threads running `handler` over a queue of
/// `queue_capacity` jobs, and stores its handle in `*out`.
///
/// Results are kept until drained (ringpool_recv and friends): the first
/// `queue_capacity + workers` in a lock-free ring. When it is full, a
/// worker waits up to 10 ms for a receive to make room (so a caller that
/// keeps receiving bounds the backlog, and submits feel the backpressure);
/// if none comes, results spill into a buffer that grows as needed. So
/// submitting everything before receiving anything works, never deadlocks,
/// and costs the undrained backlog in memory.
///
/// Returns OK; NULL_ARGUMENT when `out` or `handler` is NULL; ZERO_WORKERS;
/// TOO_MANY_WORKERS above 65 536 workers; ZERO_CAPACITY; CAPACITY_TOO_LARGE;
/// OUT_OF_MEMORY when the queue or result ring, though within the limits,
/// is too large to allocate on this machine (never an abort); SPAWN_FAILED.
/// On failure `*out` is set to NULL (when `out` is not NULL) and nothing is
/// left running.
///
/// Thread safety: may be called from any thread. The handler is then
/// called on the worker threads, concurrently, with `user` (see
/// ringpool_handler): `user` must stay valid until ringpool_destroy returns.
///
/// # Safety
///
/// `out` must be NULL or valid for writing a pointer; `handler` must be a
/// function of the documented type that is safe to call from any thread
/// with `user`, until ringpool_destroy of this pool returns.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ringpool_create(
    workers: usize,
    queue_capacity: usize,
    handler: ringpool_handler,
    user: *mut c_void,
    out: *mut *mut ringpool_pool,
) -> ringpool_status {
    let configure = |builder: Builder| builder.workers(workers).queue_capacity(queue_capacity);
    // SAFETY: forwarded from this function's contract.
    unsafe { create(configure, handler, user, out) }
}

/// ringpool_create's body, with the builder's settings from `configure`
/// (also used by ringpool_create_with).
///
/// # Safety
///
/// As ringpool_create.
pub(crate) unsafe fn create(
    configure: impl FnOnce(Builder) -> Builder,
    handler: ringpool_handler,
    user: *mut c_void,
    out: *mut *mut ringpool_pool,
) -> ringpool_status {
    guard(|| {
        if out.is_null() {
            return ringpool_status::NullArgument;
        }
        // SAFETY: `out` is not NULL and the caller promised it is writable.
        unsafe { out.write(std::ptr::null_mut()) };
        let Some(function) = handler else {
            return ringpool_status::NullArgument;
        };
        let c_handler = CHandler::new(function, user);
        let built = configure(Pool::builder())
            .thread_name("ringpool-c-worker")
            .build_fallible(move |ctx: JobContext, job: u64| {
                let context = crate::handler::ringpool_job_context {
                    worker_id: ctx.worker_id,
                    job_id: ctx.job_id,
                };
                c_handler.call(context, job)
            });
        let pool = match built {
            Ok(pool) => pool,
            Err(error) => return ringpool_status::from(&error),
        };
        let Some(results) = pool.results() else {
            // Not reachable: the builder collects results unless told not to.
            return ringpool_status::Panic;
        };
        let handle = Box::new(ringpool_pool {
            pool,
            results,
            unstarted: Mutex::new(VecDeque::new()),
            expired: Mutex::new(VecDeque::new()),
            token: c_handler.token(),
        });
        // SAFETY: as above; the caller now owns the handle.
        unsafe { out.write(Box::into_raw(handle)) };
        ringpool_status::Ok
    })
}

/// Destroys a pool: closes it (no new job is accepted), lets every job
/// already accepted run to completion (queued ones included: call
/// ringpool_stop_now first to take those back instead), joins every worker
/// thread, then frees the handle; results not yet drained are discarded.
/// It blocks until all of that is done, so once it returns the handler is
/// never called again and `user` may be freed.
///
/// `ringpool_destroy(NULL)` does nothing and returns OK. Returns
/// WOULD_DEADLOCK, destroying nothing, when called from this pool's own
/// handler.
///
/// Thread safety: call it exactly once per handle, after every other call
/// on the handle (from any thread) has returned; no call may use the handle
/// afterwards. A second destroy of the same handle, or any use after
/// destroy, is undefined behaviour, as with free().
///
/// # Safety
///
/// `pool` must be NULL or a live handle from ringpool_create that no other
/// thread is using and that is not used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ringpool_destroy(pool: *mut ringpool_pool) -> ringpool_status {
    guard(|| {
        if pool.is_null() {
            return ringpool_status::Ok;
        }
        // SAFETY: not NULL, and the caller promised a live handle.
        if unsafe { &*pool }.in_own_handler() {
            return ringpool_status::WouldDeadlock;
        }
        // SAFETY: the handle came from Box::into_raw in ringpool_create and
        // the caller gives up every other use of it.
        let handle = unsafe { Box::from_raw(pool) };
        let ringpool_pool { pool, results, .. } = *handle;
        pool.shutdown();
        drop(results);
        ringpool_status::Ok
    })
}

/// Locks, ignoring poison (the stash stays consistent: it is only pushed
/// to and drained).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
