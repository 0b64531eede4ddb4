//! [`Pool`]: the fixed-capacity pool itself (algorithm in the module docs
//! of `pool`).

use super::error::{RecvError, RunError, SubmitError};
use super::ledger::{JobContext, JobId, Ledger};
use crate::counter::{PhasedBatch, Ticket};
use crate::error::{PopError, PushError};
use crate::ring::Ring;
use crate::sync::{AtomicUsize, Ordering};
use core::fmt;
use crossbeam_utils::CachePadded;
use spin::relax::RelaxStrategy;

/// A queued job with its id.
struct Envelope<J> {
    id: JobId,
    job: J,
    /// The counter phase the job was admitted in, for its `finish`.
    ticket: Ticket,
}

/// One finished job, as [`Pool::recv`] returns it (the std pool's
/// `JobResult` without its timings, which need a clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobResult<R> {
    /// The job's id, as its submit returned it.
    pub job_id: JobId,
    /// The worker that ran it: the id its context passed to `run_one`.
    pub worker_id: usize,
    /// What the handler returned.
    pub outcome: R,
}

/// What one [`Pool::run_pending`] call did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunReport {
    /// Jobs run.
    pub ran: usize,
    /// Why it stopped before its budget, if it did.
    pub stopped: Option<RunError>,
}

/// A worker pool of `JOBS` queued jobs and `RESULTS` undelivered results,
/// all inline: no allocator, constructible in a `static`. `JOBS` and
/// `RESULTS` are powers of two up to [`MAX_CAPACITY`](crate::MAX_CAPACITY)
/// (a compile-time error otherwise). The handler is a plain function
/// pointer (a closure that captures nothing coerces to one), so the pool
/// needs no allocation and can be built in a `const` context; state the
/// handler needs lives in the job or in `static`s.
///
/// ```
/// use ringpool_core::pool::{JobContext, Pool, RecvError, RunError};
///
/// fn square(_: JobContext, x: u32) -> u32 {
///     x * x
/// }
/// // Jobs from interrupt handlers, run by the main loop, say.
/// static POOL: Pool<u32, u32, 8, 8> = Pool::new(square);
///
/// let id = POOL.try_submit(7).unwrap(); // from any context
/// assert_eq!(POOL.run_one(1), Ok(id)); // worker 1 (a main loop, a handler)
/// assert_eq!(POOL.run_one(1), Err(RunError::Empty));
/// let result = POOL.recv().unwrap();
/// assert_eq!((result.job_id, result.worker_id, result.outcome), (id, 1, 49));
/// POOL.close();
/// assert_eq!(POOL.recv(), Err(RecvError::Ended));
/// ```
pub struct Pool<J, R, const JOBS: usize, const RESULTS: usize> {
    handler: fn(JobContext, J) -> R,
    jobs: Ring<Envelope<J>, JOBS>,
    results: Ring<JobResult<R>, RESULTS>,
    /// Result slots neither queued nor reserved by a run (module docs).
    room: CachePadded<AtomicUsize>,
    keep_results: bool,
    ledger: Ledger,
}

impl<J, R, const JOBS: usize, const RESULTS: usize> Pool<J, R, JOBS, RESULTS> {
    crate::sync::const_if_not_loom! {
        /// A pool that runs `handler` on each job and queues its results for
        /// [`recv`](Self::recv).
        pub fn new(handler: fn(JobContext, J) -> R) -> Self {
            Self {
                handler,
                jobs: Ring::new(),
                results: Ring::new(),
                room: CachePadded::new(AtomicUsize::new(RESULTS)),
                keep_results: true,
                ledger: Ledger::new(),
            }
        }
    }

    crate::sync::const_if_not_loom! {
        /// A pool that runs `handler` on each job and drops what it returns
        /// (Go's pool without a results channel): `recv` never has a result
        /// and runs never report `ResultsFull`. `RESULTS = 1` keeps the
        /// unused result ring small.
        pub fn discarding(handler: fn(JobContext, J) -> R) -> Self {
            Self {
                handler,
                jobs: Ring::new(),
                results: Ring::new(),
                room: CachePadded::new(AtomicUsize::new(RESULTS)),
                keep_results: false,
                ledger: Ledger::new(),
            }
        }
    }

    /// Queues `job` if there is room now; never waits. Callable from any
    /// context, including an interrupt handler that preempted a worker or
    /// another submitter of this pool.
    ///
    /// # Errors
    ///
    /// [`SubmitError::Full`] or [`SubmitError::Closed`], with the job.
    pub fn try_submit(&self, job: J) -> Result<JobId, SubmitError<J>> {
        self.offer(job).inspect_err(|_| self.ledger.count_refused())
    }

