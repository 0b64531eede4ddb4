//! The [`Pool`] calls of `crate::control`: submits with [`JobOptions`]
//! (priority level, queue deadline), pause and resume, and the expired
//! jobs handed back. The take-side rules themselves live in
//! `crate::control`, which every taker goes through.

use crate::cancel::CancelOutcome;
use crate::error::SubmitError;
use crate::job::JobId;
use crate::options::JobOptions;
use crate::pool::{Patience, Pool};
use crate::shared::Shared;

impl<J, R, E> Shared<J, R, E> {
    /// Clears the pause flag and wakes the parked workers (after the
    /// store: the event protocol's order). Shutdown, Drop and a scope's
    /// end call it (`Shared::close_to_end`): a pool is never left paused
    /// with nobody to resume it.
    pub(crate) fn resume_takes(&self) {
        if self.control.set_paused(false) {
            self.job_ready.notify_all();
        }
    }
}

impl<J, R, E> Pool<J, R, E>
where
    J: Send,
    R: Send,
    E: Send,
{
    /// As [`submit`](Self::submit) (waits while the job's level is full),
    /// with a priority level and a queue deadline. A job taken at or after
    /// its deadline does not run: its result is
    /// [`JobError::Expired`](crate::JobError::Expired) and the job comes back from
    /// [`take_expired`](Self::take_expired).
    ///
    /// # Errors
    ///
    /// As [`submit`](Self::submit), plus [`SubmitError::NoSuchPriority`]
    /// for a level at or above the pool's [`Builder::priorities`](crate::Builder::priorities).
    ///
    /// # Examples
    ///
    /// ```
    /// use ringpool::{JobError, JobOptions, Pool, SubmitError};
    /// use std::time::{Duration, Instant};
    ///
    /// let pool = Pool::builder().workers(1).priorities(2).build(|_, job: u32| job).unwrap();
    /// let results = pool.results().unwrap();
    /// pool.pause();
    /// pool.submit_with_options(1, JobOptions::new().deadline(Instant::now())).unwrap();
    /// pool.submit_with_options(2, JobOptions::new().priority(1)).unwrap();
    /// let late = pool.submit_with_options(3, JobOptions::new().priority(2));
    /// assert_eq!(late, Err(SubmitError::NoSuchPriority(3)));
    /// pool.resume();
    /// pool.close();
    /// let outcomes: Vec<_> = results.map(|r| r.outcome).collect();
    /// assert_eq!(outcomes, [Ok(2), Err(JobError::Expired)]);
    /// assert_eq!(pool.take_expired(), [(1, 1)]);
    /// assert_eq!(pool.metrics().expired, 1);
    /// ```
    pub fn submit_with_options(
        &self,
        job: J,
        options: JobOptions,
    ) -> Result<JobId, SubmitError<J>> {
        self.submit_options(job, options, Patience::Forever)
    }

    /// As [`submit_with_options`](Self::submit_with_options), only if
    /// there is room in the job's level now.
    ///
    /// # Errors
    ///
    /// As [`submit_with_options`](Self::submit_with_options), plus
    /// [`SubmitError::Full`].
    ///
    /// ```
    /// use ringpool::{JobOptions, Pool, SubmitError};
    ///
    /// let pool = Pool::builder().queue_capacity(1).priorities(2).build(|_, job: u32| job).unwrap();
    /// pool.pause();
    /// let high = JobOptions::new().priority(1);
    /// pool.try_submit_with_options(1, high).unwrap();
    /// assert_eq!(pool.try_submit_with_options(2, high), Err(SubmitError::Full(2)));
    /// pool.try_submit(3).unwrap(); // level 0 has its own room
    /// pool.resume();
    /// pool.wait().unwrap();
    /// ```
    pub fn try_submit_with_options(
        &self,
        job: J,
        options: JobOptions,
    ) -> Result<JobId, SubmitError<J>> {
        self.submit_options(job, options, Patience::None)
    }

    fn submit_options(
        &self,
        job: J,
        options: JobOptions,
        patience: Patience,
    ) -> Result<JobId, SubmitError<J>> {
        if options.priority >= self.shared.control.priorities() {
            self.shared.ledger.count_refused();
            return Err(SubmitError::NoSuchPriority(job));
        }
        self.submit_at(job, patience, options.priority, options.deadline)
    }

    /// Stops workers taking jobs: running jobs finish, queued jobs stay
    /// queued, submits still queue (up to capacity, then wait or are
    /// refused as usual), and [`wait`](Self::wait) does not return while
    /// jobs are queued. Idle workers park (no CPU) until
    /// [`resume`](Self::resume). A worker whose take had already begun
    /// when `pause` was called may still start that one job.
    ///
    /// While paused: [`close`](Self::close) keeps the queued jobs until
    /// `resume` (the result stream ends after them);
    /// [`stop_now`](Self::stop_now) hands them back and the workers exit;
    /// [`shutdown`](Self::shutdown), [`shutdown_timeout`](Self::shutdown_timeout)
    /// and Drop resume first, so they run every queued job and never hang
    /// on a pause. Returns whether the pool was running before.
    ///
    /// ```
    /// use ringpool::Pool;
    /// use std::time::Duration;
    ///
    /// let pool = Pool::new(2, 8, |_, job: u32| job).unwrap();
    /// assert!(pool.pause());
    /// for job in 0..8 {
    ///     pool.submit(job).unwrap();
    /// }
    /// std::thread::sleep(Duration::from_millis(5));
    /// assert_eq!(pool.metrics().started, 0); // nothing taken while paused
    /// assert!(pool.wait_timeout(Duration::from_millis(5)).is_err());
    /// assert!(pool.resume());
    /// pool.wait().unwrap();
    /// assert_eq!(pool.metrics().succeeded, 8);
    /// ```
    pub fn pause(&self) -> bool {
        self.shared.control.set_paused(true)
    }

    /// Lets workers take jobs again after [`pause`](Self::pause) and wakes
    /// the parked ones. Returns whether the pool was paused.
    ///
    /// ```
    /// use ringpool::Pool;
    ///
    /// let pool = Pool::new(1, 4, |_, job: u32| job).unwrap();
    /// assert!(!pool.resume()); // not paused
    /// pool.pause();
    /// assert!(pool.is_paused());
    /// assert!(pool.resume());
    /// assert!(!pool.is_paused());
    /// ```
    pub fn resume(&self) -> bool {
        let was_paused = self.shared.control.is_paused();
        self.shared.resume_takes();
        was_paused
    }

    /// Whether takes are paused.
    ///
    /// ```
    /// use ringpool::Pool;
    ///
    /// let pool = Pool::new(1, 4, |_, job: u32| job).unwrap();
    /// assert!(!pool.is_paused());
    /// pool.pause();
    /// assert!(pool.is_paused());
    /// ```
    pub fn is_paused(&self) -> bool {
        self.shared.control.is_paused()
    }

    /// Cancels job `id`: takes it back if it has not started (it will not
    /// run, gives no result, counts as
    /// [`cancelled`](crate::MetricsSnapshot::cancelled) and no longer holds
    /// up [`wait`](Self::wait)), or sets its
    /// [`JobContext::is_cancelled`](crate::JobContext::is_cancelled) flag
    /// if it is running. A cancel racing a worker's take of the same job is
    /// decided exactly once, by a CAS on the job's cell (see the `cancel`
    /// module docs). Works from inside the pool's own handler too; never
    /// blocks. Costs a scan of the queue's cells.
    ///
    /// Only a pool built [`cancellable`](crate::Builder::cancellable) can
    /// take queued jobs back; any other answers
    /// [`CancelOutcome::NotCancellable`].
    ///
    /// ```
    /// use ringpool::{CancelOutcome, Pool};
    /// use std::sync::mpsc;
    ///
    /// let (started_tx, started) = mpsc::channel();
    /// let (release, gate) = mpsc::channel::<()>();
    /// let gate = std::sync::Mutex::new(gate);
    /// let pool = Pool::builder()
    ///     .workers(1)
    ///     .cancellable(true)
    ///     .build(move |ctx, job: u32| {
    ///         if job == 0 {
    ///             started_tx.send(()).unwrap();
    ///             gate.lock().unwrap().recv().unwrap();
    ///         }
    ///         ctx.is_cancelled()
    ///     })
    ///     .unwrap();
    /// let results = pool.results().unwrap();
    /// let running = pool.submit(0).unwrap();
    /// started.recv().unwrap();
    /// let queued = pool.submit(1).unwrap();
    /// assert_eq!(pool.cancel(queued), CancelOutcome::Cancelled(1));
    /// assert_eq!(pool.cancel(running), CancelOutcome::Started);
    /// release.send(()).unwrap();
    /// pool.wait().unwrap();
    /// assert_eq!(pool.cancel(running), CancelOutcome::NotFound); // finished
    /// let result = results.recv().unwrap();
    /// assert_eq!((result.job_id, result.outcome), (running, Ok(true)));
    /// ```
    pub fn cancel(&self, id: JobId) -> CancelOutcome<J> {
        let shared = &*self.shared;
        let Some(cells) = &shared.control.cells else {
            return CancelOutcome::NotCancellable;
        };
        match cells.cancel(id) {
            CancelOutcome::Cancelled(envelope) => {
                shared.count_cancelled();
                shared.job_over(envelope.ticket);
                // The canceller may have freed the cell (a taker passed it).
                shared.slot_free.notify_one();
                CancelOutcome::Cancelled(envelope.job)
            }
            CancelOutcome::Started => CancelOutcome::Started,
            CancelOutcome::NotFound => CancelOutcome::NotFound,
            CancelOutcome::NotCancellable => CancelOutcome::NotCancellable,
        }
    }

    /// Takes the jobs that expired so far (oldest first, with their ids):
    /// each was not run because a worker took it at or after its deadline
    /// ([`JobOptions::deadline`]); its result said
    /// [`JobError::Expired`](crate::JobError::Expired). Until taken they
    /// stay here (one `Vec` push per expired job, none for others).
    ///
    /// ```
    /// use ringpool::{JobOptions, Pool};
    /// use std::time::Instant;
    ///
    /// let pool = Pool::builder().discard_results().build(|_, job: String| job.len()).unwrap();
    /// let past = JobOptions::new().deadline(Instant::now());
    /// let id = pool.submit_with_options("late".to_string(), past).unwrap();
    /// pool.wait().unwrap();
    /// assert_eq!(pool.take_expired(), [(id, "late".to_string())]);
    /// assert!(pool.take_expired().is_empty());
    /// ```
    pub fn take_expired(&self) -> Vec<(JobId, J)> {
        self.shared.control.take_expired()
    }
}
