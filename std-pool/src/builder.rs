//! [`Builder`]: how a pool is configured and created.

use crate::error::BuildError;
use crate::job::JobContext;
use crate::pool::Pool;
use crate::settings::{Autoscale, Settings};
use std::convert::Infallible;
use std::time::Duration;

/// Configures a [`Pool`]. Start from [`Pool::builder`].
///
/// ```
/// use ringpool::Pool;
/// let pool = Pool::builder()
///     .workers(4)
///     .queue_capacity(256)
///     .build(|ctx, n: u64| (ctx.worker_id, n * n))
///     .unwrap();
/// pool.submit(7).unwrap();
/// pool.close();
/// let result = pool.results().unwrap().next().unwrap();
/// assert_eq!(result.outcome.unwrap().1, 49);
/// ```
#[derive(Debug, Clone)]
pub struct Builder {
    pub(crate) workers: usize,
    pub(crate) queue_capacity: usize,
    pub(crate) results_capacity: Option<usize>,
    pub(crate) collect_results: bool,
    pub(crate) max_workers: Option<usize>,
    pub(crate) autoscale: Option<Autoscale>,
    pub(crate) spin_before_park: u32,
    pub(crate) thread_name: String,
    pub(crate) drop_timeout: Duration,
    pub(crate) job_timing: bool,
    pub(crate) spill_after: Duration,
    pub(crate) take_batch: usize,
    pub(crate) priorities: usize,
    pub(crate) cancellable: bool,
    pub(crate) helping: bool,
}

impl Default for Builder {
    fn default() -> Self {
        Self {
            workers: std::thread::available_parallelism().map_or(1, |n| n.get()),
            queue_capacity: 1024,
            results_capacity: None,
            collect_results: true,
            max_workers: None,
            autoscale: None,
            spin_before_park: 32,
            thread_name: "ringpool-worker".into(),
            drop_timeout: Duration::from_secs(10),
            job_timing: true,
            spill_after: Duration::from_millis(10),
            take_batch: 1,
            priorities: 1,
            cancellable: false,
            helping: false,
        }
    }
}

impl Builder {
    /// The most workers a pool may have (`max_workers`, `workers`, an
    /// autoscale maximum): 65 536.
    pub const MAX_WORKERS: usize = 1 << 16;

    /// The longest [`spill_after`](Self::spill_after): 1 s.
    pub const MAX_SPILL_AFTER: Duration = Duration::from_secs(1);

