//! [`Pool`]: the public face of a pool, thin over its parts: submitting
//! (the books, then the job queue), closing, waiting (the books), scaling
//! (the crew), receiving (the result path, through [`Results`]) and
//! shutting down.

use crate::backoff::BeforePark;
use crate::error::{BuildError, SubmitError, Timeout, WaitError};
use crate::job::{Envelope, Handler, JobId};
use crate::metrics::MetricsSnapshot;
use crate::receiver::Results;
use crate::settings::Settings;
use crate::shared::Shared;
use crate::sync::Ordering;
use crate::worker;
use ringpool_core::PushError;
use ringpool_core::pool::Admission;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A pool of worker threads running one handler over typed jobs.
///
/// # Calls from inside the pool's own handler
///
/// A handler may hold a handle to its own pool (an `Arc<Pool>`, a
/// [`Results`]). Every call made from there either works or returns an
/// error at once; none can hang:
///
/// | call | from inside its own handler |
/// |---|---|
/// | [`try_submit`](Self::try_submit), [`submit_timeout`](Self::submit_timeout) | work as anywhere |
/// | [`submit`](Self::submit) | does not wait for room: [`SubmitError::Full`] when the queue is full (if every worker waited for room, none would be left to make it) |
/// | [`wait`](Self::wait), [`wait_timeout`](Self::wait_timeout) | [`WaitError::WouldDeadlock`] (the caller's own job is one it would wait for) |
/// | [`close`](Self::close), [`stop_now`](Self::stop_now), [`resize`](Self::resize), [`metrics`](Self::metrics), [`pending`](Self::pending), [`workers`](Self::workers), [`is_closed`](Self::is_closed), [`results`](Self::results) | work as anywhere (a worker resized away retires after its current job) |
/// | [`pause`](Self::pause), [`resume`](Self::resume), [`cancel`](Self::cancel), [`take_expired`](Self::take_expired), [`try_submit_with_options`](Self::try_submit_with_options) | work as anywhere |
/// | [`submit_with_options`](Self::submit_with_options) | as [`submit`](Self::submit): no wait for room ([`SubmitError::Full`]) |
/// | [`Results::try_recv`] | works as anywhere |
/// | [`Results::recv`], [`Results::recv_timeout`], iterating | a result if one is ready; otherwise no wait: `None` (the iteration ends) or [`RecvError::WouldDeadlock`](crate::RecvError::WouldDeadlock) |
/// | [`submit_async`](Self::submit_async), [`wait_async`](Self::wait_async), [`Results::recv_async`], [`ResultStream`](crate::ResultStream) | as their blocking twins: no waiting for room ([`SubmitError::Full`]), [`WaitError::WouldDeadlock`], `None` when no result is ready |
/// | [`shutdown`](Self::shutdown), [`shutdown_timeout`](Self::shutdown_timeout), Drop | close and return at once, leaving the workers to finish the accepted jobs (`shutdown_timeout` returns [`Timeout`]) |
///
/// So a handler that closes its pool and then drains the results gets the
/// results ready so far, and returns.
///
/// `J` is the job type, `R` the handler's value and `E` its error (for
/// [`Builder::build`](crate::Builder::build) handlers, which cannot fail, [`Infallible`]).
///
/// ```
/// use ringpool::Pool;
///
/// // Go's NewWorkerPool(3, 10): 3 workers, a queue of 10.
/// let pool = Pool::new(3, 10, |_ctx, job: u32| job * 2).unwrap();
/// let results = pool.results().unwrap();
/// for job in 1..=10 {
///     pool.submit(job).unwrap(); // blocks while the queue is full
/// }
/// pool.close(); // like close(jobQueue): no more jobs
/// let mut doubled: Vec<u32> = results.map(|r| r.outcome.unwrap()).collect();
/// doubled.sort();
/// assert_eq!(doubled, (1..=10).map(|j| j * 2).collect::<Vec<_>>());
/// ```
///
/// # Close, wait, stop-now and Drop
///
/// * [`close`](Self::close): no job is accepted afterwards (submit hands it
///   back in [`SubmitError::Closed`]); every job accepted before still runs;
///   workers exit when the queue is empty; the result stream ends once the
///   last result is drained.
/// * [`wait`](Self::wait): blocks until every job accepted before the call
///   has finished (Go's `WaitGroup.Wait`). Does not close. Jobs accepted
///   while it waits hold it up only until its first look closes the
///   counter's current phase (see [`PhasedCounter`](ringpool_core::PhasedCounter)), so under sustained
///   load it still returns: it is never fooled into waiting for the next
///   batch, or for the load to stop.
/// * [`stop_now`](Self::stop_now): closes, and hands back every job not yet
///   started; running jobs finish.
/// * [`shutdown`](Self::shutdown): close, wait, join every worker thread.
/// * **Drop** closes the pool (so nothing new is accepted), then waits up to
///   the builder's `drop_timeout` (10 s by default) for every accepted job to
///   finish and the workers to exit. If time runs out it prints how many
///   jobs are still running to stderr and detaches the workers, which finish
///   those jobs and exit on their own. It never hangs forever and never
///   drops a queued job unrun. (A `drop_timeout` past the end of the clock
///   means no deadline.) Dropped from inside its own handler (the handler
///   held the last handle), it closes and returns at once: a worker cannot
///   wait for itself. Results not yet drained stay readable through
///   any live [`Results`] receiver.
pub struct Pool<J, R = (), E = Infallible> {
    pub(crate) shared: Arc<Shared<J, R, E>>,
}

