//! The result stream: [`JobResult`] records and the [`Results`] receiver.

use crate::backoff::BeforePark;
use crate::error::{JobError, RecvError};
use crate::pool::JobId;
use crate::shared::Shared;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// One finished job.
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

/// Receives results (Go's `for result := range results`). Iterating ends
/// once the pool is closed, every accepted job has finished and every
/// result has been received. Each result goes to exactly one receiver.
///
/// While at least one receiver exists, a submit that finds every result
/// slot full waits for it to drain (instead of failing with
/// [`SubmitError::ResultsFull`](crate::SubmitError::ResultsFull)).
pub struct Results<J, R, E> {
    shared: Arc<Shared<J, R, E>>,
}

impl<J, R, E> Results<J, R, E> {
    pub(crate) fn new(shared: Arc<Shared<J, R, E>>) -> Self {
        shared.receivers.fetch_add(1, Ordering::AcqRel);
        // Submitters that found no receiver may wait now.
        shared.result_room.notify_all();
        Self { shared }
    }

    /// The next result, blocking; `None` once the stream has ended.
    pub fn recv(&self) -> Option<JobResult<R, E>> {
        self.recv_until(None).ok()
    }

    /// The next result if one is ready.
    ///
    /// # Errors
    ///
    /// [`RecvError::Empty`] if none is ready, [`RecvError::Closed`] once the
    /// stream has ended.
    pub fn try_recv(&self) -> Result<JobResult<R, E>, RecvError> {
        if let Some(result) = self.take() {
            return Ok(result);
        }
        if self.ended() {
            // Closed and idle: what is in the ring now is all there is.
            return self.take().ok_or(RecvError::Closed);
        }
        Err(RecvError::Empty)
    }

    /// The next result, waiting at most `timeout`.
    ///
    /// # Errors
    ///
    /// [`RecvError::Timeout`], or [`RecvError::Closed`] once the stream has
    /// ended.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<JobResult<R, E>, RecvError> {
        self.recv_until(Instant::now().checked_add(timeout))
    }

    fn recv_until(&self, deadline: Option<Instant>) -> Result<JobResult<R, E>, RecvError> {
        let shared = &*self.shared;
        let mut before_park = BeforePark::new(shared.settings.spin_before_park);
        loop {
            match self.try_recv() {
                Err(RecvError::Empty) => {}
                other => return other,
            }
            if before_park.snooze() {
                continue;
            }
            let listener = shared.result_ready.listen();
            match self.try_recv() {
                Err(RecvError::Empty) => {}
                other => {
                    shared.result_ready.cancel(listener);
                    return other;
                }
            }
            if !shared.result_ready.wait(listener, deadline)
                && deadline.is_some_and(|d| Instant::now() >= d)
            {
                return Err(RecvError::Timeout);
            }
        }
    }

    /// One result from the ring, releasing its slot.
    fn take(&self) -> Option<JobResult<R, E>> {
        let result = self.shared.results.as_ref()?.pop().ok()?;
        self.shared.release_result();
        Some(result)
    }

    /// Closed, and no accepted job is unfinished: no result can be added.
    fn ended(&self) -> bool {
        self.shared.jobs.is_closed() && self.shared.counter.is_idle()
    }
}

impl<J, R, E> Iterator for Results<J, R, E> {
    type Item = JobResult<R, E>;

    fn next(&mut self) -> Option<Self::Item> {
        self.recv()
    }
}

impl<J, R, E> Iterator for &Results<J, R, E> {
    type Item = JobResult<R, E>;

    fn next(&mut self) -> Option<Self::Item> {
        self.recv()
    }
}

impl<J, R, E> Clone for Results<J, R, E> {
    fn clone(&self) -> Self {
        Self::new(Arc::clone(&self.shared))
    }
}

impl<J, R, E> Drop for Results<J, R, E> {
    fn drop(&mut self) {
        self.shared.receivers.fetch_sub(1, Ordering::AcqRel);
        // A submitter waiting for room may now have to give up.
        self.shared.result_room.notify_all();
    }
}

impl<J, R, E> std::fmt::Debug for Results<J, R, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Results").finish_non_exhaustive()
    }
}
