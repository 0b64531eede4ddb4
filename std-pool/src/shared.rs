//! The state shared by a pool's handle, its workers and its result
//! receivers, and the small protocols on it (accepting a job, finishing a
//! job, the end of the result stream).

use crate::backoff::BeforePark;
use crate::builder::Settings;
use crate::clock::{JobClock, Stamp, between};
use crate::error::JobError;
use crate::event::Event;
use crate::metrics::WorkerStats;
use crate::pool::{JobContext, JobId};
use crate::results::JobResult;
use crate::ring::HeapRing;
use crossbeam_utils::CachePadded;
use ringpool_core::{PhasedCounter, Ticket};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::Instant;

/// The handler, type-erased once at construction (one indirect call per
/// job, no allocation).
pub(crate) type Handler<J, R, E> = Box<dyn Fn(JobContext, J) -> Result<R, E> + Send + Sync>;

/// A job in the queue.
pub(crate) struct Envelope<J> {
    pub(crate) id: JobId,
    pub(crate) job: J,
    pub(crate) submitted_at: Stamp,
    /// The counter phase the job was counted in, for its `done`.
    pub(crate) ticket: Ticket,
}

/// Which worker slots are taken, and the threads that ran in them.
#[derive(Debug, Default)]
pub(crate) struct WorkerSet {
    /// One entry per slot (`max_workers`); `Some` while a thread that used
    /// the slot has not been joined.
    pub(crate) threads: Box<[Option<JoinHandle<()>>]>,
    /// Slots whose worker is alive (has not retired).
    pub(crate) in_use: Box<[bool]>,
}

pub(crate) struct Shared<J, R, E> {
    pub(crate) settings: Settings,
    pub(crate) clock: JobClock,
    pub(crate) handler: Handler<J, R, E>,
    pub(crate) jobs: HeapRing<Envelope<J>>,
    pub(crate) results: Option<HeapRing<JobResult<R, E>>>,
    /// Accepted jobs not yet finished (the WaitGroup), in two phases so a
    /// waiter under sustained load is not starved (see `PhasedCounter`).
    pub(crate) counter: PhasedCounter,
    /// A job was queued, or the pool closed, or workers must retire.
    pub(crate) job_ready: Event,
    /// A queue slot was freed, or the pool closed.
    pub(crate) slot_free: Event,
    /// A result was queued, or the stream may have ended.
    pub(crate) result_ready: Event,
    /// A result was taken from the result ring.
    pub(crate) result_room: Event,
    /// Results go straight to the spill buffer: a worker found the result
    /// ring full and nobody took a result for `spill_after`.
    pub(crate) spilling: AtomicBool,
    /// The counter reached zero.
    pub(crate) idle: Event,
    /// A worker thread exited.
    pub(crate) worker_exit: Event,
    pub(crate) next_id: CachePadded<AtomicU64>,
    pub(crate) submitted: CachePadded<AtomicU64>,
    pub(crate) rejected: AtomicU64,
    pub(crate) cancelled: AtomicU64,
    /// Results that found the result ring full, oldest first.
    pub(crate) spilled: Mutex<VecDeque<JobResult<R, E>>>,
    /// `spilled.len()`, readable without the lock.
    pub(crate) spilled_len: AtomicUsize,
    /// Results that ever went to the spill buffer.
    pub(crate) spilled_total: AtomicU64,
    /// Set when a shutdown timed out and detached the workers: Drop then
    /// does not wait for them again.
    pub(crate) detached: AtomicBool,
    /// Workers alive (not retired); changed only under `workers`.
    pub(crate) live: AtomicUsize,
    /// Workers wanted; a worker retires while `live > target`.
    pub(crate) target: AtomicUsize,
    /// Worker threads that have not exited yet.
    pub(crate) running_threads: AtomicUsize,
    pub(crate) workers: Mutex<WorkerSet>,
    pub(crate) stats: Box<[OnceLock<Box<WorkerStats>>]>,
}

impl<J, R, E> Shared<J, R, E> {
    /// Queues a finished job's result: in the lock-free ring, or, when the
    /// ring is full (nobody drains fast enough), in the spill buffer. Never
    /// waits for a receiver.
    ///
    /// When the ring is full, the worker first waits up to `spill_after`
    /// for a receiver to take a result (backpressure: a receiver that keeps
    /// up, even a slow one, bounds the backlog at the ring and the memory
    /// at construction size). If none does, nobody is draining: the result
    /// spills, and so do later ones without waiting, until a receiver takes
    /// a result from the ring again. So a pool nobody drains (the seed's
    /// order: submit everything, then collect) costs each worker at most
    /// one such wait per episode, never a deadlock.
    fn deliver(&self, results: &HeapRing<JobResult<R, E>>, result: JobResult<R, E>) {
        let mut pending = match results.push(result) {
            Ok(()) => None,
            // The result ring is never closed, so this is Full.
            Err(full) => Some(full.into_inner()),
        };
        if pending.is_some() && !self.spilling.load(Ordering::Acquire) {
            // A receiver that keeps up frees a slot within microseconds:
            // spin and yield with read-only looks first, park only after.
            let mut before_park = BeforePark::new(self.settings.spin_before_park);
            while let Some(result) = pending.take() {
                if !before_park.snooze() {
                    pending = Some(result);
                    break;
                }
                if results.len() >= results.capacity() {
                    pending = Some(result);
                } else if let Err(full) = results.push(result) {
                    pending = Some(full.into_inner());
                }
            }
        }
        if pending.is_some() && !self.spilling.load(Ordering::Acquire) {
            let deadline = Instant::now().checked_add(self.settings.spill_after);
            let made_room = self.result_room.wait_until(deadline, || {
                let result = pending.take()?;
                match results.push(result) {
                    Ok(()) => Some(()),
                    Err(full) => {
                        pending = Some(full.into_inner());
                        None
                    }
                }
            });
            if made_room.is_none() {
                self.spilling.store(true, Ordering::Release);
            }
        }
        if let Some(result) = pending {
            self.spilled_total.fetch_add(1, Ordering::Relaxed);
            let mut spilled = crate::pool::lock(&self.spilled);
            spilled.push_back(result);
            self.spilled_len.store(spilled.len(), Ordering::Release);
        }
        self.result_ready.notify_one();
    }

