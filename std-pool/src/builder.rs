//! [`Builder`]: how a pool is configured and created.

use crate::error::BuildError;
use crate::pool::{JobContext, Pool};
use std::convert::Infallible;
use std::time::Duration;

/// Automatic scaling between `min_workers` and `max_workers`.
///
/// The pool grows by one worker when a submit leaves at least
/// `grow_at_depth` jobs queued, and a worker retires after waiting
/// `idle_timeout` for a job while more than `min_workers` are alive. No
/// supervisor thread: an idle pool stays at zero CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Autoscale {
    /// Never fewer workers than this (at least 1).
    pub min_workers: usize,
    /// Never more workers than this.
    pub max_workers: usize,
    /// Queue depth at which a submit adds a worker.
    pub grow_at_depth: usize,
    /// How long a surplus worker waits for a job before retiring.
    pub idle_timeout: Duration,
}

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
        }
    }
}

impl Builder {
    /// Worker threads at start (default: the machine's parallelism).
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = workers;
        self
    }

    /// Jobs the queue holds before submit applies backpressure (default 1024).
    pub fn queue_capacity(mut self, capacity: usize) -> Self {
        self.queue_capacity = capacity;
        self
    }

    /// Finished results kept until drained (default: queue capacity plus
    /// `max_workers`). A job is accepted only with a result slot reserved
    /// for it, so a worker never blocks on a full results buffer.
    pub fn results_capacity(mut self, capacity: usize) -> Self {
        self.results_capacity = Some(capacity);
        self
    }

    /// Drop outcomes instead of queueing them for [`Pool::results`]: no
    /// result buffer, no per-job result work. Failures and panics still
    /// count in the metrics. The natural choice for handlers returning `()`.
    pub fn discard_results(mut self) -> Self {
        self.collect_results = false;
        self
    }

    /// Upper bound for [`Pool::resize`] (default: the larger of `workers`,
    /// the autoscale maximum, and 1024).
    pub fn max_workers(mut self, max: usize) -> Self {
        self.max_workers = Some(max);
        self
    }

    /// Scale automatically; see [`Autoscale`]. Starts with
    /// `clamp(workers, min, max)` workers.
    pub fn autoscale(mut self, autoscale: Autoscale) -> Self {
        self.autoscale = Some(autoscale);
        self
    }

    /// Rounds of spinning, then yielding, that an idle worker, a blocked
    /// submitter or a waiting receiver spends before it parks (default 32:
    /// 7 exponentially longer spins, then yields; tens of microseconds on an
    /// idle machine). Zero parks at once.
    pub fn spin_before_park(mut self, rounds: u32) -> Self {
        self.spin_before_park = rounds;
        self
    }

    /// Prefix of worker thread names; the worker id is appended.
    pub fn thread_name(mut self, prefix: impl Into<String>) -> Self {
        self.thread_name = prefix.into();
        self
    }

    /// How long dropping the pool waits for accepted jobs to finish before
    /// it detaches the workers (default 10 s); see [`Pool`]'s Drop docs.
    pub fn drop_timeout(mut self, timeout: Duration) -> Self {
        self.drop_timeout = timeout;
        self
    }

    /// Time every job (default `true`): queue wait and run time in each
    /// [`JobResult`](crate::JobResult) and in the metrics' histograms, at
    /// the cost of three clock reads per job. With `false` no clock is read
    /// per job; durations read as zero and the histograms stay empty.
    pub fn job_timing(mut self, enabled: bool) -> Self {
        self.job_timing = enabled;
        self
    }

    /// Builds a pool whose handler returns a plain value (it may still
    /// panic: that job's outcome is then [`JobError::Panicked`](crate::JobError)).
    ///
    /// # Errors
    ///
    /// [`BuildError`] for zero workers, a bad capacity, or a failed spawn.
    pub fn build<J, R, F>(self, handler: F) -> Result<Pool<J, R, Infallible>, BuildError>
    where
        J: Send + 'static,
        R: Send + 'static,
        F: Fn(JobContext, J) -> R + Send + Sync + 'static,
    {
        self.build_fallible(move |ctx, job| Ok(handler(ctx, job)))
    }

    /// Builds a pool whose handler returns `Result<R, E>`.
    ///
    /// # Errors
    ///
    /// [`BuildError`] for zero workers, a bad capacity, or a failed spawn.
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
    fn validate(self) -> Result<Settings, BuildError> {
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
        check_capacity("queue", self.queue_capacity)?;
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

/// Validated settings.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) workers: usize,
    pub(crate) queue_capacity: usize,
    pub(crate) results_capacity: Option<usize>,
    pub(crate) max_workers: usize,
    pub(crate) autoscale: Option<Autoscale>,
    pub(crate) spin_before_park: u32,
    pub(crate) thread_name: String,
    pub(crate) drop_timeout: Duration,
    pub(crate) job_timing: bool,
}