    /// Queues `job`, retrying while the queue is full, at most `max_spins`
    /// more times with the `spin` crate's [`Spin`](spin::relax::Spin) relax
    /// between tries. Never waits longer: from a context that preempted
    /// every worker (an interrupt handler over the only worker), no room can
    /// come, so use [`try_submit`](Self::try_submit) there.
    ///
    /// # Errors
    ///
    /// As [`try_submit`](Self::try_submit), after the retries.
    pub fn submit(&self, job: J, max_spins: usize) -> Result<JobId, SubmitError<J>> {
        let mut job = job;
        for _ in 0..max_spins {
            match self.offer(job) {
                Err(SubmitError::Full(back)) => job = back,
                Err(closed) => {
                    self.ledger.count_refused();
                    return Err(closed);
                }
                Ok(id) => return Ok(id),
            }
            DefaultRelax::relax();
        }
        self.try_submit(job)
    }

    /// One attempt to queue `job`, refusals not yet counted.
    fn offer(&self, job: J) -> Result<JobId, SubmitError<J>> {
        if self.jobs.is_closed() {
            return Err(SubmitError::Closed(job));
        }
        // Counted before it is queued: nobody sees the pool idle while the
        // job is in the ring.
        let Ok(admission) = self.ledger.admit() else {
            return Err(SubmitError::Full(job));
        };
        let envelope = Envelope {
            id: admission.id(),
            job,
            ticket: admission.ticket(),
        };
        match self.jobs.push(envelope) {
            Ok(()) => Ok(self.ledger.accept(admission)),
            Err(refused) => {
                self.ledger.withdraw(admission);
                Err(match refused {
                    PushError::Full(back) => SubmitError::Full(back.job),
                    PushError::Closed(back) => SubmitError::Closed(back.job),
                })
            }
        }
    }

    /// Runs one queued job in the calling context, as worker `worker_id`
    /// (any number the caller chooses; it is passed to the handler in
    /// [`JobContext::worker_id`] and recorded in the result). Returns the
    /// job's id.
    ///
    /// Lock-free: it never waits for another context, and being preempted
    /// anywhere inside it loses and repeats nothing.
    ///
    /// # Errors
    ///
    /// [`RunError`] when no job was taken: none queued, the pool closed and
    /// drained, or no result slot free.
    pub fn run_one(&self, worker_id: usize) -> Result<JobId, RunError> {
        // (1) A result slot first, so the result can never be stranded.
        if self.keep_results && !self.reserve_result() {
            return Err(RunError::ResultsFull);
        }
        // (2) The job.
        let envelope = match self.jobs.pop() {
            Ok(envelope) => envelope,
            Err(empty_or_closed) => {
                if self.keep_results {
                    self.release_result();
                }
                return Err(match empty_or_closed {
                    PopError::Empty => RunError::Empty,
                    PopError::Closed => RunError::Closed,
                });
            }
        };
        // (3) Run it.
        let context = JobContext {
            worker_id,
            job_id: envelope.id,
        };
        let outcome = (self.handler)(context, envelope.job);
        // (4) Deliver into the reserved slot.
        if self.keep_results {
            self.deliver(JobResult {
                job_id: envelope.id,
                worker_id,
                outcome,
            });
        }
        // (5) Only now is the job over (after its result is findable).
        let _ = self.ledger.finish(envelope.ticket);
        Ok(envelope.id)
    }

    /// Runs up to `budget` queued jobs in the calling context (see
    /// [`run_one`](Self::run_one)), stopping early at the first
    /// [`RunError`], which the report carries.
    pub fn run_pending(&self, worker_id: usize, budget: usize) -> RunReport {
        let mut ran = 0;
        while ran < budget {
            match self.run_one(worker_id) {
                Ok(_) => ran += 1,
                Err(stop) => {
                    return RunReport {
                        ran,
                        stopped: Some(stop),
                    };
                }
            }
        }
        RunReport { ran, stopped: None }
    }

    /// Takes the oldest queued result. Each result goes to exactly one
    /// caller.
    ///
    /// # Errors
    ///
    /// [`RecvError::Empty`] when none is queued now; [`RecvError::Ended`]
    /// once the pool is closed, every accepted job has finished and every
    /// result has been taken. After `Ended`, every later call returns it.
    pub fn recv(&self) -> Result<JobResult<R>, RecvError> {
        if let Some(result) = self.take_result() {
            return Ok(result);
        }
        // Closed first, idle second (ledger module docs, rule 4): a job
        // accepted before the close was admitted before it, so it shows.
        if !self.jobs.is_closed() || !self.ledger.is_idle() {
            return Err(RecvError::Empty);
        }
        // Every result there will ever be is queued now; one last look.
        self.take_result().ok_or(RecvError::Ended)
    }

