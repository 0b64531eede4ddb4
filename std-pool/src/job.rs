//! What a job is, from its submit to its result: its id, what the handler
//! learns about it ([`JobContext`]), its queue entry ([`Envelope`]) and its
//! outcome ([`JobResult`]). A leaf: every other part of the pool speaks of
//! jobs in these types, and this module knows none of them.

use crate::clock::Stamp;
use crate::error::JobError;
use ringpool_core::Ticket;
use std::time::Duration;

/// A job's identity: its submission number, from 1, unique in its pool.
/// Ids grow in submission order; a refused submission may use up a number
/// (a queue found full does; a closed pool does not), so accepted ids can
/// have gaps.
///
/// The id a submit returns is the one the handler sees in
/// [`JobContext::job_id`] and the one its [`JobResult`](crate::JobResult)
/// carries.
///
/// ```
/// use ringpool::{JobId, Pool};
///
/// let pool = Pool::new(2, 8, |ctx, _job: char| ctx.job_id).unwrap();
/// let results = pool.results().unwrap();
/// let ids: Vec<JobId> = ['a', 'b', 'c'].map(|job| pool.submit(job).unwrap()).into();
/// assert_eq!(ids, [1, 2, 3]);
/// pool.close();
/// for result in results {
///     // The handler saw the same id the submit returned.
///     assert_eq!(result.outcome, Ok(result.job_id));
/// }
/// ```
pub type JobId = u64;

/// What the handler learns about the job it runs.
///
/// ```
/// use ringpool::{JobContext, Pool};
///
/// let pool = Pool::new(1, 4, |ctx: JobContext, job: &'static str| {
///     format!("Worker {} started job {} ({job})", ctx.worker_id, ctx.job_id)
/// })
/// .unwrap();
/// let id = pool.submit("resize").unwrap();
/// let result = pool.results().unwrap().recv().unwrap();
/// assert_eq!(id, 1);
/// assert_eq!(result.outcome.unwrap(), "Worker 1 started job 1 (resize)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobContext {
    /// The worker running the job, from 1 (as in `Worker 1 started job 1`).
    pub worker_id: usize,
    /// The job's id, as returned by its submit.
    pub job_id: JobId,
}

/// The handler, type-erased once at construction (one indirect call per
/// job, no allocation).
pub(crate) type Handler<J, R, E> = Box<dyn Fn(JobContext, J) -> Result<R, E> + Send + Sync>;

/// A job in the queue.
pub(crate) struct Envelope<J> {
    pub(crate) id: JobId,
    pub(crate) job: J,
    pub(crate) submitted_at: Stamp,
    /// The counter phase the job was counted in, for its `done`.
    pub(crate) ticket: Ticket,
    /// Not run if taken after this (see `crate::control`).
    pub(crate) deadline: Option<std::time::Instant>,
}

/// One finished job.
///
/// ```
/// use ringpool::{JobResult, Pool};
/// use std::convert::Infallible;
/// use std::time::Duration;
///
/// let pool = Pool::new(1, 4, |_, ms: u64| {
///     std::thread::sleep(Duration::from_millis(ms));
///     ms
/// })
/// .unwrap();
/// let id = pool.submit(2).unwrap();
/// let result: JobResult<u64, Infallible> = pool.results().unwrap().recv().unwrap();
/// assert_eq!(result.job_id, id);
/// assert_eq!(result.worker_id, 1);
/// assert_eq!(result.outcome, Ok(2));
/// // Timed with the CPU's counter: allow for calibration error.
/// assert!(result.run_time >= Duration::from_millis(1));
/// println!("waited {:?}, ran {:?}", result.queue_wait, result.run_time);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobResult<R, E> {
    /// The job's id (from its submit).
    pub job_id: JobId,
    /// The worker that ran it, from 1.
    pub worker_id: usize,
    /// The handler's value, its error, or its panic.
    pub outcome: Result<R, JobError<E>>,
    /// Time from submit until a worker took it.
    pub queue_wait: Duration,
    /// Time the handler ran.
    pub run_time: Duration,
}

/// Drops `value`, catching a panic from its `Drop` (user code) so that it
/// cannot take the worker down. The payload of such a panic is leaked
/// rather than dropped: its own `Drop` could panic again, without end.
pub(crate) fn drop_quietly<T>(value: T) {
    let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(value)));
    if let Err(payload) = dropped {
        std::mem::forget(payload);
    }
}

/// The message of a panic payload.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "panic with a non-string payload".to_owned()
    }
}
