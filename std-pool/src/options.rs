//! [`JobOptions`]: what a submit may say about one job besides the job
//! itself (its priority level and its queue deadline). A leaf.

use std::time::{Duration, Instant};

/// Per-job options for [`Pool::submit_with_options`](crate::Pool::submit_with_options):
/// a priority level (default 0, the lowest) and a queue deadline (default
/// none). Built in the builder style.
///
/// ```
/// use ringpool::{JobOptions, Pool};
/// use std::time::Duration;
///
/// let pool = Pool::builder().priorities(3).build(|_, job: u32| job).unwrap();
/// let options = JobOptions::new().priority(2).deadline_in(Duration::from_secs(5));
/// assert_eq!(options.priority, 2);
/// let id = pool.submit_with_options(1, options).unwrap();
/// pool.wait().unwrap();
/// assert_eq!(pool.results().unwrap().recv().unwrap().job_id, id);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobOptions {
    /// The level to queue at: `0..levels` of the pool
    /// ([`Builder::priorities`](crate::Builder::priorities)); higher runs
    /// first.
    pub priority: usize,
    /// If a worker takes the job at or after this instant, it does not run
    /// it (see [`JobError::Expired`](crate::JobError::Expired)).
    pub deadline: Option<Instant>,
}

impl JobOptions {
    /// Level 0, no deadline: what [`Pool::submit`](crate::Pool::submit) uses.
    ///
    /// ```
    /// use ringpool::JobOptions;
    /// assert_eq!(JobOptions::new(), JobOptions { priority: 0, deadline: None });
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the priority level.
    ///
    /// ```
    /// use ringpool::JobOptions;
    /// assert_eq!(JobOptions::new().priority(3).priority, 3);
    /// ```
    #[must_use]
    pub fn priority(mut self, priority: usize) -> Self {
        self.priority = priority;
        self
    }

    /// Sets the queue deadline.
    ///
    /// ```
    /// use ringpool::JobOptions;
    /// use std::time::Instant;
    /// let now = Instant::now();
    /// assert_eq!(JobOptions::new().deadline(now).deadline, Some(now));
    /// ```
    #[must_use]
    pub fn deadline(mut self, deadline: Instant) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Sets the queue deadline `wait` from now; a `wait` past the end of
    /// the clock means no deadline.
    ///
    /// ```
    /// use ringpool::JobOptions;
    /// use std::time::Duration;
    /// assert!(JobOptions::new().deadline_in(Duration::from_secs(1)).deadline.is_some());
    /// assert!(JobOptions::new().deadline_in(Duration::MAX).deadline.is_none());
    /// ```
    #[must_use]
    pub fn deadline_in(mut self, wait: Duration) -> Self {
        self.deadline = Instant::now().checked_add(wait);
        self
    }
}
