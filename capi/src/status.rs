//! [`ringpool_status`]: the one code every function returns, and the
//! mapping from the std pool's errors to it.

use ringpool::{BuildError, JobError, RecvError, SubmitError, WaitError};
use std::ffi::c_char;

/// What a ringpool call did. Every function returns one of these;
/// `RINGPOOL_STATUS_OK` (zero) is success. `ringpool_status_str` names
/// each. New codes may be added at the end in later versions.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ringpool_status {
    /// Success.
    Ok = 0,
    /// A required pointer argument (handle, out-parameter, handler) was NULL.
    NullArgument = 1,
    /// ringpool_create or ringpool_resize with zero workers.
    ZeroWorkers = 2,
    /// ringpool_create with a queue capacity of zero.
    ZeroCapacity = 3,
    /// ringpool_create with a queue (or derived results) capacity above the
    /// largest the ring supports (2^31 on 64-bit targets, 2^15 on 32-bit).
    CapacityTooLarge = 4,
    /// ringpool_resize above the pool's maximum (the larger of the initial
    /// worker count and 1024).
    TooManyWorkers = 5,
    /// The operating system refused to start a worker thread.
    SpawnFailed = 6,
    /// ringpool_try_submit: the queue is full now; the job was not taken.
    Full = 7,
    /// A `_timeout` call's time ran out first (the job, if any, was not taken).
    Timeout = 8,
    /// Submit after ringpool_close (or stop-now): the job was not taken. From
    /// the receive calls: the pool is closed, every accepted job finished and
    /// every result was drained; no more results will come.
    Closed = 9,
    /// ringpool_try_recv: no result is ready now; more may come.
    Empty = 10,
    /// ringpool_stop_now filled the caller's buffer and more unstarted jobs
    /// remain; call it again for the rest.
    More = 11,
    /// ringpool_wait, ringpool_wait_timeout or ringpool_destroy called from
    /// inside this pool's own handler, where it could never finish; or a
    /// receive call there with no result ready (it may not wait). Nothing
    /// was done.
    WouldDeadlock = 12,
    /// In ringpool_result.status only: the handler returned non-zero (that
    /// value is in error_code).
    JobFailed = 13,
    /// In ringpool_result.status only: running the job panicked inside the
    /// library (a C handler cannot cause this; reserved for library bugs).
    JobPanicked = 14,
    /// The library panicked internally; the call was abandoned. Please report it.
    Panic = 15,
    /// ringpool_create: the memory for the queue or the result ring (sized
    /// from `queue_capacity` and `workers`) could not be allocated. Nothing
    /// was started.
    OutOfMemory = 16,
    /// In ringpool_result.status only: the job's deadline had passed when a
    /// worker took it, so it did not run (result.job is 0: the job comes
    /// back from ringpool_take_expired).
    JobExpired = 17,
    /// ringpool_submit_with_options: the pool has no such priority level.
    NoSuchPriority = 18,
    /// ringpool_create_with: priorities outside 1..=8.
    BadPriorities = 19,
}

impl ringpool_status {
    /// Every code, in order (for tests and `ringpool_status_str`).
    pub(crate) const ALL: [Self; 20] = [
        Self::Ok,
        Self::NullArgument,
        Self::ZeroWorkers,
        Self::ZeroCapacity,
        Self::CapacityTooLarge,
        Self::TooManyWorkers,
        Self::SpawnFailed,
        Self::Full,
        Self::Timeout,
        Self::Closed,
        Self::Empty,
        Self::More,
        Self::WouldDeadlock,
        Self::JobFailed,
        Self::JobPanicked,
        Self::Panic,
        Self::OutOfMemory,
        Self::JobExpired,
        Self::NoSuchPriority,
        Self::BadPriorities,
    ];

