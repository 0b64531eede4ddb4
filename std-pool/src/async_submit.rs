//! [`Pool::submit_async`]: a submit that waits for room without blocking
//! its thread, and its future, [`SubmitFuture`].
//!
//! Each poll makes one attempt as [`Pool::try_submit`] does (admit in the
//! books, push, and on a full queue withdraw the admission again), and
//! between attempts waits on the pool's `slot_free` event through an
//! [`AsyncListener`], the same event a blocking submitter sleeps on: a
//! worker that takes a job wakes one waiter, thread or task; close wakes
//! them all. The job is in the future's hands between polls, never in the
//! books or the queue, so dropping the future can neither lose it nor queue
//! it twice, and a pending future holds up neither `wait` nor the end of the
//! result stream.

use crate::async_listen::AsyncListener;
use crate::error::SubmitError;
use crate::job::{Envelope, JobId};
use crate::pool::Pool;
use ringpool_core::PushError;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

impl<J, R, E> Pool<J, R, E>
where
    J: Send,
    R: Send,
    E: Send,
{
    /// Queues `job` from async code: the future waits, without blocking the
    /// executor's thread, while the queue is full, and resolves to the
    /// job's id once it is queued. Any executor: the task's [`Waker`] is
    /// woken by the worker that frees a slot (or by close).
    ///
    /// Nothing happens until the future is polled; it borrows the pool.
    ///
    /// # Errors
    ///
    /// [`SubmitError::Closed`] once the pool is closed (also when it closes
    /// while the future waits), with the job handed back. From inside this
    /// pool's own handler it does not wait for room, as
    /// [`submit`](Self::submit): [`SubmitError::Full`] there.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future never loses or duplicates the job. The job is
    /// queued only inside a poll that then returns `Ready(Ok(id))`; so a
    /// future dropped before it resolved still owns the job, which is
    /// dropped with it (use [`SubmitFuture::cancel`] instead of dropping to
    /// get it back), and the pool never saw it: it is not counted as
    /// submitted, holds up no [`wait`](Self::wait), and gets no result. A
    /// future dropped (or cancelled) before it resolved counts as
    /// [`rejected`](crate::MetricsSnapshot::rejected), as a
    /// [`submit_timeout`](Self::submit_timeout) that ran out does, polled
    /// or not: every `submit_async` ends as one submitted or one rejected
    /// job. A wake-up meant for a dropped future is passed on to the next
    /// waiter.
    ///
    /// # Examples
    ///
    /// ```
    /// use ringpool::Pool;
    ///
    /// let pool = Pool::new(2, 2, |_, job: u32| job * 2).unwrap();
    /// let results = pool.results().unwrap();
    /// let total = pollster::block_on(async {
    ///     for job in 1..=20 {
    ///         pool.submit_async(job).await.unwrap(); // waits for room
    ///     }
    ///     pool.close();
    ///     let mut total = 0;
    ///     while let Some(result) = results.recv_async().await {
    ///         total += result.outcome.unwrap();
    ///     }
    ///     total
    /// });
    /// assert_eq!(total, 420);
    /// ```
    ///
    /// [`Waker`]: std::task::Waker
    pub fn submit_async(&self, job: J) -> SubmitFuture<'_, J, R, E> {
        SubmitFuture {
            pool: self,
            job: Some(job),
            listener: AsyncListener::new(),
        }
    }

    /// One attempt: queued (or refused for good), or the job back on a
    /// full queue with nothing counted.
    fn attempt(&self, job: J) -> Attempt<J> {
        let shared = &*self.shared;
        if shared.jobs.is_closed() {
            shared.ledger.count_refused();
            return Attempt::Done(Err(SubmitError::Closed(job)));
        }
        // Counted before it is queued, as in a blocking submit.
        let Ok(admission) = shared.ledger.admit() else {
            shared.ledger.count_refused();
            return Attempt::Done(Err(SubmitError::Full(job)));
        };
        let envelope = Envelope {
            id: admission.id() as JobId,
            job,
            submitted_at: shared.clock.now(),
            ticket: admission.ticket(),
            deadline: None,
        };
        // Level 0, as `submit` (through the control's cells in a
        // cancellable pool).
        match shared.control.push(&shared.jobs, 0, envelope) {
            Ok(()) => Attempt::Done(Ok(self.accepted(admission))),
            Err(PushError::Closed(back)) => {
                Attempt::Done(Err(self.refused_closed(admission, back)))
            }
            Err(PushError::Full(back)) => {
                // Not in flight after all; a waiter may see the pool idle.
                if shared.ledger.withdraw(admission) {
                    shared.went_idle();
                }
                Attempt::Full(back.job)
            }
        }
    }
}

/// What one attempt of a [`SubmitFuture`] came to.
enum Attempt<J> {
    Done(Result<JobId, SubmitError<J>>),
    Full(J),
}

