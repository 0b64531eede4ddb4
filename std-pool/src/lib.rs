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
//! * **Batches**: [`Pool::submit_many`] / [`Pool::try_submit_many`] queue
//!   many jobs with one admission and one ring operation per chunk (refused
//!   jobs stay in the caller's iterator, in order); [`Results::recv_many`]
//!   drains several results per wait; [`Builder::take_batch`] (opt-in) lets
//!   a worker take its share of a deep queue at once. Fewer shared writes
//!   per tiny job (`benches/notes/pool-batches-2026-11-30.md`).
//! * **Errors**: handlers may return `Result` ([`Builder::build_fallible`]);
//!   a panic becomes that job's [`JobError::Panicked`] and the worker lives
//!   on.
//! * **Metrics**: [`Pool::metrics`] — counters, gauges and queue-wait and
//!   run-time histograms, recorded without allocation.
//! * **Scaling**: [`Pool::resize`], and [`Autoscale`].
//! * **Control**: [`Pool::pause`] / [`Pool::resume`], priority levels
//!   ([`Builder::priorities`]) and queue deadlines through
//!   [`Pool::submit_with_options`] and [`JobOptions`]; an expired job is
//!   not run, its result is [`JobError::Expired`] and the job comes back
//!   from [`Pool::take_expired`]; [`Pool::cancel`] takes a queued job
//!   back (pools built [`Builder::cancellable`]) or flags a running one
//!   ([`JobContext::is_cancelled`]).
//! * **Shutdown**: [`Pool::close`], [`Pool::wait`], [`Pool::stop_now`],
//!   [`Pool::shutdown`], and a Drop that never hangs forever (see [`Pool`]).
//! * **No busy idling**: idle workers and blocked callers spin briefly,
//!   then park on an eventcount (the private `event` module), modelled in
//!   `loom-tests`.
//! * **No allocation per job** once started (a counting-allocator test).
//! * **Jobs that borrow**: [`scope`](fn@scope) runs a pool whose jobs,
//!   results and handler borrow from the caller's stack, joining every
//!   worker before it returns ([`ScopedPool`]).
//! * **From async code**: [`Pool::submit_async`] (waits for room without
//!   blocking the executor; cancel-safe: see [`SubmitFuture`]),
//!   [`Results::recv_async`], [`Results::into_stream`] ([`ResultStream`],
//!   a `futures_core::Stream` with the `stream` cargo feature) and
//!   [`Pool::wait_async`]. Any executor: the futures register their
//!   [`Waker`](std::task::Waker) with the same eventcount that blocking
//!   callers sleep on; no runtime dependency.

// The modules, leaves first; each `use`s only modules above it in this
// list (no import circles):
//
//   sync, error, clock, settings    leaves (primitives, errors, time, config)
//   backoff, event, histogram       waiting and measuring, over `sync`
//   metrics, ring, job              statistics, the heap ring, a job's types
//   take                            a worker's batch: its share, an inline list
//   results                         the result path: ring + spill + events
//   crew                            the workers as a group: slots, counts, threads
//   shared                          one pool's state: queue, books, results, crew
//   worker                          one worker thread's loop, over `shared`
//   receiver, pool                  the public faces: `Results`, `Pool`
//   submit_many                     `Pool::submit_many`: batch submits
//   cancel                          the job cells of a cancellable pool
//   control, options, pool_control  pause, priorities, deadlines: the
//                                   take-side rules (`control`, used by
//                                   `worker`), `JobOptions`, the Pool calls
//   builder                         `Builder`, which makes a `Pool`
//   scope                           `scope`: a pool whose jobs borrow
//   waker_list (under event)        an event's async waiters, FIFO, in a slab
//   async_listen                    a future's side of the eventcount protocol
//   async_submit, async_recv,       `submit_async`, `recv_async`/`ResultStream`,
//   async_wait                      `wait_async`: the futures
mod async_listen;
mod async_recv;
mod async_submit;
mod async_wait;
mod backoff;
mod builder;
mod cancel;
mod clock;
mod control;
mod crew;
mod error;
mod event;
mod help;
mod histogram;
mod job;
mod lend;
mod metrics;
mod options;
mod pool;
mod pool_control;
mod receiver;
mod results;
mod ring;
mod scope;
mod settings;
mod shared;
mod submit_many;
mod sync;
mod take;
mod waker_list;
mod worker;

pub use async_recv::{RecvFuture, ResultStream};
pub use async_submit::SubmitFuture;
pub use async_wait::WaitFuture;
pub use builder::Builder;
pub use cancel::CancelOutcome;
pub use control::{AGE_EVERY, MAX_PRIORITIES};
pub use error::{BuildError, JobError, RecvError, SubmitError, Timeout, WaitError};
pub use histogram::HistogramSnapshot;
pub use job::{JobContext, JobId, JobResult};
pub use metrics::MetricsSnapshot;
pub use options::JobOptions;
pub use pool::Pool;
pub use receiver::Results;
pub use scope::{ScopedPool, ScopedResults, scope, scope_fallible};
pub use settings::Autoscale;
