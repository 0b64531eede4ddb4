//! The pool's error types. Every error that refuses a job carries it back.

use std::fmt;

/// Bad arguments to [`Builder::build`](crate::Builder::build) or
/// [`Pool::resize`](crate::Pool::resize).
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
        }
    }
}

impl std::error::Error for BuildError {}

/// Why a submit did not accept a job; the job is inside.
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
    /// Every result slot holds a finished result that nobody drains, and no
    /// [`Results`](crate::Results) receiver exists that could drain it: the
    /// job could never be accepted. Take a receiver (or raise
    /// `results_capacity`) before submitting more jobs than it holds.
    ResultsFull(J),
}

impl<J> SubmitError<J> {
    /// Takes the refused job back.
    pub fn into_inner(self) -> J {
        match self {
            Self::Full(j) | Self::Closed(j) | Self::Timeout(j) | Self::ResultsFull(j) => j,
        }
    }

    fn reason(&self) -> &'static str {
        match self {
            Self::Full(_) => "queue is full",
            Self::Closed(_) => "pool is closed",
            Self::Timeout(_) => "queue stayed full until the timeout",
            Self::ResultsFull(_) => {
                "results buffer is full of undrained results and no receiver exists"
            }
        }
    }
}

impl<J> fmt::Debug for SubmitError<J> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::Full(_) => "Full",
            Self::Closed(_) => "Closed",
            Self::Timeout(_) => "Timeout",
            Self::ResultsFull(_) => "ResultsFull",
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobError<E> {
    /// The handler returned `Err(e)`.
    Failed(E),
    /// The handler panicked; the panic's message (or a placeholder when the
    /// payload was not a string).
    Panicked(String),
}

impl<E: fmt::Display> fmt::Display for JobError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Failed(e) => write!(f, "job failed: {e}"),
            Self::Panicked(msg) => write!(f, "job panicked: {msg}"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for JobError<E> {}

/// A blocking call's deadline passed first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeout;

impl fmt::Display for Timeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("timed out")
    }
}

impl std::error::Error for Timeout {}

/// Why [`Results::try_recv`](crate::Results::try_recv) or
/// [`recv_timeout`](crate::Results::recv_timeout) returned no result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecvError {
    /// No result yet; more may come.
    Empty,
    /// The deadline passed first.
    Timeout,
    /// The pool is closed, every accepted job finished, and every result
    /// was drained: the stream has ended.
    Closed,
}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Empty => "no result ready",
            Self::Timeout => "timed out waiting for a result",
            Self::Closed => "pool closed and all results drained",
        })
    }
}

impl std::error::Error for RecvError {}