    /// Worker threads at start (default: the machine's parallelism).
    ///
    /// Zero is refused with [`BuildError::ZeroWorkers`] when the pool is
    /// built.
    ///
    /// ```
    /// use ringpool::{BuildError, Pool};
    ///
    /// let pool = Pool::builder().workers(2).build(|_, job: u32| job).unwrap();
    /// assert_eq!(pool.workers(), 2);
    ///
    /// let err = Pool::builder().workers(0).build(|_, job: u32| job).unwrap_err();
    /// assert_eq!(err, BuildError::ZeroWorkers);
    /// ```
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = workers;
        self
    }

    /// Jobs the queue holds before submit applies backpressure (default 1024).
    ///
    /// Zero, or more than [`ringpool_core::MAX_CAPACITY`], is refused with
    /// [`BuildError::Capacity`] when the pool is built.
    ///
    /// ```
    /// use ringpool::{BuildError, Pool};
    /// use ringpool_core::CapacityError;
    ///
    /// let pool = Pool::builder()
    ///     .workers(1)
    ///     .queue_capacity(16)
    ///     .build(|_, job: u32| job)
    ///     .unwrap();
    /// assert_eq!(pool.metrics().queue_capacity, 16);
    ///
    /// let err = Pool::builder().queue_capacity(0).build(|_, job: u32| job).unwrap_err();
    /// assert_eq!(
    ///     err,
    ///     BuildError::Capacity { which: "queue", error: CapacityError::Zero }
    /// );
    /// ```
    pub fn queue_capacity(mut self, capacity: usize) -> Self {
        self.queue_capacity = capacity;
        self
    }

    /// Results the lock-free result ring holds (default: queue capacity
    /// plus the worker count). When it is full, a worker waits briefly
    /// ([`spill_after`](Self::spill_after), 10 ms by default) for a receiver
    /// to take a result: a receiver that keeps draining,
    /// however slowly, holds the backlog (and the memory) at the ring, and
    /// the queue then applies backpressure to submitters. If nobody takes
    /// a result in that time, nobody is draining: the result spills into a
    /// growable buffer (allocating only as the backlog grows), and so do
    /// later ones, without waiting, until a receiver drains again. So no
    /// order of calls can deadlock — the Go pattern's order (submit everything,
    /// close, wait, then collect) works with any number of jobs, at the cost
    /// of the undrained backlog in memory — and
    /// [`MetricsSnapshot::results_spilled`](crate::MetricsSnapshot::results_spilled)
    /// counts the spills.
    ///
    /// ```
    /// use ringpool::Pool;
    ///
    /// let pool = Pool::builder()
    ///     .workers(1)
    ///     .queue_capacity(4)
    ///     .results_capacity(2)
    ///     .build(|_, job: u32| job)
    ///     .unwrap();
    /// // Far more jobs than the ring of results holds, and nobody draining.
    /// for job in 0..100 {
    ///     pool.submit(job).unwrap();
    /// }
    /// pool.close();
    /// pool.wait().unwrap();
    /// let mut all: Vec<u32> = pool.results().unwrap().map(|r| r.outcome.unwrap()).collect();
    /// all.sort();
    /// assert_eq!(all, (0..100).collect::<Vec<_>>());
    /// ```
    pub fn results_capacity(mut self, capacity: usize) -> Self {
        self.results_capacity = Some(capacity);
        self
    }

    /// How long a worker holding a result waits for a receiver to make room
    /// in a full result ring before it concludes that nobody is draining
    /// and spills (default 10 ms; see
    /// [`results_capacity`](Self::results_capacity)). Longer tolerates a
    /// receiver that stalls longer before memory grows; shorter costs a
    /// pool that nobody drains less delay, once per such episode.
    ///
    /// At most [`MAX_SPILL_AFTER`](Self::MAX_SPILL_AFTER) (1 s); more is a
    /// [`BuildError::Duration`] from `build`: a worker that waited for ever
    /// for a receiver that never comes would bring back the results-full
    /// deadlock that spilling exists to prevent.
    ///
    /// ```
    /// use ringpool::Pool;
    /// use std::time::Duration;
    ///
    /// let pool = Pool::builder()
    ///     .workers(1)
    ///     .queue_capacity(2)
    ///     .results_capacity(1)
    ///     .spill_after(Duration::from_millis(1))
    ///     .build(|_, job: u32| job)
    ///     .unwrap();
    /// for job in 0..10 {
    ///     pool.submit(job).unwrap(); // nobody drains yet: results spill
    /// }
    /// pool.close();
    /// pool.wait().unwrap();
    /// assert!(pool.metrics().results_spilled > 0);
    /// assert_eq!(pool.results().unwrap().count(), 10);
    /// ```
    pub fn spill_after(mut self, wait: Duration) -> Self {
        self.spill_after = wait;
        self
    }

    /// Drop outcomes instead of queueing them for [`Pool::results`]: no
    /// result buffer, no per-job result work. Failures and panics still
    /// count in the metrics. The natural choice for handlers returning `()`.
    ///
    /// ```
    /// use ringpool::Pool;
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicU32, Ordering};
    ///
    /// let total = Arc::new(AtomicU32::new(0));
    /// let sum = Arc::clone(&total);
    /// let pool = Pool::builder()
    ///     .workers(2)
    ///     .queue_capacity(4)
    ///     .discard_results()
    ///     .build(move |_, job: u32| {
    ///         sum.fetch_add(job, Ordering::Relaxed);
    ///     })
    ///     .unwrap();
    /// assert!(pool.results().is_none());
    /// // No receiver needed: results never fill up.
    /// for job in 1..=100 {
    ///     pool.submit(job).unwrap();
    /// }
    /// pool.wait().unwrap();
    /// assert_eq!(total.load(Ordering::Relaxed), 5050);
    /// assert_eq!(pool.metrics().succeeded, 100);
    /// ```
    pub fn discard_results(mut self) -> Self {
        self.collect_results = false;
        self
    }

    /// Upper bound for [`Pool::resize`] (default: the larger of `workers`,
    /// the autoscale maximum, and 1024). At most
    /// [`MAX_WORKERS`](Self::MAX_WORKERS); more is a
    /// [`BuildError::TooManyWorkers`] from `build`. The slot tables are
    /// allocated fallibly: a maximum this machine cannot hold is a
    /// [`BuildError::OutOfMemory`], never an abort.
    ///
    /// ```
    /// use ringpool::{BuildError, Pool};
    ///
    /// let pool = Pool::builder()
    ///     .workers(1)
    ///     .max_workers(2)
    ///     .build(|_, job: u32| job)
    ///     .unwrap();
    /// pool.resize(2).unwrap();
    /// assert_eq!(pool.resize(3), Err(BuildError::TooManyWorkers { requested: 3, max: 2 }));
    ///
    /// // Starting above the maximum is refused too.
    /// let err = Pool::builder().workers(3).max_workers(2).build(|_, job: u32| job);
    /// assert_eq!(err.unwrap_err(), BuildError::TooManyWorkers { requested: 3, max: 2 });
    /// ```
    pub fn max_workers(mut self, max: usize) -> Self {
        self.max_workers = Some(max);
        self
    }

    /// Scale automatically; see [`Autoscale`]. Starts with
    /// `clamp(workers, min, max)` workers.
    ///
    /// Here one worker is busy, so the next job waits in the queue, and
    /// that submit adds a second worker; once idle for `idle_timeout`, the
    /// extra worker retires.
    ///
    /// ```
    /// use ringpool::{Autoscale, Pool};
    /// use std::sync::{Arc, Barrier};
    /// use std::time::Duration;
    ///
    /// let gate = Arc::new(Barrier::new(2));
    /// let held = Arc::clone(&gate);
    /// let pool = Pool::builder()
    ///     .workers(1)
    ///     .queue_capacity(4)
    ///     .discard_results()
    ///     .autoscale(Autoscale {
    ///         min_workers: 1,
    ///         max_workers: 2,
    ///         grow_at_depth: 1,
    ///         idle_timeout: Duration::from_millis(5),
    ///     })
    ///     .build(move |_, job: u32| {
    ///         if job == 1 {
    ///             held.wait(); // job 1 has started
    ///             held.wait(); // until released
    ///         }
    ///     })
    ///     .unwrap();
    /// pool.submit(1).unwrap();
    /// gate.wait(); // a worker is busy with job 1
    /// pool.submit(2).unwrap(); // queued: depth 1 reaches grow_at_depth
    /// assert_eq!(pool.workers(), 2);
    /// gate.wait(); // release job 1
    /// pool.wait().unwrap();
    /// // Idle past idle_timeout, the surplus worker retires.
    /// while pool.workers() > 1 {
    ///     std::thread::sleep(Duration::from_millis(1));
    /// }
    /// assert_eq!(pool.workers(), 1);
    /// ```
    pub fn autoscale(mut self, autoscale: Autoscale) -> Self {
        self.autoscale = Some(autoscale);
        self
    }

    /// Rounds of spinning, then yielding, that an idle worker, a blocked
    /// submitter or a waiting receiver spends before it parks (default 32:
    /// 7 exponentially longer spins, then yields; tens of microseconds on an
    /// idle machine). Zero parks at once.
    ///
    /// ```
    /// use ringpool::Pool;
    ///
    /// // Park at once: least CPU while idle, slowest to wake.
    /// let pool = Pool::builder()
    ///     .workers(2)
    ///     .queue_capacity(4)
    ///     .spin_before_park(0)
    ///     .build(|_, job: u32| job + 1)
    ///     .unwrap();
    /// let results = pool.results().unwrap();
    /// for job in 0..4 {
    ///     pool.submit(job).unwrap();
    /// }
    /// pool.close();
    /// assert_eq!(results.map(|r| r.outcome.unwrap()).sum::<u32>(), 10);
    /// ```
    pub fn spin_before_park(mut self, rounds: u32) -> Self {
        self.spin_before_park = rounds;
        self
    }

    /// Lets a worker that finds the queue deep take up to `jobs` jobs at
    /// once (default 1: one at a time, as Go's pattern). The batch is
    /// taken with one ring operation, never exceeds the worker's share of
    /// the queue (`queued / live workers`), and its results are published
    /// together after its last job, with one counter step for the lot:
    /// fewer shared writes per tiny job. Values above 4 are taken as 4,
    /// 0 as 1.
    ///
    /// What it changes: the jobs a worker holds have left the queue, so
    /// they are not in [`queue_depth`](crate::MetricsSnapshot::queue_depth)
    /// and [`stop_now`](crate::Pool::stop_now) does not hand them back (they
    /// run); a result is published only after the rest of its batch ran;
    /// and a handler that waits for a later job's result (or for its own
    /// result to be received) can wait for ever, since that job may be held
    /// behind it by the same worker. Use it for independent, short jobs.
    ///
    /// ```
    /// use ringpool::Pool;
    ///
    /// let pool = Pool::builder()
    ///     .workers(2)
    ///     .take_batch(4)
    ///     .build(|_, job: u64| job * 2)
    ///     .unwrap();
    /// let results = pool.results().unwrap();
    /// for job in 0..100 {
    ///     pool.submit(job).unwrap();
    /// }
    /// pool.close();
    /// assert_eq!(results.map(|r| r.outcome.unwrap()).sum::<u64>(), 9900);
    /// ```
    pub fn take_batch(mut self, jobs: usize) -> Self {
        self.take_batch = jobs.clamp(1, crate::take::MAX_TAKE);
        self
    }

    /// Priority levels, fixed at build: `1..=`[`MAX_PRIORITIES`](crate::MAX_PRIORITIES)
    /// (default 1). Level 0 is the lowest and is where
    /// [`Pool::submit`](crate::Pool::submit) queues; a job goes higher with
    /// [`Pool::submit_with_options`](crate::Pool::submit_with_options).
    /// Each level is its own ring of
    /// [`queue_capacity`](Self::queue_capacity) jobs, allocated at build (no
    /// allocation per job). Workers take the highest non-empty level first,
    /// FIFO within a level, except that every
    /// [`AGE_EVERY`](crate::AGE_EVERY)-th take starts at a rotating level,
    /// so no level starves: a waiting job is taken within
    /// `AGE_EVERY * levels` takes per job ahead of it in its level.
    /// With more than one level, [`take_batch`](Self::take_batch) is
    /// ignored (each take looks at the levels).
    ///
    /// # Errors (at build)
    ///
    /// [`BuildError::Priorities`] for 0 or more than `MAX_PRIORITIES`.
    ///
    /// ```
    /// use ringpool::{BuildError, JobOptions, Pool};
    ///
    /// let pool = Pool::builder()
    ///     .workers(1)
    ///     .priorities(2)
    ///     .build(|_, job: &'static str| job)
    ///     .unwrap();
    /// let results = pool.results().unwrap();
    /// pool.pause(); // queue both before either runs
    /// pool.submit("routine").unwrap();
    /// pool.submit_with_options("urgent", JobOptions::new().priority(1)).unwrap();
    /// pool.resume();
    /// pool.close();
    /// let order: Vec<_> = results.map(|r| r.outcome.unwrap()).collect();
    /// assert_eq!(order, ["urgent", "routine"]);
    ///
    /// let bad = Pool::builder().priorities(0).build(|_, job: u32| job);
    /// assert_eq!(bad.unwrap_err(), BuildError::Priorities { requested: 0, max: 8 });
    /// ```
    pub fn priorities(mut self, levels: usize) -> Self {
        self.priorities = levels;
        self
    }

    /// Whether [`Pool::cancel`](crate::Pool::cancel) can take a queued job
    /// back (default `false`). A cancellable pool keeps its queued jobs in a
    /// table of cells with a state word each, and its queues carry cell
    /// indices (see [`CancelOutcome`](crate::CancelOutcome) and the
    /// `cancel` module docs), so each job costs one more ring operation at
    /// submit and at take than in a plain pool: that is why it is opt-in.
    /// Jobs queued by [`Pool::submit_many`](crate::Pool::submit_many) go
    /// to the plain ring and cannot be cancelled while queued. With
    /// [`priorities`](Self::priorities), the `levels * queue_capacity` cells
    /// are shared by the levels (any level may fill them), and a cancelled
    /// job's cell is free again once a worker (or `stop_now`) passes it.
    ///
    /// ```
    /// use ringpool::{CancelOutcome, Pool};
    ///
    /// let pool = Pool::builder().workers(1).cancellable(true).build(|_, job: u32| job).unwrap();
    /// let results = pool.results().unwrap();
    /// pool.pause();
    /// let ids: Vec<_> = (0..3).map(|job| pool.submit(job).unwrap()).collect();
    /// assert_eq!(pool.cancel(ids[1]), CancelOutcome::Cancelled(1));
    /// pool.resume();
    /// pool.close();
    /// let ran: Vec<_> = results.map(|r| r.outcome.unwrap()).collect();
    /// assert_eq!(ran, [0, 2]);
    /// assert_eq!(pool.metrics().cancelled, 1);
    ///
    /// let plain = Pool::new(1, 4, |_, job: u32| job).unwrap();
    /// assert_eq!(plain.cancel(1), CancelOutcome::NotCancellable);
    /// ```
    pub fn cancellable(mut self, enabled: bool) -> Self {
        self.cancellable = enabled;
        self
    }

    /// The helping wait (default off). A thread about to block in
    /// [`Results::recv`](crate::Results::recv) (and `recv_timeout`,
    /// `recv_many`, iterating), [`Pool::wait`] (and `wait_timeout`) or a
    /// blocking [`Pool::submit`] (or `submit_timeout`, `submit_many`) on a
    /// full queue, that finds jobs queued and
    /// a worker parked, runs one of those jobs itself, under that parked
    /// worker's identity: its worker id in [`JobContext`] and the result,
    /// its statistics. The parked worker runs nothing meanwhile, so the pool
    /// never runs more handlers at once than it has workers. A job that
    /// would wait for a worker's OS wake-up runs at once on the thread that
    /// wants its result.
    ///
    /// What it changes: a handler may run on a caller's thread (thread
    /// name, thread-locals), calls from that handler back into the pool get
    /// the answers they get on a worker; a timed call (`recv_timeout`,
    /// `wait_timeout`, `submit_timeout`) that helps may return later than
    /// its timeout by the run time of the job it ran. Calls from inside the
    /// pool's own handler never help.
    ///
    /// ```
    /// use ringpool::Pool;
    ///
    /// let pool = Pool::builder()
    ///     .workers(2)
    ///     .helping(true)
    ///     .build(|ctx, job: u64| (ctx.worker_id, job * 2))
    ///     .unwrap();
    /// let results = pool.results().unwrap();
    /// pool.submit(21).unwrap();
    /// let (worker_id, doubled) = results.recv().unwrap().outcome.unwrap();
    /// assert_eq!(doubled, 42);
    /// assert!((1..=2).contains(&worker_id)); // whoever ran it
    /// ```
    pub fn helping(mut self, on: bool) -> Self {
        self.helping = on;
        self
    }

    /// Prefix of worker thread names; the worker id is appended (default
    /// `ringpool-worker`, giving `ringpool-worker-1`, ...). A prefix with a
    /// NUL byte is a [`BuildError::ThreadName`] from `build`, before any
    /// thread starts.
    ///
    /// ```
    /// use ringpool::Pool;
    ///
    /// let pool = Pool::builder()
    ///     .workers(1)
    ///     .thread_name("resizer")
    ///     .build(|_, _job: ()| std::thread::current().name().map(String::from))
    ///     .unwrap();
    /// pool.submit(()).unwrap();
    /// let result = pool.results().unwrap().recv().unwrap();
    /// assert_eq!(result.outcome.unwrap().as_deref(), Some("resizer-1"));
    /// ```
    pub fn thread_name(mut self, prefix: impl Into<String>) -> Self {
        self.thread_name = prefix.into();
        self
    }

    /// How long dropping the pool waits for accepted jobs to finish before
    /// it detaches the workers (default 10 s); see [`Pool`]'s Drop docs.
    /// Any value works: one past the end of the clock (e.g. `Duration::MAX`)
    /// means Drop waits with no deadline, as [`Pool::shutdown`] does.
    ///
    /// Here a job is held past a 1 ms drop timeout: the drop returns, the
    /// detached worker finishes the job later, and its result still arrives
    /// on the receiver.
    ///
    /// ```
    /// use ringpool::Pool;
    /// use std::sync::{Arc, Barrier};
    /// use std::time::Duration;
    ///
    /// let gate = Arc::new(Barrier::new(2));
    /// let held = Arc::clone(&gate);
    /// let pool = Pool::builder()
    ///     .workers(1)
    ///     .drop_timeout(Duration::from_millis(1))
    ///     .build(move |_, job: u32| {
    ///         held.wait(); // until released
    ///         job * 10
    ///     })
    ///     .unwrap();
    /// let results = pool.results().unwrap();
    /// pool.submit(4).unwrap();
    /// drop(pool); // gives up after 1 ms and detaches the worker
    /// gate.wait(); // release the job
    /// assert_eq!(results.recv().unwrap().outcome, Ok(40));
    /// assert!(results.recv().is_none()); // closed and drained
    /// ```
    pub fn drop_timeout(mut self, timeout: Duration) -> Self {
        self.drop_timeout = timeout;
        self
    }

    /// Time every job (default `true`): queue wait and run time in each
    /// [`JobResult`](crate::JobResult) and in the metrics' histograms, at
    /// the cost of three clock reads per job. With `false` no clock is read
    /// per job; durations read as zero and the histograms stay empty.
    ///
    /// ```
    /// use ringpool::Pool;
    /// use std::time::Duration;
    ///
    /// let pool = Pool::builder()
    ///     .workers(1)
    ///     .job_timing(false)
    ///     .build(|_, job: u32| {
    ///         std::thread::sleep(Duration::from_millis(1));
    ///         job
    ///     })
    ///     .unwrap();
    /// pool.submit(1).unwrap();
    /// let result = pool.results().unwrap().recv().unwrap();
    /// assert_eq!(result.run_time, Duration::ZERO);
    /// assert_eq!(result.queue_wait, Duration::ZERO);
    /// assert_eq!(pool.metrics().run_time.count(), 0);
    /// ```
    pub fn job_timing(mut self, enabled: bool) -> Self {
        self.job_timing = enabled;
        self
    }

    /// Builds a pool whose handler returns a plain value (it may still
    /// panic: that job's outcome is then [`JobError::Panicked`](crate::JobError)).
    ///
    /// # Errors
    ///
    /// [`BuildError`] for zero workers, too many workers, a bad capacity, a
    /// thread name with a NUL byte, a `spill_after` above its maximum,
    /// tables too large to allocate, or a failed spawn.
    ///
    /// # Examples
    ///
    /// ```
    /// use ringpool::{JobError, Pool};
    ///
    /// let pool = Pool::builder()
    ///     .workers(1)
    ///     .build(|_, text: &'static str| {
    ///         assert!(!text.is_empty(), "empty text");
    ///         text.len()
    ///     })
    ///     .unwrap();
    /// let results = pool.results().unwrap();
    /// pool.submit("four").unwrap();
    /// pool.submit("").unwrap(); // the handler panics; the worker lives on
    /// pool.submit("three").unwrap();
    /// pool.close();
    /// let mut outcomes: Vec<_> = results.map(|r| (r.job_id, r.outcome)).collect();
    /// outcomes.sort_by_key(|(id, _)| *id);
    /// assert_eq!(
    ///     outcomes,
    ///     [
    ///         (1, Ok(4)),
    ///         (2, Err(JobError::Panicked("empty text".to_string()))),
    ///         (3, Ok(5)),
    ///     ]
    /// );
    /// ```
    pub fn build<J, R, F>(self, handler: F) -> Result<Pool<J, R, Infallible>, BuildError>
    where
        J: Send + 'static,
        R: Send + 'static,
        F: Fn(JobContext, J) -> R + Send + Sync + 'static,
    {
        self.build_fallible(move |ctx, job| Ok(handler(ctx, job)))
    }

    /// Builds a pool whose handler returns `Result<R, E>`. An `Err(e)`
    /// becomes that job's [`JobError::Failed`](crate::JobError::Failed).
    ///
    /// # Errors
    ///
    /// As [`build`](Self::build).
    ///
    /// # Examples
    ///
    /// ```
    /// use ringpool::{JobError, Pool};
    ///
    /// let pool = Pool::builder()
    ///     .workers(2)
    ///     .build_fallible(|_, text: &'static str| text.parse::<i32>())
    ///     .unwrap();
    /// let results = pool.results().unwrap();
    /// pool.submit("12").unwrap();
    /// pool.submit("twelve").unwrap();
    /// pool.close();
    /// let mut outcomes: Vec<_> = results.map(|r| (r.job_id, r.outcome)).collect();
    /// outcomes.sort_by_key(|(id, _)| *id);
    /// assert_eq!(outcomes[0].1, Ok(12));
    /// assert!(matches!(outcomes[1].1, Err(JobError::Failed(_))));
    /// assert_eq!(pool.metrics().failed, 1);
    /// ```
    pub fn build_fallible<J, R, E, F>(self, handler: F) -> Result<Pool<J, R, E>, BuildError>
    where
        J: Send + 'static,
        R: Send + 'static,
        E: Send + 'static,
        F: Fn(JobContext, J) -> Result<R, E> + Send + Sync + 'static,
    {
        let settings = self.validate()?;
        Pool::start(settings, Box::new(handler))
    }

    /// Checks the settings and fills in the defaults.
    pub(crate) fn validate(self) -> Result<Settings, BuildError> {
        let (initial, scaling) = match self.autoscale {
            Some(a) => {
                if a.min_workers == 0 {
                    return Err(BuildError::ZeroWorkers);
                }
                if a.min_workers > a.max_workers {
                    return Err(BuildError::BadScaling {
                        min: a.min_workers,
                        max: a.max_workers,
                    });
                }
                (self.workers.clamp(a.min_workers, a.max_workers), Some(a))
            }
            None => (self.workers, None),
        };
        if initial == 0 {
            return Err(BuildError::ZeroWorkers);
        }
        let max_workers = self
            .max_workers
            .unwrap_or_else(|| initial.max(scaling.map_or(0, |a| a.max_workers)).max(1024));
        if max_workers > Self::MAX_WORKERS {
            return Err(BuildError::TooManyWorkers {
                requested: max_workers,
                max: Self::MAX_WORKERS,
            });
        }
        if initial > max_workers {
            return Err(BuildError::TooManyWorkers {
                requested: initial,
                max: max_workers,
            });
        }
        if let Some(a) = scaling
            && a.max_workers > max_workers
        {
            return Err(BuildError::TooManyWorkers {
                requested: a.max_workers,
                max: max_workers,
            });
        }
        if self.thread_name.contains('\0') {
            return Err(BuildError::ThreadName);
        }
        if self.spill_after > Self::MAX_SPILL_AFTER {
            return Err(BuildError::Duration {
                which: "spill_after",
                max: Self::MAX_SPILL_AFTER,
            });
        }
        check_capacity("queue", self.queue_capacity)?;
        if self.priorities == 0 || self.priorities > crate::control::MAX_PRIORITIES {
            return Err(BuildError::Priorities {
                requested: self.priorities,
                max: crate::control::MAX_PRIORITIES,
            });
        }
        let results_capacity = if self.collect_results {
            let capacity = self
                .results_capacity
                .unwrap_or_else(|| self.queue_capacity.saturating_add(initial));
            check_capacity("results", capacity)?;
            Some(capacity)
        } else {
            None
        };
        Ok(Settings {
            workers: initial,
            queue_capacity: self.queue_capacity,
            results_capacity,
            max_workers,
            autoscale: scaling,
            spin_before_park: self.spin_before_park,
            thread_name: self.thread_name,
            drop_timeout: self.drop_timeout,
            job_timing: self.job_timing,
            spill_after: self.spill_after,
            take_batch: self.take_batch,
            priorities: self.priorities,
            cancellable: self.cancellable,
            helping: self.helping,
        })
    }
}

fn check_capacity(which: &'static str, capacity: usize) -> Result<(), BuildError> {
    let error = if capacity == 0 {
        ringpool_core::CapacityError::Zero
    } else if capacity > ringpool_core::MAX_CAPACITY {
        ringpool_core::CapacityError::TooLarge {
            requested: capacity,
            max: ringpool_core::MAX_CAPACITY,
        }
    } else {
        return Ok(());
    };
    Err(BuildError::Capacity { which, error })
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
