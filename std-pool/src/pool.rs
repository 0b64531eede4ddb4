//! [`Pool`]: submitting, closing, waiting, scaling and shutting down.

use crate::backoff::BeforePark;
use crate::builder::{Builder, Settings};
use crate::clock::JobClock;
use crate::error::{BuildError, SubmitError, Timeout, WaitError};
use crate::event::Event;
use crate::metrics::MetricsSnapshot;
use crate::results::Results;
use crate::ring::{filled_box, heap_ring};
use crate::shared::{Envelope, Handler, Shared, WorkerSet};
use crate::worker;
use crossbeam_utils::CachePadded;
use ringpool_core::{PhasedCounter, PushError};
use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

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
/// | [`Results::try_recv`] | works as anywhere |
/// | [`Results::recv`], [`Results::recv_timeout`], iterating | a result if one is ready; otherwise no wait: `None` (the iteration ends) or [`RecvError::WouldDeadlock`](crate::RecvError::WouldDeadlock) |
/// | [`shutdown`](Self::shutdown), [`shutdown_timeout`](Self::shutdown_timeout), Drop | close and return at once, leaving the workers to finish the accepted jobs (`shutdown_timeout` returns [`Timeout`]) |
///
/// So a handler that closes its pool and then drains the results gets the
/// results ready so far, and returns.
///
/// `J` is the job type, `R` the handler's value and `E` its error (for
/// [`Builder::build`] handlers, which cannot fail, [`Infallible`]).
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
///   counter's current phase (see [`PhasedCounter`]), so under sustained
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
    shared: Arc<Shared<J, R, E>>,
}

/// Locks, ignoring poison (no code panics while holding these locks).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// How long a submit may wait.
#[derive(Clone, Copy)]
enum Patience {
    /// Not at all (`try_submit`).
    None,
    /// Until a deadline (`submit_timeout`).
    Until(Instant),
    /// For ever (`submit`).
    Forever,
}

impl Patience {
    fn deadline(self) -> Option<Instant> {
        match self {
            Self::Until(deadline) => Some(deadline),
            _ => None,
        }
    }
}

impl Pool<(), (), Infallible> {
    /// A [`Builder`] with the defaults: one worker per CPU, a queue of
    /// 1024, results collected, timing on.
    ///
    /// ```
    /// use ringpool::Pool;
    ///
    /// let pool = Pool::builder().build(|_, job: u32| job).unwrap();
    /// let m = pool.metrics();
    /// assert_eq!(m.queue_capacity, 1024);
    /// assert!(m.workers >= 1);
    /// assert!(pool.results().is_some());
    /// ```
    pub fn builder() -> Builder {
        Builder::default()
    }
}

impl<J, R> Pool<J, R, Infallible>
where
    J: Send + 'static,
    R: Send + 'static,
{
    /// Go's `NewWorkerPool(numWorkers, jobQueueSize)`, started: `workers`
    /// threads running `handler` over a queue of `queue_capacity` jobs.
    ///
    /// # Errors
    ///
    /// [`BuildError`] for zero workers, a zero or too large capacity, or a
    /// failed thread spawn.
    ///
    /// # Examples
    ///
    /// ```
    /// use ringpool::{BuildError, Pool};
    ///
    /// let pool = Pool::new(3, 10, |_, job: u64| job * job).unwrap();
    /// assert_eq!(pool.workers(), 3);
    /// assert_eq!(pool.metrics().queue_capacity, 10);
    ///
    /// // Bad arguments are an error, never a panic or a hang.
    /// let err = Pool::new(0, 10, |_, job: u64| job).unwrap_err();
    /// assert_eq!(err, BuildError::ZeroWorkers);
    /// assert!(Pool::new(3, 0, |_, job: u64| job).is_err());
    /// ```
    pub fn new<F>(workers: usize, queue_capacity: usize, handler: F) -> Result<Self, BuildError>
    where
        F: Fn(JobContext, J) -> R + Send + Sync + 'static,
    {
        Builder::default()
            .workers(workers)
            .queue_capacity(queue_capacity)
            .build(handler)
    }
}

