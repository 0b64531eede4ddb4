//! The pool's error types. Every error that refuses a job carries it back.

use std::fmt;

/// Bad arguments to [`Builder::build`](crate::Builder::build) or
/// [`Pool::resize`](crate::Pool::resize).
///
/// ```
/// use ringpool::{Autoscale, BuildError, Pool};
/// use ringpool_core::{CapacityError, MAX_CAPACITY};
/// use std::time::Duration;
///
/// let zero = Pool::new(0, 8, |_, job: u32| job).unwrap_err();
/// assert_eq!(zero, BuildError::ZeroWorkers);
/// assert_eq!(zero.to_string(), "a pool needs at least one worker");
///
/// let huge = Pool::new(1, MAX_CAPACITY + 1, |_, job: u32| job).unwrap_err();
/// assert_eq!(
///     huge,
///     BuildError::Capacity {
///         which: "queue",
///         error: CapacityError::TooLarge { requested: MAX_CAPACITY + 1, max: MAX_CAPACITY },
///     }
/// );
///
/// let scaling = Autoscale {
///     min_workers: 3,
///     max_workers: 2,
///     grow_at_depth: 1,
///     idle_timeout: Duration::from_millis(10),
/// };
/// let bad = Pool::builder().autoscale(scaling).build(|_, job: u32| job);
/// assert_eq!(bad.unwrap_err(), BuildError::BadScaling { min: 3, max: 2 });
///
/// let pool = Pool::builder().workers(1).max_workers(2).build(|_, job: u32| job).unwrap();
/// let err = pool.resize(3).unwrap_err();
/// assert_eq!(err, BuildError::TooManyWorkers { requested: 3, max: 2 });
/// assert_eq!(err.to_string(), "3 workers requested, but max_workers is 2");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildError {
    /// A worker count of zero.
    ZeroWorkers,
    /// More workers than the pool's `max_workers`.
    TooManyWorkers {
        /// Workers asked for.
        requested: usize,
        /// The pool's maximum.
        max: usize,
    },
    /// `min_workers` above `max_workers` in an autoscale setting.
    BadScaling {
        /// The minimum given.
        min: usize,
        /// The maximum given.
        max: usize,
    },
    /// A queue or results capacity the ring cannot have.
    Capacity {
        /// Which queue: `"queue"` or `"results"`.
        which: &'static str,
        /// Why.
        error: ringpool_core::CapacityError,
    },
    /// The operating system refused to start a worker thread.
    Spawn(String),
    /// A thread name prefix with a NUL byte, which no thread name may hold.
    ThreadName,
    /// A [`Duration`](std::time::Duration) setting above the largest the
    /// pool accepts for it.
    Duration {
        /// Which setting: `"spill_after"`.
        which: &'static str,
        /// The largest accepted.
        max: std::time::Duration,
    },
    /// Memory for the pool's tables (queue, results ring, worker slots)
    /// could not be allocated: the sizes asked for are too large for this
    /// machine. Nothing was started.
    OutOfMemory {
        /// Which table: `"queue"`, `"results"` or `"workers"`.
        which: &'static str,
        /// The number of elements asked for.
        len: usize,
    },
    /// A number of priority levels outside `1..=max`
    /// ([`Builder::priorities`](crate::Builder::priorities)).
    ///
    /// ```
    /// use ringpool::{BuildError, Pool};
    ///
    /// let err = Pool::builder().priorities(0).build(|_, job: u32| job).unwrap_err();
    /// assert_eq!(err, BuildError::Priorities { requested: 0, max: 8 });
    /// assert_eq!(err.to_string(), "0 priority levels requested; a pool has 1 to 8");
    /// ```
    Priorities {
        /// Levels asked for.
        requested: usize,
        /// The most a pool may have.
        max: usize,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ZeroWorkers => f.write_str("a pool needs at least one worker"),
            Self::TooManyWorkers { requested, max } => {
                write!(f, "{requested} workers requested, but max_workers is {max}")
            }
            Self::BadScaling { min, max } => {
                write!(f, "autoscale min_workers {min} exceeds max_workers {max}")
            }
            Self::Capacity { which, error } => write!(f, "bad {which} capacity: {error}"),
            Self::Spawn(why) => write!(f, "could not start a worker thread: {why}"),
            Self::ThreadName => f.write_str("a thread name may not contain a NUL byte"),
            Self::Duration { which, max } => {
                write!(f, "{which} may be at most {max:?}")
            }
            Self::OutOfMemory { which, len } => {
                write!(f, "could not allocate the {which} table of {len} elements")
            }
            Self::Priorities { requested, max } => {
                write!(
                    f,
                    "{requested} priority levels requested; a pool has 1 to {max}"
                )
            }
        }
    }
}

impl std::error::Error for BuildError {}

