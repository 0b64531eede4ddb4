//! The state of one pool, shared by its handle, its workers and its result
//! receivers: the job queue and its books, the result path, the crew, and
//! the events that join them. The protocols that span those parts live
//! here too: a job is over, a submit is refused, the pool closes.
//!
//! ```text
//!  submit ─admit─► LEDGER ◄──────────────── finish ─┐
//!     └──push──► JOBS ──pop──► worker ──deliver──► RESULT PATH ──take──► Results
//!                                 ▲
//!                              CREW (slots, live/target, stats)
//! ```

use crate::clock::JobClock;
use crate::control::Control;
use crate::crew::{Crew, is_worker_of};
use crate::error::BuildError;
use crate::event::Event;
use crate::job::{Envelope, Handler};
use crate::lend::Lending;
use crate::results::ResultPath;
use crate::ring::{HeapRing, heap_ring};
use crate::settings::Settings;
use crate::sync::{AtomicU64, Ordering};
use ringpool_core::Ticket;
use ringpool_core::pool::{Admission, Admissions, Ledger};

pub(crate) struct Shared<J, R, E> {
    pub(crate) settings: Settings,
    pub(crate) clock: JobClock,
    pub(crate) handler: Handler<J, R, E>,
    pub(crate) jobs: HeapRing<Envelope<J>>,
    /// The books (core's `Ledger`, shared with the embedded pool): accepted
    /// jobs not yet finished, in two phases so a waiter under sustained load
    /// is not starved; ids; accepted and refused submissions.
    pub(crate) ledger: Ledger,
    /// A job was queued, or the pool closed, or workers must retire.
    pub(crate) job_ready: Event,
    /// A queue slot was freed, or the pool closed.
    pub(crate) slot_free: Event,
    /// A counter phase emptied (a waiter may be done).
    pub(crate) idle: Event,
    /// Jobs handed back by `stop_now`.
    pub(crate) cancelled: AtomicU64,
    pub(crate) results: ResultPath<R, E>,
    pub(crate) crew: Crew,
    /// Pause, priority levels above 0, expired jobs (`crate::control`).
    pub(crate) control: Control<J>,
    /// The worker slots' lending states (the helping wait; empty without).
    pub(crate) lending: Lending,
}

impl<J, R, E> Shared<J, R, E> {
    /// Allocates a pool's state (no worker started yet).
    pub(crate) fn new(settings: Settings, handler: Handler<J, R, E>) -> Result<Self, BuildError> {
        let jobs = heap_ring("queue", settings.queue_capacity)?;
        let control = Control::new(
            settings.priorities,
            settings.queue_capacity,
            settings.cancellable,
            settings.max_workers,
        )?;
        let results = ResultPath::new(
            settings.results_capacity,
            settings.spin_before_park,
            settings.spill_after,
        )?;
        let crew = Crew::new(
            settings.max_workers,
            settings.workers,
            settings.thread_name.clone(),
        )?;
        let lending = Lending::new(
            if settings.helping {
                settings.max_workers
            } else {
                0
            },
            settings.spin_before_park,
        )?;
        Ok(Self {
            lending,
            clock: JobClock::new(settings.job_timing),
            handler,
            jobs,
            ledger: Ledger::new(),
            job_ready: Event::new(),
            slot_free: Event::new(),
            idle: Event::new(),
            cancelled: AtomicU64::new(0),
            results,
            crew,
            control,
            settings,
        })
    }

    /// One accepted job is over (finished and its result delivered, or
    /// handed back by stop-now). Wakes waiters when it emptied its counter
    /// phase (a waiter may be finished, or may now close the current phase).
    pub(crate) fn job_over(&self, ticket: Ticket) {
        if let Ok(true) = self.ledger.finish(ticket) {
            self.went_idle();
        }
    }

    /// `n` accepted jobs, all counted with `ticket`, are over: one counter
    /// step for the lot (see [`job_over`](Self::job_over)).
    pub(crate) fn jobs_over(&self, ticket: Ticket, n: usize) {
        if let Ok(true) = self.ledger.finish_many(ticket, n) {
            self.went_idle();
        }
    }

    /// Undoes the admission of a submit that did not get its job in, and
    /// counts the refusal.
    pub(crate) fn refuse(&self, admission: Admission) {
        if self.ledger.withdraw(admission) {
            self.went_idle();
        }
        self.ledger.count_refused();
    }

    /// Undoes the admissions of a batch submit that the queue did not
    /// take (the refusal is counted by the caller, once per submit).
    pub(crate) fn refuse_many(&self, admissions: Admissions) {
        if self.ledger.withdraw_many(admissions) {
            self.went_idle();
        }
    }

    pub(crate) fn went_idle(&self) {
        self.idle.notify_all();
        // The result stream may have ended (closed and idle).
        self.results.ready().notify_all();
    }

    /// Closed, and no accepted job is unfinished: no result can be added.
    /// Closed is read first (the ledger's rule 4).
    pub(crate) fn ended(&self) -> bool {
        self.jobs.is_closed() && self.ledger.is_idle()
    }

    /// Closes the job queue and wakes every sleeper so it can see that.
    pub(crate) fn close(&self) -> bool {
        // Levels above 0 first: "level 0 is closed" then means all are.
        self.control.close_levels();
        let closed_now = self.jobs.close();
        self.job_ready.notify_all();
        self.slot_free.notify_all();
        self.results.ready().notify_all();
        closed_now
    }

    /// Closes the pool for good, before its workers are joined: resumes
    /// takes if paused (a paused pool keeps its queued jobs after a plain
    /// close, so the join would wait for ever), then closes. Shutdown,
    /// Drop and the end of a scope all end through here.
    pub(crate) fn close_to_end(&self) {
        self.resume_takes();
        self.close();
    }

    /// Marks the calling thread as one of this pool's workers.
    pub(crate) fn mark_worker(&self) {
        crate::crew::mark_worker_of(std::ptr::from_ref(self).addr());
    }

    /// The address of this pool's state: the mark of its workers' threads.
    pub(crate) fn address(&self) -> usize {
        std::ptr::from_ref(self).addr()
    }

    /// Whether the calling thread is one of this pool's workers: a pool call
    /// made there comes from inside the pool's own handler.
    pub(crate) fn inside_handler(&self) -> bool {
        is_worker_of(std::ptr::from_ref(self).addr())
    }

    /// Jobs handed back by `stop_now` so far.
    pub(crate) fn count_cancelled(&self) {
        self.cancelled.fetch_add(1, Ordering::Relaxed);
    }
}