    /// Moves queued results into `out` until it is full or none is queued;
    /// returns how many were moved.
    pub fn drain_into<const M: usize>(&self, out: &mut heapless::Vec<JobResult<R>, M>) -> usize {
        let mut moved = 0;
        while !out.is_full() {
            let Some(result) = self.take_result() else {
                break;
            };
            // Cannot fail: `out` is not full.
            let _ = out.push(result);
            moved += 1;
        }
        moved
    }

    /// Closes the pool (Go's `close`): later submits are refused with
    /// [`SubmitError::Closed`]; jobs already queued still run, then
    /// `run_one` reports [`RunError::Closed`]. Returns `true` if this call
    /// closed it.
    pub fn close(&self) -> bool {
        self.jobs.close()
    }

    /// Whether [`close`](Self::close) has been called.
    pub fn is_closed(&self) -> bool {
        self.jobs.is_closed()
    }

    /// A snapshot of the jobs in flight now (queued or running), to pass to
    /// [`is_finished`](Self::is_finished).
    pub fn batch(&self) -> PhasedBatch {
        self.ledger.batch()
    }

    /// Whether every job in flight at `batch` time has finished and its
    /// result is queued. A bounded number of steps. It may close the
    /// counter's current phase ([`Ledger::poll`]), so jobs submitted after
    /// `batch` cannot keep a waiter that calls it in a loop waiting.
    pub fn is_finished(&self, batch: PhasedBatch) -> bool {
        self.ledger.poll(batch)
    }

    /// Checks [`is_finished`](Self::is_finished) up to `max_spins + 1`
    /// times with the `spin` crate's [`Spin`](spin::relax::Spin) relax
    /// between checks; returns whether the batch finished.
    pub fn spin_wait(&self, batch: PhasedBatch, max_spins: usize) -> bool {
        self.spin_wait_with::<DefaultRelax>(batch, max_spins)
    }

    /// [`spin_wait`](Self::spin_wait) with another relax strategy (a WFE
    /// on a Cortex-M, a yield under an RTOS).
    pub fn spin_wait_with<Relax: RelaxStrategy>(
        &self,
        batch: PhasedBatch,
        max_spins: usize,
    ) -> bool {
        for _ in 0..max_spins {
            if self.is_finished(batch) {
                return true;
            }
            Relax::relax();
        }
        self.is_finished(batch)
    }

    /// Jobs accepted and not yet finished.
    pub fn pending(&self) -> usize {
        self.ledger.pending()
    }

    /// Jobs queued and not yet taken by a worker (a snapshot).
    pub fn queued(&self) -> usize {
        self.jobs.len()
    }

    /// Results queued and not yet received (a snapshot).
    pub fn results_queued(&self) -> usize {
        self.results.len()
    }

    /// The pool's books: ids, accepted and refused counts, the counter.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Reserves one result slot; `false` if none is free.
    fn reserve_result(&self) -> bool {
        self.room
            .fetch_update(Ordering::Acquire, Ordering::Relaxed, |room| {
                room.checked_sub(1)
            })
            .is_ok()
    }

    /// Gives one result slot back (a run that took no job, or a result
    /// received).
    fn release_result(&self) {
        self.room.fetch_add(1, Ordering::Release);
    }

    /// Pushes a result into the slot its run reserved.
    fn deliver(&self, result: JobResult<R>) {
        let mut result = result;
        // The reservation guarantees a free slot (module docs), so the
        // first push succeeds; the result ring is never closed. The loop is
        // the defensive form of that argument: it never loses the result.
        // Under loom the argument itself is checked: a first push that fails
        // fails the model.
        let mut first_try = true;
        while let Err(full) = self.results.push(result) {
            #[cfg(loom)]
            assert!(!first_try, "a reserved result slot was not free");
            first_try = false;
            result = full.into_inner();
            crate::sync::spin_loop();
        }
        let _ = first_try;
    }

    /// Pops one result and returns its slot's reservation count.
    fn take_result(&self) -> Option<JobResult<R>> {
        let result = self.results.pop().ok()?;
        if self.keep_results {
            // After the pop returned: the slot is back in the ring's free
            // list before anyone can reserve it again.
            self.release_result();
        }
        Some(result)
    }
}

impl<J, R, const JOBS: usize, const RESULTS: usize> fmt::Debug for Pool<J, R, JOBS, RESULTS> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("queued", &self.queued())
            .field("pending", &self.pending())
            .field("results_queued", &self.results_queued())
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}

/// The relax between spins: the `spin` crate's `Spin` (a CPU hint), or
/// under loom a yield to the model's scheduler, which a spinning thread
/// needs to let the thread it waits on run.
#[cfg(not(loom))]
type DefaultRelax = spin::relax::Spin;

#[cfg(loom)]
struct DefaultRelax;

#[cfg(loom)]
impl RelaxStrategy for DefaultRelax {
    fn relax() {
        crate::sync::spin_loop();
    }
}