/// How long a submit may wait.
#[derive(Clone, Copy)]
pub(crate) enum Patience {
    /// Not at all (`try_submit`).
    None,
    /// Until a deadline (`submit_timeout`).
    Until(Instant),
    /// For ever (`submit`).
    Forever,
}

impl Patience {
    pub(crate) fn deadline(self) -> Option<Instant> {
        match self {
            Self::Until(deadline) => Some(deadline),
            _ => None,
        }
    }
}

impl<J, R, E> Pool<J, R, E>
where
    J: Send,
    R: Send,
    E: Send,
{
    /// Allocates everything and starts the workers.
    pub(crate) fn start(settings: Settings, handler: Handler<J, R, E>) -> Result<Self, BuildError> {
        let pool = Self {
            shared: Arc::new(Shared::new(settings, handler)?),
        };
        {
            let shared = &pool.shared;
            let mut slots = shared.crew.lock();
            for _ in 0..shared.settings.workers {
                // On failure, Drop closes the pool and reaps what started.
                worker::start(shared, &mut slots)?;
            }
        }
        Ok(pool)
    }

    /// Queues `job`, waiting while the queue is full (Go's `AddJob`, with
    /// backpressure). Returns the job's id.
    ///
    /// # Errors
    ///
    /// [`SubmitError::Closed`] after [`close`](Self::close), with the job
    /// handed back inside. From inside this pool's own handler it does not
    /// wait for room (if every worker waited, none would be left to make
    /// room): [`SubmitError::Full`] when the queue is full there.
    ///
    /// # Examples
    ///
    /// More jobs than the queue holds: each submit waits for room while
    /// the workers run. Results are drained on another thread here; reading
    /// them only after the last submit works too (they wait, see
    /// [`Builder::results_capacity`](crate::Builder::results_capacity)).
    ///
    /// ```
    /// use ringpool::{Pool, SubmitError};
    ///
    /// let pool = Pool::new(2, 2, |_, job: u32| job * 2).unwrap();
    /// let results = pool.results().unwrap();
    /// let drainer = std::thread::spawn(move || {
    ///     results.map(|r| r.outcome.unwrap()).sum::<u32>()
    /// });
    /// for job in 1..=20 {
    ///     pool.submit(job).unwrap();
    /// }
    /// pool.close();
    /// assert_eq!(pool.submit(21), Err(SubmitError::Closed(21)));
    /// assert_eq!(drainer.join().unwrap(), 420);
    /// ```
    pub fn submit(&self, job: J) -> Result<JobId, SubmitError<J>> {
        self.submit_with(job, Patience::Forever)
    }

    /// Queues `job` only if there is room now.
    /// Works as anywhere from inside the pool's own handler (it never waits).
    ///
    /// # Errors
    ///
    /// As [`submit`](Self::submit), plus [`SubmitError::Full`].
    ///
    /// # Examples
    ///
    /// ```
    /// use ringpool::{Pool, SubmitError};
    /// use std::sync::{Arc, Barrier};
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
    /// pool.try_submit(1).unwrap();
    /// gate.wait(); // the only worker is busy
    /// pool.try_submit(2).unwrap(); // fills the queue of 1
    /// match pool.try_submit(3) {
    ///     Err(SubmitError::Full(job)) => assert_eq!(job, 3), // handed back
    ///     other => panic!("expected Full, got {other:?}"),
    /// }
    /// gate.wait(); // release job 1
    /// pool.wait().unwrap();
    /// let m = pool.metrics();
    /// assert_eq!((m.succeeded, m.rejected), (2, 1));
    /// ```
    pub fn try_submit(&self, job: J) -> Result<JobId, SubmitError<J>> {
        self.submit_with(job, Patience::None)
    }

    /// Queues `job`, waiting at most `timeout` for room. A `timeout` past
    /// the end of the clock (e.g. `Duration::MAX`) waits like
    /// [`submit`](Self::submit), which from inside the pool's own handler
    /// means not at all.
    ///
    /// # Errors
    ///
    /// As [`submit`](Self::submit), plus [`SubmitError::Timeout`].
    ///
    /// # Examples
    ///
    /// ```
    /// use ringpool::{Pool, SubmitError};
    /// use std::sync::{Arc, Barrier};
    /// use std::time::Duration;
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
    /// pool.submit(2).unwrap(); // fills the queue of 1
    /// let refused = pool.submit_timeout(3, Duration::from_millis(2));
    /// assert_eq!(refused, Err(SubmitError::Timeout(3)));
    /// gate.wait(); // release job 1
    /// // Room comes once the worker moves on.
    /// pool.submit_timeout(3, Duration::from_secs(10)).unwrap();
    /// pool.wait().unwrap();
    /// assert_eq!(pool.metrics().succeeded, 3);
    /// ```
    pub fn submit_timeout(&self, job: J, timeout: Duration) -> Result<JobId, SubmitError<J>> {
        match Instant::now().checked_add(timeout) {
            Some(deadline) => self.submit_with(job, Patience::Until(deadline)),
            None => self.submit_with(job, Patience::Forever),
        }
    }

    fn submit_with(&self, job: J, patience: Patience) -> Result<JobId, SubmitError<J>> {
        self.submit_at(job, patience, 0, None)
    }

    /// A submit into level `priority` (checked by the caller), with an
    /// optional deadline (`crate::control`).
    pub(crate) fn submit_at(
        &self,
        job: J,
        patience: Patience,
        priority: usize,
        deadline: Option<Instant>,
    ) -> Result<JobId, SubmitError<J>> {
        let shared = &*self.shared;
        let queue = shared
            .control
            .level(&shared.jobs, priority)
            .unwrap_or(&shared.jobs);
        if shared.jobs.is_closed() {
            shared.ledger.count_refused();
            return Err(SubmitError::Closed(job));
        }
        // Counted before it is queued, so wait() and the result stream
        // never see the pool idle while this job is in flight.
        let Ok(admission) = shared.ledger.admit() else {
            shared.ledger.count_refused();
            return Err(SubmitError::Full(job));
        };
        let id = admission.id() as JobId;
        let mut envelope = Envelope {
            id,
            job,
            submitted_at: shared.clock.now(),
            ticket: admission.ticket(),
            deadline,
        };
        // From inside this pool's own handler, never park for room: if
        // every worker did, no worker would be left to make room.
        let patience = match patience {
            Patience::Forever if shared.inside_handler() => Patience::None,
            other => other,
        };
        let mut before_park = BeforePark::new(shared.settings.spin_before_park);
        loop {
            match shared.control.push(queue, priority, envelope) {
                Ok(()) => return Ok(self.accepted(admission)),
                Err(PushError::Closed(back)) => return Err(self.refused_closed(admission, back)),
                Err(PushError::Full(back)) => envelope = back,
            }
            // Full: spin a little (read-only looks), then park.
            match patience {
                Patience::None => {
                    shared.refuse(admission);
                    return Err(SubmitError::Full(envelope.job));
                }
                // Helping: a queued job run here frees a slot.
                _ if crate::help::help_until(shared, patience.deadline()) => {}
                _ if before_park.snooze() => {
                    while shared.control.looks_full(queue) && before_park.snooze() {}
                }
                _ => break,
            }
        }
        // Park until a worker frees a slot, the pool closes, or the deadline.
        let mut waiting = Some(envelope);
        let pushed = shared.slot_free.wait_until(patience.deadline(), || {
            match shared.control.push(queue, priority, waiting.take()?) {
                Ok(()) => Some(Ok(())),
                Err(PushError::Closed(back)) => Some(Err(back)),
                Err(PushError::Full(back)) => {
                    waiting = Some(back);
                    None
                }
            }
        });
        match (pushed, waiting) {
            (Some(Ok(())), _) => Ok(self.accepted(admission)),
            (Some(Err(envelope)), _) => Err(self.refused_closed(admission, envelope)),
            (None, Some(envelope)) => {
                shared.refuse(admission);
                Err(SubmitError::Timeout(envelope.job))
            }
            // The closure puts the envelope back whenever it returns None.
            (None, None) => unreachable!("a refused envelope is always kept"),
        }
    }

    /// Bookkeeping for a job now in the queue.
    pub(crate) fn accepted(&self, admission: Admission) -> JobId {
        let shared = &*self.shared;
        let id = shared.ledger.accept(admission) as JobId;
        shared.job_ready.notify_one();
        self.after_push();
        id
    }

    /// Bookkeeping for a job the closed queue refused.
    pub(crate) fn refused_closed(
        &self,
        admission: Admission,
        envelope: Envelope<J>,
    ) -> SubmitError<J> {
        self.shared.refuse(admission);
        self.after_push();
        SubmitError::Closed(envelope.job)
    }

    /// After any push attempt: wake every sleeper if the pool is closed (a
    /// push in flight at close time delays "closed and drained" until it
    /// ends), and grow if autoscaling says so.
    pub(crate) fn after_push(&self) {
        let shared = &self.shared;
        if shared.jobs.is_closed() {
            shared.job_ready.notify_all();
            return;
        }
        if let Some(autoscale) = shared.settings.autoscale
            && shared.jobs.len() + shared.control.queued_above() >= autoscale.grow_at_depth
            && shared.crew.live() < autoscale.max_workers
        {
            shared
                .crew
                .grow(autoscale.max_workers, worker::body(shared));
        }
    }

    /// A receiver for the results, or `None` if the pool was built with
    /// [`Builder::discard_results`](crate::Builder::discard_results). Receivers may be many and may outlive
    /// the pool; each result goes to exactly one.
    /// Works from inside the pool's own handler too; see [`Results`] for
    /// how its receive calls behave there.
    ///
    /// ```
    /// use ringpool::Pool;
    ///
    /// let pool = Pool::new(2, 8, |_, job: u32| job).unwrap();
    /// let first = pool.results().unwrap();
    /// let second = pool.results().unwrap();
    /// for job in 0..6 {
    ///     pool.submit(job).unwrap();
    /// }
    /// pool.close();
    /// drop(pool); // receivers outlive the pool
    /// let a: Vec<_> = first.take(3).collect();
    /// let b: Vec<_> = second.collect();
    /// assert_eq!(a.len() + b.len(), 6); // each result exactly once
    ///
    /// let silent = Pool::builder().discard_results().build(|_, _job: u32| ()).unwrap();
    /// assert!(silent.results().is_none());
    /// ```
    pub fn results(&self) -> Option<Results<J, R, E>> {
        if !self.shared.results.is_kept() {
            return None;
        }
        Some(Results::new(Arc::clone(&self.shared)))
    }

    /// Stops accepting jobs (Go's `close(jobQueue)`); see the type docs.
    /// Returns `true` if this call closed the pool.
    /// Works from inside the pool's own handler too.
    ///
    /// ```
    /// use ringpool::{Pool, SubmitError};
    ///
    /// let pool = Pool::new(2, 4, |_, job: u32| job).unwrap();
    /// let results = pool.results().unwrap();
    /// pool.submit(1).unwrap();
    /// assert!(pool.close()); // this call closed it
    /// assert!(!pool.close()); // already closed
    /// assert_eq!(pool.submit(2), Err(SubmitError::Closed(2)));
    /// // Job 1, accepted before the close, still runs; then the stream ends.
    /// assert_eq!(results.map(|r| r.job_id).collect::<Vec<_>>(), [1]);
    /// ```
    pub fn close(&self) -> bool {
        self.shared.close()
    }

    /// Whether [`close`](Self::close) (or a shutdown) happened.
    /// Works from inside the pool's own handler too.
    ///
    /// ```
    /// use ringpool::Pool;
    ///
    /// let pool = Pool::new(1, 4, |_, job: u32| job).unwrap();
    /// assert!(!pool.is_closed());
    /// pool.stop_now(); // stop_now closes too
    /// assert!(pool.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.shared.jobs.is_closed()
    }

    /// Blocks until every job accepted before the call has finished (Go's
    /// `WaitGroup.Wait`). It does not close the pool: more jobs may follow.
    ///
    /// Jobs submitted while it waits do not keep it waiting: its first look
    /// closes the completion counter's current phase (once the previous
    /// phase has drained), and later jobs are counted in the next one (see
    /// [`PhasedCounter`](ringpool_core::PhasedCounter)). So under sustained load it returns once the jobs
    /// accepted before it (and those accepted before its phase closed) are
    /// done, not when the pool goes idle.
    ///
    /// # Errors
    ///
    /// [`WaitError::WouldDeadlock`], at once, when called from inside this
    /// pool's own handler (the caller's own job is one it would wait for).
    ///
    /// ```
    /// use ringpool::Pool;
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicU32, Ordering};
    ///
    /// let done = Arc::new(AtomicU32::new(0));
    /// let counter = Arc::clone(&done);
    /// let pool = Pool::builder()
    ///     .workers(3)
    ///     .queue_capacity(4)
    ///     .discard_results()
    ///     .build(move |_, _job: u32| {
    ///         counter.fetch_add(1, Ordering::Relaxed);
    ///     })
    ///     .unwrap();
    /// for job in 0..10 {
    ///     pool.submit(job).unwrap();
    /// }
    /// pool.wait().unwrap();
    /// assert_eq!(done.load(Ordering::Relaxed), 10);
    /// assert_eq!(pool.pending(), 0);
    /// // Still open: a second batch.
    /// for job in 0..5 {
    ///     pool.submit(job).unwrap();
    /// }
    /// pool.wait().unwrap();
    /// assert_eq!(done.load(Ordering::Relaxed), 15);
    /// ```
    pub fn wait(&self) -> Result<(), WaitError> {
        self.wait_until(None)
    }

    /// As [`wait`](Self::wait), for at most `timeout`.
    ///
    /// A `timeout` past the end of the clock (e.g. `Duration::MAX`) waits
    /// with no deadline, like [`wait`](Self::wait).
    ///
    /// # Errors
    ///
    /// [`WaitError::Timeout`] if jobs were still pending when it ran out;
    /// [`WaitError::WouldDeadlock`] as for [`wait`](Self::wait).
    ///
    /// # Examples
    ///
    /// ```
    /// use ringpool::{Pool, WaitError};
    /// use std::sync::{Arc, Barrier};
    /// use std::time::Duration;
    ///
    /// let gate = Arc::new(Barrier::new(2));
    /// let held = Arc::clone(&gate);
    /// let pool = Pool::new(1, 4, move |_, job: u32| {
    ///     held.wait(); // until released
    ///     job
    /// })
    /// .unwrap();
    /// let results = pool.results().unwrap();
    /// pool.submit(1).unwrap();
    /// assert_eq!(pool.wait_timeout(Duration::from_millis(1)), Err(WaitError::Timeout));
    /// gate.wait(); // release the job
    /// assert_eq!(pool.wait_timeout(Duration::from_secs(10)), Ok(()));
    /// assert_eq!(results.try_recv().unwrap().outcome, Ok(1));
    /// ```
    pub fn wait_timeout(&self, timeout: Duration) -> Result<(), WaitError> {
        // A timeout past the end of the clock is no deadline at all.
        self.wait_until(Instant::now().checked_add(timeout))
    }

    fn wait_until(&self, deadline: Option<Instant>) -> Result<(), WaitError> {
        let shared = &*self.shared;
        if shared.inside_handler() {
            return Err(WaitError::WouldDeadlock);
        }
        // The batch: the jobs counted now. Each look may close the counter's
        // current phase, so later jobs cannot hold this waiter up.
        let batch = shared.ledger.batch();
        // Helping: run queued jobs as parked workers while some are left.
        while !shared.ledger.poll(batch) && crate::help::help_until(shared, deadline) {}
        shared
            .idle
            .wait_until(deadline, || shared.ledger.poll(batch).then_some(()))
            .ok_or(WaitError::Timeout)
    }

    /// Closes the pool and hands back every job not yet started, with its
    /// id, in queue order. Jobs already running finish normally.
    /// Works from inside the pool's own handler too (it never waits for jobs).
    ///
    /// The handed-back jobs count as
    /// [`cancelled`](crate::MetricsSnapshot::cancelled), get no result, and
    /// no longer hold up [`wait`](Self::wait).
    ///
    /// ```
    /// use ringpool::Pool;
    /// use std::sync::{Arc, Barrier};
    ///
    /// let gate = Arc::new(Barrier::new(2));
    /// let held = Arc::clone(&gate);
    /// let pool = Pool::new(1, 4, move |_, job: char| {
    ///     if job == 'a' {
    ///         held.wait(); // job 'a' has started
    ///         held.wait(); // until released
    ///     }
    ///     job
    /// })
    /// .unwrap();
    /// let results = pool.results().unwrap();
    /// pool.submit('a').unwrap();
    /// gate.wait(); // the only worker runs 'a'
    /// for job in ['b', 'c', 'd'] {
    ///     pool.submit(job).unwrap();
    /// }
    /// let unstarted = pool.stop_now();
    /// assert_eq!(unstarted, [(2, 'b'), (3, 'c'), (4, 'd')]);
    /// assert!(pool.submit('e').is_err()); // closed
    /// gate.wait(); // release 'a', which finishes normally
    /// assert_eq!(results.map(|r| r.outcome.unwrap()).collect::<Vec<_>>(), ['a']);
    /// assert_eq!(pool.metrics().cancelled, 3);
    /// ```
    pub fn stop_now(&self) -> Vec<(JobId, J)> {
        self.close();
        let shared = &*self.shared;
        let mut unstarted = Vec::with_capacity(shared.jobs.len());
        // Every level, highest first (`crate::control`), even while paused.
        while let Some(envelope) = shared
            .control
            .pop_above()
            .or_else(|| shared.jobs.pop().ok())
        {
            unstarted.push((envelope.id, envelope.job));
            shared.count_cancelled();
            shared.job_over(envelope.ticket);
        }
        // Workers parked by a pause see closed-and-drained now, and retire.
        shared.job_ready.notify_all();
        unstarted
    }

    /// Graceful shutdown: close, let every accepted job finish, join every
    /// worker thread. From inside the pool's own handler (which may own the
    /// pool) it closes and returns at once, leaving the workers to finish
    /// the accepted jobs: a worker cannot join itself.
    ///
    /// ```
    /// use ringpool::Pool;
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicU32, Ordering};
    ///
    /// let done = Arc::new(AtomicU32::new(0));
    /// let counter = Arc::clone(&done);
    /// let pool = Pool::builder()
    ///     .workers(2)
    ///     .queue_capacity(8)
    ///     .discard_results()
    ///     .build(move |_, _job: u32| {
    ///         counter.fetch_add(1, Ordering::Relaxed);
    ///     })
    ///     .unwrap();
    /// for job in 0..8 {
    ///     pool.submit(job).unwrap();
    /// }
    /// pool.shutdown(); // every accepted job ran; every worker is joined
    /// assert_eq!(done.load(Ordering::Relaxed), 8);
    /// // The handler (and its clone of the counter) is gone with the pool.
    /// assert_eq!(Arc::strong_count(&done), 1);
    /// ```
    pub fn shutdown(self) {
        self.shared.close_to_end();
        if self.shared.inside_handler() {
            // A worker cannot join itself: leave the workers to finish.
            self.shared.crew.detach();
            return;
        }
        self.shared.crew.join(None);
    }

    /// As [`shutdown`](Self::shutdown), for at most `timeout`; on timeout
    /// the workers are detached (they finish their jobs on their own).
    ///
    /// # Errors
    ///
    /// [`Timeout`] if workers were still running when it ran out, and at
    /// once from inside the pool's own handler (as for
    /// [`shutdown`](Self::shutdown)). A `timeout` past the end of the clock
    /// means no deadline.
    ///
    /// # Examples
    ///
    /// ```
    /// use ringpool::{Pool, Timeout};
    /// use std::sync::{Arc, Barrier};
    /// use std::time::Duration;
    ///
    /// let pool = Pool::new(2, 4, |_, job: u32| job).unwrap();
    /// let results = pool.results().unwrap();
    /// pool.submit(1).unwrap();
    /// assert_eq!(pool.shutdown_timeout(Duration::from_secs(10)), Ok(()));
    /// assert_eq!(results.count(), 1);
    ///
    /// // A job held past the timeout: Err, and the worker is left to finish
    /// // (detached: the pool's Drop does not wait for it again).
    /// let gate = Arc::new(Barrier::new(2));
    /// let held = Arc::clone(&gate);
    /// let pool = Pool::builder()
    ///     .workers(1)
    ///     .build(move |_, job: u32| {
    ///         held.wait(); // until released
    ///         job
    ///     })
    ///     .unwrap();
    /// let results = pool.results().unwrap();
    /// pool.submit(7).unwrap();
    /// assert_eq!(pool.shutdown_timeout(Duration::from_millis(1)), Err(Timeout));
    /// gate.wait(); // release the job
    /// assert_eq!(results.recv().unwrap().outcome, Ok(7));
    /// ```
    pub fn shutdown_timeout(self, timeout: Duration) -> Result<(), Timeout> {
        self.shared.close_to_end();
        if !self.shared.inside_handler()
            && self.shared.crew.join(Instant::now().checked_add(timeout))
        {
            Ok(())
        } else {
            self.shared.crew.detach();
            Err(Timeout)
        }
    }

    /// Changes the number of workers to `workers`. New workers start at
    /// once; surplus workers retire after their current job (or at once if
    /// idle). No job is lost or run twice.
    /// Works from inside the pool's own handler too: a worker resized away
    /// (the caller's own included) retires after its current job.
    ///
    /// # Errors
    ///
    /// [`BuildError::ZeroWorkers`], [`BuildError::TooManyWorkers`] (above
    /// `max_workers`), or [`BuildError::Spawn`].
    ///
    /// # Examples
    ///
    /// ```
    /// use ringpool::{BuildError, Pool};
    /// use std::time::Duration;
    ///
    /// let pool = Pool::builder()
    ///     .workers(1)
    ///     .max_workers(4)
    ///     .build(|_, job: u32| job)
    ///     .unwrap();
    /// pool.resize(4).unwrap();
    /// assert_eq!(pool.workers(), 4); // new workers start at once
    /// pool.resize(2).unwrap();
    /// // Surplus workers retire between jobs, soon but not at once.
    /// while pool.workers() > 2 {
    ///     std::thread::sleep(Duration::from_millis(1));
    /// }
    /// assert_eq!(pool.workers(), 2);
    /// assert_eq!(pool.resize(0), Err(BuildError::ZeroWorkers));
    /// assert_eq!(pool.resize(5), Err(BuildError::TooManyWorkers { requested: 5, max: 4 }));
    /// ```
    pub fn resize(&self, workers: usize) -> Result<(), BuildError> {
        let shared = &*self.shared;
        if workers == 0 {
            return Err(BuildError::ZeroWorkers);
        }
        if workers > shared.settings.max_workers {
            return Err(BuildError::TooManyWorkers {
                requested: workers,
                max: shared.settings.max_workers,
            });
        }
        shared.crew.resize(workers, || worker::body(&self.shared))?;
        // Surplus workers notice between jobs; wake the idle ones.
        shared.job_ready.notify_all();
        Ok(())
    }

    /// Live workers (those not retiring). After a
    /// [`resize`](Self::resize) down, this falls as the surplus workers
    /// finish their current jobs.
    /// Works from inside the pool's own handler too.
    ///
    /// ```
    /// use ringpool::Pool;
    ///
    /// let pool = Pool::new(3, 4, |_, job: u32| job).unwrap();
    /// assert_eq!(pool.workers(), 3);
    /// pool.resize(5).unwrap();
    /// assert_eq!(pool.workers(), 5);
    /// ```
    pub fn workers(&self) -> usize {
        self.shared.crew.live()
    }

    /// Jobs accepted and not yet finished: queued or running.
    /// Works from inside the pool's own handler too (the caller's own job counts as pending).
    ///
    /// ```
    /// use ringpool::Pool;
    /// use std::sync::{Arc, Barrier};
    ///
    /// let gate = Arc::new(Barrier::new(2));
    /// let held = Arc::clone(&gate);
    /// let pool = Pool::new(1, 4, move |_, job: u32| {
    ///     if job == 1 {
    ///         held.wait(); // job 1 has started
    ///         held.wait(); // until released
    ///     }
    ///     job
    /// })
    /// .unwrap();
    /// assert_eq!(pool.pending(), 0);
    /// pool.submit(1).unwrap();
    /// gate.wait(); // job 1 is running
    /// pool.submit(2).unwrap(); // job 2 is queued
    /// assert_eq!(pool.pending(), 2);
    /// gate.wait(); // release job 1
    /// pool.wait().unwrap();
    /// assert_eq!(pool.pending(), 0);
    /// ```
    pub fn pending(&self) -> usize {
        self.shared.ledger.pending()
    }

    /// A snapshot of the pool's counters, gauges and histograms; see
    /// [`MetricsSnapshot`] for each figure. Cheap: no lock, no per-job
    /// work.
    /// Works from inside the pool's own handler too.
    ///
    /// ```
    /// use ringpool::Pool;
    /// use std::sync::{Arc, Barrier};
    ///
    /// let gate = Arc::new(Barrier::new(2));
    /// let held = Arc::clone(&gate);
    /// let pool = Pool::builder()
    ///     .workers(2)
    ///     .queue_capacity(4)
    ///     .build_fallible(move |_, job: i32| {
    ///         match job {
    ///             0 => {
    ///                 held.wait(); // job 0 has started
    ///                 held.wait(); // until released
    ///                 Ok(0)
    ///             }
    ///             n if n < 0 => Err("negative"),
    ///             n if n > 100 => panic!("too big"),
    ///             n => Ok(n),
    ///         }
    ///     })
    ///     .unwrap();
    /// let results = pool.results().unwrap();
    /// pool.submit(0).unwrap();
    /// gate.wait(); // one worker is busy with job 0
    /// let m = pool.metrics();
    /// assert_eq!((m.workers, m.busy_workers, m.idle_workers), (2, 1, 1));
    /// gate.wait(); // release job 0
    ///
    /// for job in [5, -1, 500] {
    ///     pool.submit(job).unwrap();
    /// }
    /// pool.wait().unwrap();
    /// let m = pool.metrics();
    /// assert_eq!(m.submitted, 4);
    /// assert_eq!(m.started, 4);
    /// assert_eq!((m.succeeded, m.failed, m.panicked), (2, 1, 1));
    /// assert_eq!(m.results_pending, 4); // finished, not yet received
    /// assert_eq!(m.run_time.count(), 4);
    /// pool.close();
    /// assert_eq!(results.count(), 4);
    /// ```
    pub fn metrics(&self) -> MetricsSnapshot {
        let shared = &*self.shared;
        let mut snapshot = MetricsSnapshot {
            submitted: shared.ledger.accepted() as u64,
            rejected: shared.ledger.refused() as u64,
            cancelled: shared.cancelled.load(Ordering::Relaxed),
            expired: shared.control.expired_count(),
            priorities: shared.control.priorities(),
            paused: shared.control.is_paused(),
            queue_depth: shared.jobs.len() + shared.control.queued_above(),
            queue_capacity: shared.jobs.capacity(),
            workers: shared.crew.live(),
            results_pending: shared.results.pending(),
            results_spilled: shared.results.spilled_total(),
            ..MetricsSnapshot::default()
        };
        for stats in shared.crew.all_stats() {
            if stats.add_to(&mut snapshot) {
                snapshot.busy_workers += 1;
            }
        }
        snapshot.busy_workers = snapshot.busy_workers.min(snapshot.workers);
        snapshot.idle_workers = snapshot.workers - snapshot.busy_workers;
        shared
            .control
            .depths(&shared.jobs, &mut snapshot.level_depths);
        snapshot
    }
}

impl<J, R, E> Drop for Pool<J, R, E> {
    fn drop(&mut self) {
        let shared = &*self.shared;
        shared.close_to_end();
        if shared.crew.is_detached() {
            // shutdown_timeout already waited and gave up on the workers.
            return;
        }
        if shared.inside_handler() {
            // Dropped by its own handler (which held the last handle): the
            // workers, this one included, finish the accepted jobs and exit
            // on their own; a worker cannot wait for itself.
            return;
        }
        let timeout = shared.settings.drop_timeout;
        if !shared.crew.join(Instant::now().checked_add(timeout)) {
            eprintln!(
                "ringpool: pool dropped with {} job(s) still pending after {timeout:?}; \
                 detaching its workers, which will finish them",
                shared.ledger.pending(),
            );
        }
    }
}

impl<J, R, E> std::fmt::Debug for Pool<J, R, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("workers", &self.shared.crew.live())
            .field("pending", &self.shared.ledger.pending())
            .field("closed", &self.shared.jobs.is_closed())
            .finish_non_exhaustive()
    }
}