impl<J, R, E> Pool<J, R, E>
where
    J: Send + 'static,
    R: Send + 'static,
    E: Send + 'static,
{
    /// Allocates everything and starts the workers.
    pub(crate) fn start(settings: Settings, handler: Handler<J, R, E>) -> Result<Self, BuildError> {
        let jobs = heap_ring("queue", settings.queue_capacity)?;
        let results = match settings.results_capacity {
            Some(capacity) => Some(heap_ring("results", capacity)?),
            None => None,
        };
        let max = settings.max_workers;
        let workers = settings.workers;
        // Sized by the caller: allocated fallibly, so a size this machine
        // cannot hold is an error, not an abort.
        let out_of_memory = |_| BuildError::OutOfMemory {
            which: "workers",
            len: max,
        };
        let threads = filled_box(max, || None).map_err(out_of_memory)?;
        let in_use = filled_box(max, || false).map_err(out_of_memory)?;
        let stats = filled_box(max, OnceLock::new).map_err(out_of_memory)?;
        let shared = Arc::new(Shared {
            clock: JobClock::new(settings.job_timing),
            handler,
            jobs,
            results,
            counter: PhasedCounter::new(),
            job_ready: Event::new(),
            slot_free: Event::new(),
            result_ready: Event::new(),
            result_room: Event::new(),
            spilling: AtomicBool::new(false),
            idle: Event::new(),
            worker_exit: Event::new(),
            next_id: CachePadded::new(AtomicU64::new(1)),
            submitted: CachePadded::new(AtomicU64::new(0)),
            rejected: AtomicU64::new(0),
            cancelled: AtomicU64::new(0),
            spilled: Mutex::new(VecDeque::new()),
            spilled_len: AtomicUsize::new(0),
            spilled_total: AtomicU64::new(0),
            detached: AtomicBool::new(false),
            live: AtomicUsize::new(0),
            target: AtomicUsize::new(workers),
            running_threads: AtomicUsize::new(0),
            workers: Mutex::new(WorkerSet { threads, in_use }),
            stats,
            settings,
        });
        let pool = Self { shared };
        {
            let mut set = lock(&pool.shared.workers);
            for _ in 0..workers {
                // On failure, Drop closes the pool and reaps what started.
                worker::spawn(&pool.shared, &mut set)?;
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
    /// [`Builder::results_capacity`]).
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
        let shared = &*self.shared;
        if shared.jobs.is_closed() {
            shared.rejected.fetch_add(1, Ordering::Relaxed);
            return Err(SubmitError::Closed(job));
        }
        // Counted before it is queued, so wait() and the result stream
        // never see the pool idle while this job is in flight.
        let Ok(ticket) = shared.counter.add(1) else {
            shared.rejected.fetch_add(1, Ordering::Relaxed);
            return Err(SubmitError::Full(job));
        };
        let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
        let mut envelope = Envelope {
            id,
            job,
            submitted_at: shared.clock.now(),
            ticket,
        };
        // From inside this pool's own handler, never park for room: if
        // every worker did, no worker would be left to make room.
        let patience = match patience {
            Patience::Forever if worker::inside_handler_of(shared) => Patience::None,
            other => other,
        };
        let mut before_park = BeforePark::new(shared.settings.spin_before_park);
        loop {
            match shared.jobs.push(envelope) {
                Ok(()) => return Ok(self.accepted(id)),
                Err(PushError::Closed(back)) => return Err(self.refused_closed(back)),
                Err(PushError::Full(back)) => envelope = back,
            }
            // Full: spin a little (read-only looks), then park.
            match patience {
                Patience::None => {
                    shared.refuse(envelope.ticket);
                    return Err(SubmitError::Full(envelope.job));
                }
                _ if before_park.snooze() => {
                    while shared.jobs.len() >= shared.jobs.capacity()
                        && !shared.jobs.is_closed()
                        && before_park.snooze()
                    {}
                }
                _ => break,
            }
        }
        // Park until a worker frees a slot, the pool closes, or the deadline.
        let mut waiting = Some(envelope);
        let pushed = shared.slot_free.wait_until(patience.deadline(), || {
            match shared.jobs.push(waiting.take()?) {
                Ok(()) => Some(Ok(())),
                Err(PushError::Closed(back)) => Some(Err(back)),
                Err(PushError::Full(back)) => {
                    waiting = Some(back);
                    None
                }
            }
        });
        match (pushed, waiting) {
            (Some(Ok(())), _) => Ok(self.accepted(id)),
            (Some(Err(envelope)), _) => Err(self.refused_closed(envelope)),
            (None, Some(envelope)) => {
                shared.refuse(envelope.ticket);
                Err(SubmitError::Timeout(envelope.job))
            }
            // The closure puts the envelope back whenever it returns None.
            (None, None) => unreachable!("a refused envelope is always kept"),
        }
    }

    /// Bookkeeping for a job now in the queue.
    fn accepted(&self, id: JobId) -> JobId {
        let shared = &*self.shared;
        shared.submitted.fetch_add(1, Ordering::Relaxed);
        shared.job_ready.notify_one();
        self.after_push();
        id
    }

    /// Bookkeeping for a job the closed queue refused.
    fn refused_closed(&self, envelope: Envelope<J>) -> SubmitError<J> {
        self.shared.refuse(envelope.ticket);
        self.after_push();
        SubmitError::Closed(envelope.job)
    }

    /// After any push attempt: wake every sleeper if the pool is closed (a
    /// push in flight at close time delays "closed and drained" until it
    /// ends), and grow if autoscaling says so.
    fn after_push(&self) {
        let shared = &*self.shared;
        if shared.jobs.is_closed() {
            shared.job_ready.notify_all();
            return;
        }
        if let Some(autoscale) = shared.settings.autoscale
            && shared.jobs.len() >= autoscale.grow_at_depth
            && shared.live.load(Ordering::Acquire) < autoscale.max_workers
        {
            let mut set = lock(&shared.workers);
            let live = shared.live.load(Ordering::Acquire);
            if live < autoscale.max_workers && worker::spawn(&self.shared, &mut set).is_ok() {
                shared.target.store(live + 1, Ordering::Release);
            }
        }
    }

    /// A receiver for the results, or `None` if the pool was built with
    /// [`Builder::discard_results`]. Receivers may be many and may outlive
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
        self.shared.results.as_ref()?;
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
    /// [`PhasedCounter`]). So under sustained load it returns once the jobs
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
        if worker::inside_handler_of(shared) {
            return Err(WaitError::WouldDeadlock);
        }
        // The batch: the jobs counted now. Each look may close the counter's
        // current phase, so later jobs cannot hold this waiter up.
        let batch = shared.counter.batch();
        shared
            .idle
            .wait_until(deadline, || shared.counter.poll(batch).then_some(()))
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
        while let Ok(envelope) = shared.jobs.pop() {
            unstarted.push((envelope.id, envelope.job));
            shared.cancelled.fetch_add(1, Ordering::Relaxed);
            shared.job_over(envelope.ticket);
        }
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
        self.close();
        if worker::inside_handler_of(&self.shared) {
            // A worker cannot join itself: leave the workers to finish.
            self.shared.detached.store(true, Ordering::Release);
            return;
        }
        self.shared.join_workers(None);
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
        self.close();
        if !worker::inside_handler_of(&self.shared)
            && self
                .shared
                .join_workers(Instant::now().checked_add(timeout))
        {
            Ok(())
        } else {
            self.shared.detached.store(true, Ordering::Release);
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
        let mut set = lock(&shared.workers);
        shared.target.store(workers, Ordering::Release);
        while shared.live.load(Ordering::Acquire) < workers {
            worker::spawn(&self.shared, &mut set)?;
        }
        drop(set);
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
        self.shared.live.load(Ordering::Acquire)
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
        self.shared.counter.pending()
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
            submitted: shared.submitted.load(Ordering::Relaxed),
            rejected: shared.rejected.load(Ordering::Relaxed),
            cancelled: shared.cancelled.load(Ordering::Relaxed),
            queue_depth: shared.jobs.len(),
            queue_capacity: shared.jobs.capacity(),
            workers: shared.live.load(Ordering::Acquire),
            results_pending: shared.results_pending(),
            results_spilled: shared.spilled_total.load(Ordering::Relaxed),
            ..MetricsSnapshot::default()
        };
        for stats in shared.stats.iter().filter_map(OnceLock::get) {
            if stats.add_to(&mut snapshot) {
                snapshot.busy_workers += 1;
            }
        }
        snapshot.busy_workers = snapshot.busy_workers.min(snapshot.workers);
        snapshot.idle_workers = snapshot.workers - snapshot.busy_workers;
        snapshot
    }
}

impl<J, R, E> Drop for Pool<J, R, E> {
    fn drop(&mut self) {
        let shared = &*self.shared;
        shared.close();
        if shared.detached.load(Ordering::Acquire) {
            // shutdown_timeout already waited and gave up on the workers.
            return;
        }
        if worker::inside_handler_of(shared) {
            // Dropped by its own handler (which held the last handle): the
            // workers, this one included, finish the accepted jobs and exit
            // on their own; a worker cannot wait for itself.
            return;
        }
        let timeout = shared.settings.drop_timeout;
        if !shared.join_workers(Instant::now().checked_add(timeout)) {
            eprintln!(
                "ringpool: pool dropped with {} job(s) still pending after {timeout:?}; \
                 detaching its workers, which will finish them",
                shared.counter.pending(),
            );
        }
    }
}

impl<J, R, E> std::fmt::Debug for Pool<J, R, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("workers", &self.shared.live.load(Ordering::Relaxed))
            .field("pending", &self.shared.counter.pending())
            .field("closed", &self.shared.jobs.is_closed())
            .finish_non_exhaustive()
    }
}