/// Why a submit did not accept a job; the job is inside.
///
/// ```
/// use ringpool::{Pool, SubmitError};
///
/// let pool = Pool::new(1, 4, |_, job: String| job.len()).unwrap();
/// pool.close();
/// let err = pool.submit("late".to_string()).unwrap_err();
/// assert!(matches!(&err, SubmitError::Closed(job) if job == "late"));
/// assert_eq!(err.to_string(), "pool is closed; the job was handed back");
/// // Nothing is lost: take the job back.
/// assert_eq!(err.into_inner(), "late");
/// ```
#[derive(PartialEq, Eq, Clone, Copy)]
pub enum SubmitError<J> {
    /// The queue is full (from [`try_submit`](crate::Pool::try_submit)).
    Full(J),
    /// The pool was closed: no job is accepted after
    /// [`close`](crate::Pool::close).
    Closed(J),
    /// The queue stayed full until the deadline
    /// ([`submit_timeout`](crate::Pool::submit_timeout)).
    Timeout(J),
    /// A priority level the pool does not have
    /// ([`submit_with_options`](crate::Pool::submit_with_options)).
    ///
    /// ```
    /// use ringpool::{JobOptions, Pool, SubmitError};
    ///
    /// let pool = Pool::builder().priorities(2).build(|_, job: u32| job).unwrap();
    /// let refused = pool.submit_with_options(9, JobOptions::new().priority(2));
    /// assert_eq!(refused, Err(SubmitError::NoSuchPriority(9)));
    /// ```
    NoSuchPriority(J),
}

impl<J> SubmitError<J> {
    /// Takes the refused job back, whatever the reason.
    ///
    /// ```
    /// use ringpool::Pool;
    ///
    /// let pool = Pool::new(1, 4, |_, job: Vec<u8>| job.len()).unwrap();
    /// pool.close();
    /// let refused = pool.submit(vec![1, 2, 3]).unwrap_err();
    /// let job: Vec<u8> = refused.into_inner();
    /// assert_eq!(job, [1, 2, 3]);
    /// ```
    pub fn into_inner(self) -> J {
        match self {
            Self::Full(j) | Self::Closed(j) | Self::Timeout(j) | Self::NoSuchPriority(j) => j,
        }
    }

    fn reason(&self) -> &'static str {
        match self {
            Self::Full(_) => "queue is full",
            Self::Closed(_) => "pool is closed",
            Self::Timeout(_) => "queue stayed full until the timeout",
            Self::NoSuchPriority(_) => "the pool has no such priority level",
        }
    }
}

impl<J> fmt::Debug for SubmitError<J> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::Full(_) => "Full",
            Self::Closed(_) => "Closed",
            Self::Timeout(_) => "Timeout",
            Self::NoSuchPriority(_) => "NoSuchPriority",
        };
        write!(f, "{name}(..)")
    }
}

impl<J> fmt::Display for SubmitError<J> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}; the job was handed back", self.reason())
    }
}

impl<J> std::error::Error for SubmitError<J> {}

/// How a job failed: the handler's own error, or a panic.
///
/// ```
/// use ringpool::{JobError, Pool};
///
/// let pool = Pool::builder()
///     .workers(1)
///     .build_fallible(|_, job: i32| match job {
///         0 => panic!("zero is not allowed"),
///         n if n < 0 => Err(format!("{n} is negative")),
///         n => Ok(n),
///     })
///     .unwrap();
/// let results = pool.results().unwrap();
/// for job in [-1, 0] {
///     pool.submit(job).unwrap();
/// }
/// pool.close();
/// let mut errors: Vec<_> = results.map(|r| (r.job_id, r.outcome.unwrap_err())).collect();
/// errors.sort_by_key(|(id, _)| *id);
/// assert_eq!(errors[0].1, JobError::Failed("-1 is negative".to_string()));
/// assert_eq!(errors[1].1, JobError::Panicked("zero is not allowed".to_string()));
/// assert_eq!(errors[1].1.to_string(), "job panicked: zero is not allowed");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobError<E> {
    /// The handler returned `Err(e)`.
    Failed(E),
    /// The handler panicked; the panic's message (or a placeholder when the
    /// payload was not a string).
    Panicked(String),
    /// The job's deadline had passed when a worker took it, so it did not
    /// run. The job itself is kept for
    /// [`Pool::take_expired`](crate::Pool::take_expired) (nothing is lost).
    ///
    /// ```
    /// use ringpool::{JobError, JobOptions, Pool};
    /// use std::time::Instant;
    ///
    /// let pool = Pool::new(1, 4, |_, job: u32| job).unwrap();
    /// let results = pool.results().unwrap();
    /// let past = Instant::now();
    /// let id = pool.submit_with_options(7, JobOptions::new().deadline(past)).unwrap();
    /// let result = results.recv().unwrap();
    /// assert_eq!((result.job_id, result.outcome), (id, Err(JobError::Expired)));
    /// assert_eq!(pool.take_expired(), [(id, 7)]);
    /// assert_eq!(JobError::<String>::Expired.to_string(), "job expired before it started");
    /// ```
    Expired,
}