/// The future of [`Pool::submit_async`]: resolves to the job's id once it
/// is queued, or to a [`SubmitError`] holding the job. See
/// [`Pool::submit_async`] for what dropping it does.
///
/// Each poll that finds the queue full draws a job id and gives it up
/// again (as a refused [`try_submit`](Pool::try_submit) does), so the ids
/// of jobs submitted this way are unique and increasing but may have gaps.
///
/// It is [`Unpin`] whatever the job type (the job is never pinned), so it
/// can be polled through `&mut` and taken back with
/// [`cancel`](Self::cancel) after a `select!` that did not finish it.
/// Polling it again after it resolved panics, as futures may.
#[must_use = "futures do nothing unless polled"]
pub struct SubmitFuture<'a, J, R, E>
where
    J: Send,
    R: Send,
    E: Send,
{
    pool: &'a Pool<J, R, E>,
    /// The job, until it is queued or handed back.
    job: Option<J>,
    listener: AsyncListener,
}

impl<J, R, E> SubmitFuture<'_, J, R, E>
where
    J: Send,
    R: Send,
    E: Send,
{
    /// Gives up on the submit and hands the job back: `Some(job)` if it was
    /// not queued (it never will be), `None` if the future already resolved
    /// (the job was queued, or handed back in its error).
    ///
    /// ```
    /// use ringpool::Pool;
    /// use std::future::Future;
    /// use std::pin::pin;
    /// use std::sync::{Arc, Barrier};
    /// use std::task::{Context, Poll, Waker};
    ///
    /// let gate = Arc::new(Barrier::new(2));
    /// let held = Arc::clone(&gate);
    /// let pool = Pool::builder()
    ///     .workers(1)
    ///     .queue_capacity(1)
    ///     .discard_results()
    ///     .build(move |_, job: u32| {
    ///         if job == 1 {
    ///             held.wait(); // job 1 has started
    ///             held.wait(); // until released
    ///         }
    ///     })
    ///     .unwrap();
    /// pool.submit(1).unwrap();
    /// gate.wait(); // the only worker is busy
    /// pool.submit(2).unwrap(); // the queue of 1 is full
    /// let mut submit = pool.submit_async(3);
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(Pin::new(&mut submit).poll(&mut cx).is_pending());
    /// assert_eq!(submit.cancel(), Some(3)); // never queued: back in hand
    /// gate.wait(); // release job 1
    /// pool.wait().unwrap();
    /// let m = pool.metrics();
    /// assert_eq!((m.submitted, m.rejected), (2, 1));
    /// # use std::pin::Pin;
    /// ```
    pub fn cancel(mut self) -> Option<J> {
        self.job.take().inspect(|_| self.give_up())
    }

    /// The job is handed back to the caller without a result: withdraw
    /// from the wait, count the refusal.
    fn give_up(&mut self) {
        let shared = &*self.pool.shared;
        self.listener.abandon(&shared.slot_free);
        shared.ledger.count_refused();
    }
}

impl<J, R, E> Future for SubmitFuture<'_, J, R, E>
where
    J: Send,
    R: Send,
    E: Send,
{
    type Output = Result<JobId, SubmitError<J>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let pool = this.pool;
        let shared = &*pool.shared;
        let Some(job) = this.job.take() else {
            panic!("SubmitFuture polled after it resolved");
        };
        let mut pending = Some(job);
        let mut looks = 0;
        let done = this.listener.poll_until(&shared.slot_free, cx, || {
            looks += 1;
            // The look before registering may trust a full-looking queue
            // (two loads; no id drawn and withdrawn); the look after it
            // must push for real (the protocol's re-check).
            if looks == 1 && shared.control.looks_full(&shared.jobs) {
                return None;
            }
            match pool.attempt(pending.take()?) {
                Attempt::Done(outcome) => Some(outcome),
                // From inside the pool's own handler never wait for room
                // (as `submit`): no worker may be left to make it.
                Attempt::Full(job) if shared.inside_handler() => {
                    shared.ledger.count_refused();
                    Some(Err(SubmitError::Full(job)))
                }
                Attempt::Full(job) => {
                    pending = Some(job);
                    None
                }
            }
        });
        if done.is_pending() {
            this.job = pending;
        }
        done
    }
}

impl<J, R, E> Drop for SubmitFuture<'_, J, R, E>
where
    J: Send,
    R: Send,
    E: Send,
{
    fn drop(&mut self) {
        if self.job.is_some() {
            self.give_up();
        }
    }
}

// The job is moved in and out by value, never pinned.
impl<J, R, E> Unpin for SubmitFuture<'_, J, R, E>
where
    J: Send,
    R: Send,
    E: Send,
{
}

impl<J, R, E> std::fmt::Debug for SubmitFuture<'_, J, R, E>
where
    J: Send,
    R: Send,
    E: Send,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubmitFuture")
            .field("waiting", &self.job.is_some())
            .finish_non_exhaustive()
    }
}
