//! [`Pool`]: submitting, closing, waiting, scaling and shutting down.

use crate::backoff::BeforePark;
use crate::builder::{Builder, Settings};
use crate::clock::JobClock;
use crate::error::{BuildError, SubmitError, Timeout};
use crate::event::Event;
use crate::metrics::MetricsSnapshot;
use crate::results::Results;
use crate::ring::heap_ring;
use crate::shared::{Envelope, Handler, Shared, WorkerSet};
use crate::worker;
use crossbeam_utils::CachePadded;
use ringpool_core::{CompletionCounter, PushError};
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

/// A job's identity: its submission number, from 1, unique in its pool. A
/// refused submission uses up its number.
pub type JobId = u64;

/// What the handler learns about the job it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobContext {
    /// The worker running the job, from 1 (as in `Worker 1 started job 1`).
    pub worker_id: usize,
    /// The job's id, as returned by its submit.
    pub job_id: JobId,
}

/// A pool of worker threads running one handler over typed jobs.
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
/// * [`wait`](Self::wait): blocks until every job accepted so far has
///   finished (Go's `WaitGroup.Wait`). Does not close. Jobs accepted while it
///   waits may or may not be waited for; it is never fooled into waiting for
///   the next batch forever.
/// * [`stop_now`](Self::stop_now): closes, and hands back every job not yet
///   started; running jobs finish.
/// * [`shutdown`](Self::shutdown): close, wait, join every worker thread.
/// * **Drop** closes the pool (so nothing new is accepted), then waits up to
///   the builder's `drop_timeout` (10 s by default) for every accepted job to
///   finish and the workers to exit. If time runs out it prints how many
///   jobs are still running to stderr and detaches the workers, which finish
///   those jobs and exit on their own. It never hangs forever and never
///   drops a queued job unrun. Results not yet drained stay readable through
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
    /// A [`Builder`] with the defaults.
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
        let capacity_error = |which| move |error| BuildError::Capacity { which, error };
        let jobs = heap_ring(settings.queue_capacity).map_err(capacity_error("queue"))?;
        let results = match settings.results_capacity {
            Some(capacity) => Some(heap_ring(capacity).map_err(capacity_error("results"))?),
            None => None,
        };
        let max = settings.max_workers;
        let workers = settings.workers;
        let shared = Arc::new(Shared {
            clock: JobClock::new(settings.job_timing),
            handler,
            jobs,
            results,
            counter: CompletionCounter::new(),
            job_ready: Event::new(),
            slot_free: Event::new(),
            result_room: Event::new(),
            result_ready: Event::new(),
            idle: Event::new(),
            worker_exit: Event::new(),
            next_id: CachePadded::new(AtomicU64::new(1)),
            submitted: CachePadded::new(AtomicU64::new(0)),
            rejected: AtomicU64::new(0),
            cancelled: AtomicU64::new(0),
            results_reserved: CachePadded::new(AtomicUsize::new(0)),
            receivers: AtomicUsize::new(0),
            live: AtomicUsize::new(0),
            target: AtomicUsize::new(workers),
            running_threads: AtomicUsize::new(0),
            workers: Mutex::new(WorkerSet {
                threads: (0..max).map(|_| None).collect(),
                in_use: vec![false; max],
            }),
            stats: (0..max).map(|_| OnceLock::new()).collect(),
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
    /// [`SubmitError::Closed`] after [`close`](Self::close);
    /// [`SubmitError::ResultsFull`] when results are collected, all result
    /// slots hold undrained results and no [`Results`] receiver exists.
    /// The job is handed back inside.
    pub fn submit(&self, job: J) -> Result<JobId, SubmitError<J>> {
        self.submit_with(job, Patience::Forever)
    }

    /// Queues `job` only if there is room now.
    ///
    /// # Errors
    ///
    /// As [`submit`](Self::submit), plus [`SubmitError::Full`].
    pub fn try_submit(&self, job: J) -> Result<JobId, SubmitError<J>> {
        self.submit_with(job, Patience::None)
    }

    /// Queues `job`, waiting at most `timeout` for room.
    ///
    /// # Errors
    ///
    /// As [`submit`](Self::submit), plus [`SubmitError::Timeout`].
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
        if let Err(refusal) = self.reserve_result(patience) {
            shared.rejected.fetch_add(1, Ordering::Relaxed);
            return Err(refusal.with(job));
        }
        // Counted before it is queued, so wait() and the result stream
        // never see the pool idle while this job is in flight.
        if shared.counter.add(1).is_err() {
            shared.release_result();
            shared.rejected.fetch_add(1, Ordering::Relaxed);
            return Err(SubmitError::Full(job));
        }
        let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
        let mut envelope = Envelope {
            id,
            job,
            submitted_at: shared.clock.now(),
        };
        let mut before_park = BeforePark::new(shared.settings.spin_before_park);
        loop {
            match shared.jobs.push(envelope) {
                Ok(()) => {
                    shared.submitted.fetch_add(1, Ordering::Relaxed);
                    shared.job_ready.notify_one();
                    self.after_push();
                    return Ok(id);
                }
                Err(PushError::Closed(back)) => {
                    shared.refuse();
                    self.after_push();
                    return Err(SubmitError::Closed(back.job));
                }
                Err(PushError::Full(back)) => envelope = back,
            }
            // Full: spin a little, then park until a worker frees a slot.
            match patience {
                Patience::None => {
                    shared.refuse();
                    return Err(SubmitError::Full(envelope.job));
                }
                _ if before_park.snooze() => {}
                _ => {
                    let listener = shared.slot_free.listen();
                    match shared.jobs.push(envelope) {
                        Ok(()) => {
                            shared.slot_free.cancel(listener);
                            shared.submitted.fetch_add(1, Ordering::Relaxed);
                            shared.job_ready.notify_one();
                            self.after_push();
                            return Ok(id);
                        }
                        Err(PushError::Closed(back)) => {
                            shared.slot_free.cancel(listener);
                            shared.refuse();
                            self.after_push();
                            return Err(SubmitError::Closed(back.job));
                        }
                        Err(PushError::Full(back)) => envelope = back,
                    }
                    if !shared.slot_free.wait(listener, patience.deadline())
                        && matches!(patience, Patience::Until(d) if Instant::now() >= d)
                    {
                        shared.refuse();
                        return Err(SubmitError::Timeout(envelope.job));
                    }
                }
            }
        }
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

    /// Reserves a result slot, waiting as `patience` allows.
    fn reserve_result(&self, patience: Patience) -> Result<(), Refusal> {
        let shared = &*self.shared;
        loop {
            match shared.reserve_result() {
                Ok(true) => return Ok(()),
                Err(()) => return Err(Refusal::ResultsFull),
                Ok(false) => {}
            }
            if let Patience::None = patience {
                return Err(Refusal::Full);
            }
            let listener = shared.result_room.listen();
            match shared.reserve_result() {
                Ok(true) => {
                    shared.result_room.cancel(listener);
                    return Ok(());
                }
                Err(()) => {
                    shared.result_room.cancel(listener);
                    return Err(Refusal::ResultsFull);
                }
                Ok(false) => {}
            }
            if shared.jobs.is_closed() {
                shared.result_room.cancel(listener);
                return Err(Refusal::Closed);
            }
            if !shared.result_room.wait(listener, patience.deadline())
                && matches!(patience, Patience::Until(d) if Instant::now() >= d)
            {
                return Err(Refusal::Timeout);
            }
        }
    }

    /// A receiver for the results, or `None` if the pool was built with
    /// [`Builder::discard_results`]. Receivers may be many and may outlive
    /// the pool; each result goes to exactly one.
    pub fn results(&self) -> Option<Results<J, R, E>> {
        self.shared.results.as_ref()?;
        Some(Results::new(Arc::clone(&self.shared)))
    }

    /// Stops accepting jobs (Go's `close(jobQueue)`); see the type docs.
    /// Returns `true` if this call closed the pool.
    pub fn close(&self) -> bool {
        self.shared.close()
    }

    /// Whether [`close`](Self::close) (or a shutdown) happened.
    pub fn is_closed(&self) -> bool {
        self.shared.jobs.is_closed()
    }

    /// Blocks until every job accepted so far has finished.
    pub fn wait(&self) {
        let _ = self.wait_until(None);
    }

    /// As [`wait`](Self::wait), for at most `timeout`.
    ///
    /// # Errors
    ///
    /// [`Timeout`] if jobs were still pending when it ran out.
    pub fn wait_timeout(&self, timeout: Duration) -> Result<(), Timeout> {
        self.wait_until(Instant::now().checked_add(timeout))
    }

    fn wait_until(&self, deadline: Option<Instant>) -> Result<(), Timeout> {
        let shared = &*self.shared;
        let batch = shared.counter.batch();
        loop {
            if shared.counter.is_finished(batch) {
                return Ok(());
            }
            let listener = shared.idle.listen();
            if shared.counter.is_finished(batch) {
                shared.idle.cancel(listener);
                return Ok(());
            }
            if !shared.idle.wait(listener, deadline) && !shared.counter.is_finished(batch) {
                return Err(Timeout);
            }
        }
    }

    /// Closes the pool and hands back every job not yet started, with its
    /// id, in queue order. Jobs already running finish normally.
    pub fn stop_now(&self) -> Vec<(JobId, J)> {
        self.close();
        let shared = &*self.shared;
        let mut unstarted = Vec::with_capacity(shared.jobs.len());
        while let Ok(envelope) = shared.jobs.pop() {
            unstarted.push((envelope.id, envelope.job));
            shared.cancelled.fetch_add(1, Ordering::Relaxed);
            shared.release_result();
            shared.job_over();
        }
        unstarted
    }

    /// Graceful shutdown: close, let every accepted job finish, join every
    /// worker thread.
    pub fn shutdown(self) {
        self.close();
        self.shared.join_workers(None);
    }

    /// As [`shutdown`](Self::shutdown), for at most `timeout`; on timeout
    /// the workers are detached (they finish their jobs on their own).
    ///
    /// # Errors
    ///
    /// [`Timeout`] if workers were still running when it ran out.
    pub fn shutdown_timeout(self, timeout: Duration) -> Result<(), Timeout> {
        self.close();
        if self
            .shared
            .join_workers(Instant::now().checked_add(timeout))
        {
            Ok(())
        } else {
            Err(Timeout)
        }
    }

    /// Changes the number of workers to `workers`. New workers start at
    /// once; surplus workers retire after their current job (or at once if
    /// idle). No job is lost or run twice.
    ///
    /// # Errors
    ///
    /// [`BuildError::ZeroWorkers`], [`BuildError::TooManyWorkers`] (above
    /// `max_workers`), or [`BuildError::Spawn`].
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

    /// Live workers (those not retiring).
    pub fn workers(&self) -> usize {
        self.shared.live.load(Ordering::Acquire)
    }

    /// Jobs accepted and not yet finished.
    pub fn pending(&self) -> usize {
        self.shared.counter.pending()
    }

    /// A snapshot of the pool's counters, gauges and histograms.
    pub fn metrics(&self) -> MetricsSnapshot {
        let shared = &*self.shared;
        let mut snapshot = MetricsSnapshot {
            submitted: shared.submitted.load(Ordering::Relaxed),
            rejected: shared.rejected.load(Ordering::Relaxed),
            cancelled: shared.cancelled.load(Ordering::Relaxed),
            queue_depth: shared.jobs.len(),
            queue_capacity: shared.jobs.capacity(),
            workers: shared.live.load(Ordering::Acquire),
            results_pending: shared.results.as_ref().map_or(0, |r| r.len()),
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

/// Why a result slot could not be reserved.
enum Refusal {
    Full,
    Timeout,
    Closed,
    ResultsFull,
}

impl Refusal {
    fn with<J>(self, job: J) -> SubmitError<J> {
        match self {
            Self::Full => SubmitError::Full(job),
            Self::Timeout => SubmitError::Timeout(job),
            Self::Closed => SubmitError::Closed(job),
            Self::ResultsFull => SubmitError::ResultsFull(job),
        }
    }
}

impl<J, R, E> Drop for Pool<J, R, E> {
    fn drop(&mut self) {
        let shared = &*self.shared;
        shared.close();
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
