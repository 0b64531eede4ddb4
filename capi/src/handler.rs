//! The C handler: its type, the context it receives, and the Rust closure
//! that calls it on the worker threads.

use std::cell::Cell;
use std::ffi::c_void;
use std::sync::atomic::{AtomicU64, Ordering};

/// What the handler learns about the job it runs.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ringpool_job_context {
    /// The worker running the job, from 1 (as in "Worker 1 started job 1").
    pub worker_id: usize,
    /// The job's id, as returned by its submit (from 1, unique in the pool).
    pub job_id: u64,
}

/// The function every job runs through. `user` is the pointer given to
/// ringpool_create; `job` the submitted payload; `value` points at a
/// zeroed `uint64_t` that becomes the result's `value`. Return 0 for
/// success; any other value marks the job failed
/// (`RINGPOOL_STATUS_JOB_FAILED`) and becomes the result's `error_code`.
///
/// It is called on the pool's worker threads, several at once: whatever it
/// touches through `user` must be thread-safe. It must return normally (no
/// longjmp out of it, no C++ exception through it). It may call any
/// ringpool function on its own pool; none can hang there:
/// - ringpool_try_submit, ringpool_submit_timeout, ringpool_try_recv,
///   ringpool_close, ringpool_stop_now, ringpool_resize,
///   ringpool_metrics_snapshot: work as anywhere;
/// - ringpool_submit: does not wait for room; FULL when the queue is full
///   (if every worker waited, none would be left to make room);
/// - ringpool_recv, ringpool_recv_timeout: a ready result, else
///   `RINGPOOL_STATUS_WOULD_DEADLOCK` without waiting (so a handler that
///   closes its pool and drains the results gets those ready so far);
/// - ringpool_wait, ringpool_wait_timeout, ringpool_destroy:
///   `RINGPOOL_STATUS_WOULD_DEADLOCK`, nothing done.
pub type ringpool_handler = Option<
    unsafe extern "C" fn(
        user: *mut c_void,
        context: ringpool_job_context,
        job: u64,
        value: *mut u64,
    ) -> i32,
>;

/// A finished job, as the pool stores it: the payload and the handler's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Done {
    /// The job's payload.
    pub job: u64,
    /// What the handler wrote to `*value`.
    pub value: u64,
}

/// A failed job: the payload, the handler's value and its non-zero return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failed {
    /// The job's payload.
    pub job: u64,
    /// What the handler wrote to `*value`.
    pub value: u64,
    /// The handler's return value (never 0).
    pub code: i32,
}

/// The C handler and its user pointer, movable to the worker threads.
#[derive(Clone, Copy)]
pub struct CHandler {
    function: unsafe extern "C" fn(*mut c_void, ringpool_job_context, u64, *mut u64) -> i32,
    user: *mut c_void,
    token: u64,
}

// SAFETY: the pointer is only handed back to the C handler, and
// ringpool_create's contract (see `ringpool_handler`) makes the C side
// responsible for the handler and `user` being usable from any thread.
unsafe impl Send for CHandler {}
// SAFETY: as for Send; the handler is documented to run concurrently.
unsafe impl Sync for CHandler {}

/// Source of pool tokens (0 means "no pool").
static NEXT_TOKEN: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// The token of the pool whose handler this thread is running, or 0.
    static RUNNING: Cell<u64> = const { Cell::new(0) };
}

impl CHandler {
    /// Wraps `function` and `user` with a fresh pool token.
    pub fn new(
        function: unsafe extern "C" fn(*mut c_void, ringpool_job_context, u64, *mut u64) -> i32,
        user: *mut c_void,
    ) -> Self {
        Self {
            function,
            user,
            token: NEXT_TOKEN.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// This pool's token, to recognise calls from inside its handler.
    pub fn token(&self) -> u64 {
        self.token
    }

    /// Runs the C handler for one job (on a worker thread).
    pub fn call(&self, context: ringpool_job_context, job: u64) -> Result<Done, Failed> {
        let mut value = 0u64;
        let previous = RUNNING.replace(self.token);
        // SAFETY: ringpool_create's caller promised that `function` is a
        // valid handler that may be called from any thread with `user`;
        // `value` is a live, writable u64 for the whole call.
        let code = unsafe { (self.function)(self.user, context, job, &mut value) };
        RUNNING.set(previous);
        if code == 0 {
            Ok(Done { job, value })
        } else {
            Err(Failed { job, value, code })
        }
    }
}

/// Whether the current thread is running the handler of the pool with `token`.
pub fn inside_handler_of(token: u64) -> bool {
    RUNNING.get() == token
}
