//! The pool's error types. Every error that refuses a job carries it back.

use core::fmt;

/// Why a submit refused a job; the job is inside.
#[derive(PartialEq, Eq, Clone, Copy)]
pub enum SubmitError<J> {
    /// The job queue has no free slot (every slot holds a job or is held by
    /// an operation in flight), or [`CompletionCounter::MAX_PENDING`](crate::CompletionCounter::MAX_PENDING)
    /// jobs are in flight.
    Full(J),
    /// The pool was closed before this submit took effect.
    Closed(J),
}

impl<J> SubmitError<J> {
    /// Takes the refused job back.
    pub fn into_inner(self) -> J {
        match self {
            Self::Full(job) | Self::Closed(job) => job,
        }
    }

    /// `true` for [`SubmitError::Full`].
    pub fn is_full(&self) -> bool {
        matches!(self, Self::Full(_))
    }

    /// `true` for [`SubmitError::Closed`].
    pub fn is_closed(&self) -> bool {
        matches!(self, Self::Closed(_))
    }
}

impl<J> fmt::Debug for SubmitError<J> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full(_) => f.write_str("Full(..)"),
            Self::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}

impl<J> fmt::Display for SubmitError<J> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full(_) => f.write_str("job queue is full; the job was handed back"),
            Self::Closed(_) => f.write_str("pool is closed; the job was handed back"),
        }
    }
}

impl<J> core::error::Error for SubmitError<J> {}

/// Why [`run_one`](super::Pool::run_one) ran no job. Nothing was taken from
/// the queue in any of these cases.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum RunError {
    /// No job is queued now.
    Empty,
    /// The pool is closed and every accepted job has been taken: no job will
    /// ever come again.
    Closed,
    /// Every result slot holds an undelivered result or is reserved by a
    /// run in flight: a job run now would have nowhere to put its result, so
    /// none was taken. Receive results ([`recv`](super::Pool::recv)), then
    /// run again.
    ResultsFull,
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Empty => "no job queued",
            Self::Closed => "pool closed and drained",
            Self::ResultsFull => "result ring full; no job taken",
        })
    }
}

impl core::error::Error for RunError {}

/// Why [`recv`](super::Pool::recv) returned no result.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum RecvError {
    /// No result is queued now; more may come.
    Empty,
    /// The pool is closed, every accepted job has finished, and every result
    /// has been received: the stream has ended, for good.
    Ended,
}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Empty => "no result queued",
            Self::Ended => "result stream ended",
        })
    }
}

impl core::error::Error for RecvError {}
