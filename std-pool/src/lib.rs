#![deny(missing_docs)]
//! # ringpool
//!
//! Go's worker-pool pattern in Rust, over the lock-free ring of
//! [`ringpool_core`]: N workers take typed jobs from a bounded queue, run
//! one handler, and hand back typed results; a completion counter says
//! when all are done.
//!
//! ```
//! use ringpool::Pool;
//! let pool = Pool::new(3, 10, |ctx, job: u32| {
//!     println!("Worker {} started job {job}", ctx.worker_id);
//!     job * 2
//! })
//! .unwrap();
//! let results = pool.results().unwrap();
//! for job in 1..=10 {
//!     pool.submit(job).unwrap();
//! }
//! pool.close();
//! assert_eq!(results.count(), 10);
//! ```
//!
//! * **Backpressure**: [`Pool::submit`] waits while the queue is full;
//!   [`Pool::try_submit`] and [`Pool::submit_timeout`] hand the job back.
//!   A job is never dropped: every refusal returns it inside
//!   [`SubmitError`].
//! * **Results**: [`Results`] yields [`JobResult`]s (job id, worker id,
//!   outcome, queue wait, run time) and ends after [`Pool::close`] once
//!   everything is drained. A full result ring makes a worker wait only
//!   briefly for an active receiver (backpressure); with nobody draining,
//!   results spill into a growable buffer instead, so the
//!   results-channel-full deadlock cannot happen, whatever the order of
//!   submits and receives ([`Builder::results_capacity`]).
//! * **Errors**: handlers may return `Result` ([`Builder::build_fallible`]);
//!   a panic becomes that job's [`JobError::Panicked`] and the worker lives
//!   on.
//! * **Metrics**: [`Pool::metrics`] — counters, gauges and queue-wait and
//!   run-time histograms, recorded without allocation.
//! * **Scaling**: [`Pool::resize`], and [`Autoscale`].
//! * **Shutdown**: [`Pool::close`], [`Pool::wait`], [`Pool::stop_now`],
//!   [`Pool::shutdown`], and a Drop that never hangs forever (see [`Pool`]).
//! * **No busy idling**: idle workers and blocked callers spin briefly,
//!   then park on an eventcount (the private `event` module), modelled in
//!   `loom-tests`.
//! * **No allocation per job** once started (a counting-allocator test).

mod backoff;
mod builder;
mod clock;
mod error;
#[cfg(loom)]
pub mod event;
#[cfg(not(loom))]
mod event;
mod histogram;
mod metrics;
mod pool;
mod results;
mod ring;
mod shared;
mod sync;
mod worker;

pub use builder::{Autoscale, Builder};
pub use error::{BuildError, JobError, RecvError, SubmitError, Timeout, WaitError};
pub use histogram::HistogramSnapshot;
pub use metrics::MetricsSnapshot;
pub use pool::{JobContext, JobId, Pool};
pub use results::{JobResult, Results};