    /// Takes the oldest queued result: the ring's first, then the spill
    /// buffer's.
    pub(crate) fn take_result(&self) -> Option<JobResult<R, E>> {
        let result = match self.results.as_ref()?.pop() {
            Ok(result) => result,
            Err(_) if self.spilled_len.load(Ordering::Acquire) == 0 => return None,
            Err(_) => {
                let mut spilled = crate::pool::lock(&self.spilled);
                let result = spilled.pop_front()?;
                self.spilled_len.store(spilled.len(), Ordering::Release);
                result
            }
        };
        // A receiver is draining: room for a waiting worker, and no reason
        // to spill any more.
        if self.spilling.load(Ordering::Relaxed) {
            self.spilling.store(false, Ordering::Release);
        }
        self.result_room.notify_one();
        Some(result)
    }

    /// Results finished and not yet received.
    pub(crate) fn results_pending(&self) -> usize {
        self.results.as_ref().map_or(0, |r| r.len()) + self.spilled_len.load(Ordering::Acquire)
    }

    /// One accepted job is over (finished, or handed back). Wakes waiters
    /// when it emptied its counter phase (a waiter may be finished, or may
    /// now close the current phase).
    pub(crate) fn job_over(&self, ticket: Ticket) {
        if let Ok(true) = self.counter.done(ticket) {
            self.idle.notify_all();
            // The result stream may have ended (closed and idle).
            self.result_ready.notify_all();
        }
    }

    /// Undoes the bookkeeping of a submit that did not get its job in.
    pub(crate) fn refuse(&self, ticket: Ticket) {
        self.rejected.fetch_add(1, Ordering::Relaxed);
        self.job_over(ticket);
    }

    /// Runs one job in worker slot `slot` and delivers its outcome.
    pub(crate) fn run(&self, slot: usize, envelope: Envelope<J>) {
        let stats = self.stats(slot);
        let started_at = self.clock.now();
        let queue_wait = between(envelope.submitted_at, started_at);
        stats.started(queue_wait);
        let context = JobContext {
            worker_id: slot + 1,
            job_id: envelope.id,
        };
        let handler = &self.handler;
        let job = envelope.job;
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler(context, job)));
        let run_time = between(started_at, self.clock.now());
        let (outcome, ending) = match outcome {
            Ok(Ok(value)) => (Ok(value), crate::metrics::Ending::Succeeded),
            Ok(Err(error)) => (Err(JobError::Failed(error)), crate::metrics::Ending::Failed),
            Err(payload) => {
                let message = panic_message(payload.as_ref());
                // The payload is user code's: its Drop may panic too.
                drop_quietly(payload);
                (
                    Err(JobError::Panicked(message)),
                    crate::metrics::Ending::Panicked,
                )
            }
        };
        stats.finished(run_time, ending);
        match &self.results {
            Some(results) => {
                let result = JobResult {
                    job_id: envelope.id,
                    worker_id: slot + 1,
                    outcome,
                    queue_wait: queue_wait.unwrap_or_default(),
                    run_time: run_time.unwrap_or_default(),
                };
                self.deliver(results, result);
            }
            // A discarded value or error is user code's: its Drop may panic.
            None => drop_quietly(outcome),
        }
        self.job_over(envelope.ticket);
    }

    /// Closes the job queue and wakes every sleeper so it can see that.
    pub(crate) fn close(&self) -> bool {
        let closed_now = self.jobs.close();
        self.job_ready.notify_all();
        self.slot_free.notify_all();
        self.result_ready.notify_all();
        closed_now
    }

    /// Waits (until `deadline`) for every worker thread to leave its loop,
    /// then joins them all. Returns `false` on timeout.
    pub(crate) fn join_workers(&self, deadline: Option<Instant>) -> bool {
        let exited = || (self.running_threads.load(Ordering::Acquire) == 0).then_some(());
        if self.worker_exit.wait_until(deadline, exited).is_none() {
            return false;
        }
        let mut set = crate::pool::lock(&self.workers);
        for thread in set.threads.iter_mut().filter_map(Option::take) {
            let _ = thread.join();
        }
        true
    }

    pub(crate) fn stats(&self, slot: usize) -> &WorkerStats {
        self.stats[slot].get_or_init(|| Box::new(WorkerStats::new()))
    }
}

/// Drops `value`, catching a panic from its `Drop` (user code) so that it
/// cannot take the worker down. The payload of such a panic is leaked
/// rather than dropped: its own `Drop` could panic again, without end.
fn drop_quietly<T>(value: T) {
    let dropped = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(value)));
    if let Err(payload) = dropped {
        std::mem::forget(payload);
    }
}

/// The message of a panic payload.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "panic with a non-string payload".to_owned()
    }
}