impl<E: fmt::Display> fmt::Display for JobError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Failed(e) => write!(f, "job failed: {e}"),
            Self::Panicked(msg) => write!(f, "job panicked: {msg}"),
            Self::Expired => f.write_str("job expired before it started"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for JobError<E> {}

/// A blocking call's deadline passed first: from
/// [`Pool::shutdown_timeout`](crate::Pool::shutdown_timeout).
///
/// ```
/// use ringpool::{Pool, Timeout};
/// use std::sync::mpsc;
/// use std::sync::Mutex;
/// use std::time::Duration;
///
/// let (release, gate) = mpsc::channel::<()>();
/// let gate = Mutex::new(gate);
/// let pool = Pool::new(1, 4, move |_, job: u32| {
///     gate.lock().unwrap().recv().unwrap(); // until released
///     job
/// })
/// .unwrap();
/// pool.submit(1).unwrap();
/// let err = pool.shutdown_timeout(Duration::from_millis(1)).unwrap_err();
/// assert_eq!(err, Timeout);
/// assert_eq!(err.to_string(), "timed out");
/// release.send(()).unwrap(); // the detached worker finishes on its own
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeout;

impl fmt::Display for Timeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("timed out")
    }
}

impl std::error::Error for Timeout {}

/// Why [`Pool::wait`](crate::Pool::wait) or
/// [`Pool::wait_timeout`](crate::Pool::wait_timeout) returned before the
/// jobs it waits for were done.
///
/// ```
/// use ringpool::{Pool, WaitError};
/// use std::sync::{Arc, Mutex};
///
/// // A handler that waits for its own pool: its own job is one of those it
/// // would wait for, so it is told so instead of hanging.
/// let slot: Arc<Mutex<Option<Arc<Pool<u32, Option<WaitError>>>>>> = Arc::default();
/// let inside = Arc::clone(&slot);
/// let pool = Arc::new(
///     Pool::new(1, 4, move |_, _job: u32| {
///         let pool = inside.lock().unwrap().clone().unwrap();
///         pool.wait().err()
///     })
///     .unwrap(),
/// );
/// *slot.lock().unwrap() = Some(Arc::clone(&pool));
/// let results = pool.results().unwrap();
/// pool.submit(1).unwrap();
/// let err = results.recv().unwrap().outcome.unwrap().unwrap();
/// assert_eq!(err, WaitError::WouldDeadlock);
/// slot.lock().unwrap().take(); // break the cycle
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitError {
    /// The deadline passed first (`wait_timeout` only).
    Timeout,
    /// Called from inside one of this pool's own handlers, where it could
    /// never return: the caller's own job is one of those it waits for.
    /// Nothing was waited for.
    WouldDeadlock,
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Timeout => "timed out",
            Self::WouldDeadlock => {
                "called from inside the pool's own handler, where it would never return"
            }
        })
    }
}

impl std::error::Error for WaitError {}

/// Why [`Results::try_recv`](crate::Results::try_recv) or
/// [`recv_timeout`](crate::Results::recv_timeout) returned no result.
///
/// ```
/// use ringpool::{Pool, RecvError};
/// use std::time::Duration;
///
/// let pool = Pool::new(1, 4, |_, job: u32| job).unwrap();
/// let results = pool.results().unwrap();
/// // Nothing submitted yet: Empty now, Timeout after waiting.
/// assert_eq!(results.try_recv().unwrap_err(), RecvError::Empty);
/// let waited = results.recv_timeout(Duration::from_millis(1));
/// assert_eq!(waited.unwrap_err(), RecvError::Timeout);
/// // Closed with nothing left to receive: the stream has ended.
/// pool.close();
/// let ended = results.try_recv().unwrap_err();
/// assert_eq!(ended, RecvError::Closed);
/// assert_eq!(ended.to_string(), "pool closed and all results drained");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecvError {
    /// No result yet; more may come.
    Empty,
    /// The deadline passed first.
    Timeout,
    /// The pool is closed, every accepted job finished, and every result
    /// was drained: the stream has ended.
    Closed,
    /// No result is ready and the call was made from inside one of this
    /// pool's own handlers, where waiting could never end (the stream
    /// cannot end while the caller's own job runs, and the results it would
    /// wait for may need the caller's worker): such calls never wait.
    WouldDeadlock,
}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Empty => "no result ready",
            Self::Timeout => "timed out waiting for a result",
            Self::Closed => "pool closed and all results drained",
            Self::WouldDeadlock => {
                "no result ready, and waiting inside the pool's own handler could never end"
            }
        })
    }
}

impl std::error::Error for RecvError {}
