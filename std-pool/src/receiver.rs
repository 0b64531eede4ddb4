//! [`Results`]: the receiving end of the result stream (Go's
//! `for result := range results`), over the pool's
//! [`ResultPath`](crate::results::ResultPath).

use crate::backoff::BeforePark;
use crate::error::RecvError;
use crate::job::JobResult;
use crate::shared::Shared;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Receives results (Go's `for result := range results`). Iterating ends
/// once the pool is closed, every accepted job has finished and every
/// result has been received. Each result goes to exactly one receiver.
///
/// Receivers come from [`Pool::results`](crate::Pool::results), may be
/// cloned, shared between threads by reference (`&Results` is an iterator
/// too), and outlive the pool.
///
/// From inside the pool's own handler no receive call waits: the stream
/// cannot end while the handler's own job runs, and the result it would
/// wait for may need the handler's worker. [`recv`](Self::recv) and
/// iteration then stop at the first empty look (`None`),
/// [`recv_timeout`](Self::recv_timeout) returns
/// [`RecvError::WouldDeadlock`], [`try_recv`](Self::try_recv) works as
/// anywhere.
///
/// ```
/// use ringpool::Pool;
///
/// let pool = Pool::new(3, 10, |ctx, job: u32| {
///     println!("Worker {} started job {job}", ctx.worker_id);
///     job * 2
/// })
/// .unwrap();
/// let results = pool.results().unwrap();
/// let drainer = std::thread::spawn(move || {
///     let mut sum = 0;
///     for result in &results {
///         println!("Result received for job {}", result.job_id);
///         sum += result.outcome.unwrap();
///     }
///     sum
/// });
/// for job in 1..=100 {
///     pool.submit(job).unwrap();
/// }
/// pool.close(); // the drainer's loop ends once everything is received
/// assert_eq!(drainer.join().unwrap(), 10_100);
/// ```
pub struct Results<J, R, E> {
    pub(crate) shared: Arc<Shared<J, R, E>>,
}

impl<J, R, E> Results<J, R, E> {
    pub(crate) fn new(shared: Arc<Shared<J, R, E>>) -> Self {
        Self { shared }
    }

    /// The next result, blocking; `None` once the stream has ended (the
    /// pool is closed, every accepted job finished and every result was
    /// received).
    ///
    /// From inside the pool's own handler it never waits: the next result
    /// if one is ready, else `None` (so a handler that closes its pool and
    /// drains the results gets those ready so far and moves on; the stream
    /// cannot end while the handler's own job runs).
    ///
    /// ```
    /// use ringpool::Pool;
    ///
    /// let pool = Pool::new(2, 4, |_, job: u32| job + 1).unwrap();
    /// let results = pool.results().unwrap();
    /// pool.submit(41).unwrap();
    /// assert_eq!(results.recv().unwrap().outcome, Ok(42));
    /// pool.close();
    /// assert!(results.recv().is_none());
    /// ```
    pub fn recv(&self) -> Option<JobResult<R, E>> {
        self.recv_until(None).ok()
    }

    /// The next result if one is ready. Never waits, so it works from
    /// inside the pool's own handler as anywhere.
    ///
    /// # Errors
    ///
    /// [`RecvError::Empty`] if none is ready, [`RecvError::Closed`] once the
    /// stream has ended.
    ///
    /// # Examples
    ///
    /// ```
    /// use ringpool::{Pool, RecvError};
    ///
    /// let pool = Pool::new(1, 4, |_, job: u32| job).unwrap();
    /// let results = pool.results().unwrap();
    /// assert_eq!(results.try_recv().unwrap_err(), RecvError::Empty);
    /// pool.submit(9).unwrap();
    /// pool.wait().unwrap(); // finished, so its result is ready
    /// assert_eq!(results.try_recv().unwrap().outcome, Ok(9));
    /// pool.close();
    /// assert_eq!(results.try_recv().unwrap_err(), RecvError::Closed);
    /// ```
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

    /// The next result, waiting at most `timeout` (one past the end of the
    /// clock, e.g. `Duration::MAX`, waits like [`recv`](Self::recv)).
    ///
    /// # Errors
    ///
    /// [`RecvError::Timeout`], or [`RecvError::Closed`] once the stream has
    /// ended. From inside the pool's own handler it never waits:
    /// [`RecvError::WouldDeadlock`] when no result is ready.
    ///
    /// # Examples
    ///
    /// ```
    /// use ringpool::{Pool, RecvError};
    /// use std::time::Duration;
    ///
    /// let pool = Pool::new(1, 4, |_, job: u32| job).unwrap();
    /// let results = pool.results().unwrap();
    /// let short = Duration::from_millis(1);
    /// assert_eq!(results.recv_timeout(short).unwrap_err(), RecvError::Timeout);
    /// pool.submit(3).unwrap();
    /// let result = results.recv_timeout(Duration::from_secs(10)).unwrap();
    /// assert_eq!(result.outcome, Ok(3));
    /// pool.close();
    /// assert_eq!(results.recv_timeout(short).unwrap_err(), RecvError::Closed);
    /// ```
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
            if shared.inside_handler() {
                // The stream cannot end while the caller's own job runs, and
                // the result it would wait for may need the caller's worker.
                return Err(RecvError::WouldDeadlock);
            }
            // Helping: run a queued job as a parked worker, then look again.
            if crate::help::help_until(shared, deadline) {
                continue;
            }
            // Read-only looks while spinning (see the worker's idle loop).
            while before_park.snooze() {
                if shared.results.pending() != 0 || shared.jobs.is_closed() {
                    break;
                }
            }
            if !before_park.exhausted() {
                continue;
            }
            return shared
                .results
                .ready()
                .wait_until(deadline, || match self.try_recv() {
                    Err(RecvError::Empty) => None,
                    other => Some(other),
                })
                .unwrap_or(Err(RecvError::Timeout));
        }
    }

    /// One queued result, if any.
    /// Receives up to `max` results at once, in the order
    /// [`recv`](Self::recv) would, handing each to
    /// `sink`: waits as [`recv`](Self::recv) does for the first, then takes
    /// whatever else is ready now, up to `max` in all, with batch pops of
    /// the result ring and one notify. Returns how many. A drainer that
    /// keeps up pays one wait (and at most one wake-up) per batch instead
    /// of per result.
    ///
    /// # Errors
    ///
    /// As [`recv_timeout`](Self::recv_timeout) with no deadline: no result
    /// will come any more ([`RecvError::Closed`]) or the call comes from
    /// inside the pool's own handler ([`RecvError::WouldDeadlock`]). `max`
    /// of zero receives nothing and returns `Ok(0)`.
    ///
    /// ```
    /// use ringpool::{Pool, RecvError};
    ///
    /// let pool = Pool::new(2, 64, |_, job: u32| job + 1).unwrap();
    /// let results = pool.results().unwrap();
    /// let mut jobs = 0..50;
    /// pool.submit_many(&mut jobs).unwrap();
    /// pool.close();
    /// let mut sum = 0;
    /// loop {
    ///     match results.recv_many(16, |r| sum += r.outcome.unwrap()) {
    ///         Ok(n) => assert!((1..=16).contains(&n)),
    ///         Err(RecvError::Closed) => break,
    ///         Err(other) => panic!("{other:?}"),
    ///     }
    /// }
    /// assert_eq!(sum, (1..=50).sum::<u32>());
    /// ```
    pub fn recv_many(
        &self,
        max: usize,
        mut sink: impl FnMut(JobResult<R, E>),
    ) -> Result<usize, RecvError> {
        if max == 0 {
            return Ok(0);
        }
        let first = self.recv_until(None)?;
        sink(first);
        Ok(1 + self.shared.results.take_many(max - 1, &mut sink))
    }

    fn take(&self) -> Option<JobResult<R, E>> {
        self.shared.results.take()
    }

    /// Closed, and no accepted job is unfinished: no result can be added.
    fn ended(&self) -> bool {
        self.shared.ended()
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

impl<J, R, E> std::fmt::Debug for Results<J, R, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Results").finish_non_exhaustive()
    }
}