    /// A static, NUL-terminated description.
    pub fn message(self) -> &'static std::ffi::CStr {
        match self {
            Self::Ok => c"ok",
            Self::NullArgument => c"a required pointer argument was NULL",
            Self::ZeroWorkers => c"a pool needs at least one worker",
            Self::ZeroCapacity => c"the queue capacity must be at least 1",
            Self::CapacityTooLarge => c"the capacity is larger than the ring supports",
            Self::TooManyWorkers => c"more workers than the pool's maximum",
            Self::SpawnFailed => c"the operating system refused to start a worker thread",
            Self::Full => c"the queue is full; the job was not taken",
            Self::Timeout => c"timed out",
            Self::Closed => c"the pool is closed",
            Self::Empty => c"no result is ready yet",
            Self::More => c"more unstarted jobs remain; call ringpool_stop_now again",
            Self::WouldDeadlock => {
                c"called from this pool's own handler, where it would never finish"
            }
            Self::JobFailed => c"the handler reported failure",
            Self::JobPanicked => c"the job panicked inside the library",
            Self::Panic => c"the library panicked internally",
            Self::OutOfMemory => c"the pool's tables could not be allocated: too large",
            Self::JobExpired => c"the job's deadline passed before it started; it did not run",
            Self::NoSuchPriority => c"the pool has no such priority level; the job was not taken",
            Self::BadPriorities => c"a pool has 1 to 8 priority levels",
        }
    }
}

impl From<&BuildError> for ringpool_status {
    fn from(error: &BuildError) -> Self {
        use ringpool_core::CapacityError;
        match error {
            BuildError::ZeroWorkers => Self::ZeroWorkers,
            // Not produced: the C API sets no autoscale; the nearest code.
            BuildError::TooManyWorkers { .. } | BuildError::BadScaling { .. } => {
                Self::TooManyWorkers
            }
            BuildError::Capacity {
                error: CapacityError::Zero,
                ..
            } => Self::ZeroCapacity,
            BuildError::Capacity { .. } => Self::CapacityTooLarge,
            BuildError::Spawn(_) => Self::SpawnFailed,
            BuildError::OutOfMemory { .. } => Self::OutOfMemory,
            BuildError::Priorities { .. } => Self::BadPriorities,
            // Not produced: the C API sets no thread name and no durations.
            BuildError::ThreadName | BuildError::Duration { .. } => Self::Panic,
        }
    }
}

impl<J> From<&SubmitError<J>> for ringpool_status {
    fn from(error: &SubmitError<J>) -> Self {
        match error {
            SubmitError::Full(_) => Self::Full,
            SubmitError::Closed(_) => Self::Closed,
            SubmitError::Timeout(_) => Self::Timeout,
            SubmitError::NoSuchPriority(_) => Self::NoSuchPriority,
        }
    }
}

impl From<RecvError> for ringpool_status {
    fn from(error: RecvError) -> Self {
        match error {
            RecvError::Empty => Self::Empty,
            RecvError::Timeout => Self::Timeout,
            RecvError::Closed => Self::Closed,
            RecvError::WouldDeadlock => Self::WouldDeadlock,
        }
    }
}

impl From<WaitError> for ringpool_status {
    fn from(error: WaitError) -> Self {
        match error {
            WaitError::Timeout => Self::Timeout,
            WaitError::WouldDeadlock => Self::WouldDeadlock,
        }
    }
}

impl<E> From<&JobError<E>> for ringpool_status {
    fn from(error: &JobError<E>) -> Self {
        match error {
            JobError::Failed(_) => Self::JobFailed,
            JobError::Panicked(_) => Self::JobPanicked,
            JobError::Expired => Self::JobExpired,
        }
    }
}

/// A static, NUL-terminated English description of `status` (any value:
/// unknown codes give "unknown ringpool status"). Never NULL; do not free.
///
/// Thread safety: may be called from any thread at any time.
#[unsafe(no_mangle)]
pub extern "C" fn ringpool_status_str(status: u32) -> *const c_char {
    ringpool_status::ALL
        .get(status as usize)
        .map_or(c"unknown ringpool status", |s| s.message())
        .as_ptr()
}

/// The library's version, e.g. "0.1.0": static, NUL-terminated, never NULL.
///
/// Thread safety: may be called from any thread at any time.
#[unsafe(no_mangle)]
pub extern "C" fn ringpool_version() -> *const c_char {
    const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
    VERSION.as_ptr().cast()
}
