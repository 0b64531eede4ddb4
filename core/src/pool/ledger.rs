//! The job accounting of a worker pool: one definition for every front end.
//!
//! A pool, whatever runs its workers (threads, interrupt handlers, a second
//! core), keeps the same books, and they must agree with its queue at every
//! instant or `wait` and the end of the result stream lie:
//!
//! 1. **Admit before queueing.** A submit counts its job in the
//!    [`PhasedCounter`] ([`Ledger::admit`]) *before* pushing it, so no
//!    observer can see the pool idle while the job is queued or running.
//!    Admission also draws the job's [`JobId`] and the counter's [`Ticket`]
//!    (the phase the job was counted in), which travels with the job to its
//!    [`Ledger::finish`].
//! 2. **Accept or withdraw.** If the push succeeds the admission becomes an
//!    accepted job ([`Ledger::accept`]); if the queue hands the job back
//!    (full, closed) the admission is undone ([`Ledger::withdraw`]), which may
//!    make the counter idle. A refused admission is a job that never
//!    existed: waiters that counted it are released when it is undone, and
//!    every job accepted before them is done by then.
//! 3. **Finish after delivering.** A worker calls [`Ledger::finish`] only
//!    after the job's result is where a receiver finds it (or dropped, if
//!    results are discarded). So a waiter that sees its batch finished, or a
//!    receiver that sees the pool closed and idle, finds every result of
//!    those jobs already queued.
//! 4. **End of the result stream.** Read `closed` *first*, then `idle`
//!    ([`Ledger::is_idle`]), then look at the result queue once more: a job
//!    accepted before the close was admitted before it, so an idle counter
//!    read after the closed flag covers it (see the pool's `recv`).
//!
//! The counter is the two-phase one, so a waiter ([`Ledger::batch`], then
//! [`Ledger::poll`] in its loop) is not starved by jobs admitted after it
//! started waiting: it waits for the jobs admitted before it, not for the
//! pool to go idle (see [`PhasedCounter`]). Both pools, the std crate's
//! threads and core's [`Pool`](super::Pool), keep these books, so both wait
//! by that rule.
//!
//! Ids are `usize`, from 1, in admission order, and wrap after `2^W - 1`
//! admissions (`W` = pointer width): unique among the jobs in flight at any
//! time as long as fewer than `2^W` are admitted while one is in flight.
//! A refused admission uses up its id.

use crate::counter::phased::{PhasedBatch, PhasedCounter, Ticket};
use crate::error::CounterError;
use crate::sync::{AtomicUsize, Ordering};

/// A job's identity: its admission number, from 1 (see the module docs).
pub type JobId = usize;

/// What a handler learns about the job it runs (the same fields as the std
/// pool's `JobContext`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobContext {
    /// The worker running the job: the id its context passed to
    /// `run_one` / `run_pending`.
    pub worker_id: usize,
    /// The job's id, as returned by its submit.
    pub job_id: JobId,
}

/// A counted job that is not yet accepted or refused; see [`Ledger::admit`].
#[derive(Debug, PartialEq, Eq)]
#[must_use = "an admission must be accepted or refused, or the counter never goes idle"]
pub struct Admission {
    id: JobId,
    ticket: Ticket,
}

impl Admission {
    /// The id the job will have if it is accepted.
    pub fn id(&self) -> JobId {
        self.id
    }

    /// The counter phase the job was counted in: keep it with the job and
    /// pass it to [`Ledger::finish`].
    pub fn ticket(&self) -> Ticket {
        self.ticket
    }
}

/// `count` counted jobs, not yet accepted or refused, with consecutive ids
/// from [`first_id`](Self::first_id); see [`Ledger::admit_many`]. One
/// admission of many replaces `count` single ones: one read-modify-write on
/// the counter and one on the ids for the lot.
#[derive(Debug, PartialEq, Eq)]
#[must_use = "admissions must be accepted or refused, or the counter never goes idle"]
pub struct Admissions {
    first_id: JobId,
    count: usize,
    ticket: Ticket,
}

impl Admissions {
    /// The id of the first job; the `i`-th (from 0) has `first_id + i`
    /// (wrapping, as every id).
    pub fn first_id(&self) -> JobId {
        self.first_id
    }

    /// How many jobs the admission still holds.
    pub fn count(&self) -> usize {
        self.count
    }

    /// The counter phase every one of these jobs was counted in.
    pub fn ticket(&self) -> Ticket {
        self.ticket
    }
}

/// The books of a pool: jobs in flight (a [`PhasedCounter`]), the next
/// job id, and how many submissions were accepted and refused.
///
/// ```
/// use ringpool_core::pool::Ledger;
/// static BOOKS: Ledger = Ledger::new();
///
/// let admission = BOOKS.admit().unwrap(); // counted before the push
/// let ticket = admission.ticket(); // travels with the job
/// let id = BOOKS.accept(admission); // the push succeeded
/// assert_eq!((id, BOOKS.pending()), (1, 1));
/// let batch = BOOKS.batch();
/// assert!(!BOOKS.poll(batch));
/// assert_eq!(BOOKS.finish(ticket), Ok(true)); // result delivered: idle again
/// assert!(BOOKS.poll(batch));
///
/// let refused = BOOKS.admit().unwrap();
/// BOOKS.withdraw(refused); // the queue handed the job back
/// BOOKS.count_refused(); // and the submit gave up
/// assert_eq!((BOOKS.accepted(), BOOKS.refused(), BOOKS.pending()), (1, 1, 0));
/// ```
#[derive(Debug)]
pub struct Ledger {
    counter: PhasedCounter,
    next_id: AtomicUsize,
    accepted: AtomicUsize,
    refused: AtomicUsize,
}

impl Ledger {
    crate::sync::const_if_not_loom! {
        /// Empty books: nothing pending, the first id 1.
        pub fn new() -> Self {
            Self {
                counter: PhasedCounter::new(),
                next_id: AtomicUsize::new(1),
                accepted: AtomicUsize::new(0),
                refused: AtomicUsize::new(0),
            }
        }
    }

    /// Counts one more job in flight and draws its id. Call it before the
    /// job is queued.
    ///
    /// # Errors
    ///
    /// [`CounterError::Overflow`] when [`PhasedCounter::MAX_PENDING`]
    /// jobs are already in flight in the current phase; nothing is counted
    /// then.
    pub fn admit(&self) -> Result<Admission, CounterError> {
        let ticket = self.counter.add(1)?;
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        Ok(Admission { id, ticket })
    }

    /// Counts `count` more jobs in flight, all in one counter phase, and
    /// draws `count` consecutive ids: two read-modify-writes however large
    /// `count` is. Call it before the jobs are queued; then
    /// [`accept_many`](Self::accept_many) those that got in and
    /// [`withdraw_many`](Self::withdraw_many) the rest.
    ///
    /// # Errors
    ///
    /// [`CounterError::Overflow`] when the current phase cannot count
    /// `count` more; nothing is counted then.
    pub fn admit_many(&self, count: usize) -> Result<Admissions, CounterError> {
        let ticket = self.counter.add(count)?;
        let first_id = self.next_id.fetch_add(count, Ordering::Relaxed);
        Ok(Admissions {
            first_id,
            count,
            ticket,
        })
    }

    /// The first `n` jobs of `admissions` (at most its count) are queued:
    /// counts them accepted (one read-modify-write) and removes them from
    /// `admissions`, which keeps the rest (ids after theirs).
    pub fn accept_many(&self, admissions: &mut Admissions, n: usize) {
        let n = n.min(admissions.count);
        if n > 0 {
            self.accepted.fetch_add(n, Ordering::Relaxed);
            admissions.first_id = admissions.first_id.wrapping_add(n);
            admissions.count -= n;
        }
    }

    /// The jobs still in `admissions` were handed back: undoes their count
    /// with one read-modify-write. Returns `true` if that made the counter
    /// idle. Their ids stay used up.
    pub fn withdraw_many(&self, admissions: Admissions) -> bool {
        // Cannot underflow: the admissions hold `count` in their phase.
        matches!(
            self.counter.done_many(admissions.ticket, admissions.count),
            Ok(true)
        )
    }

    /// `n` accepted jobs, all counted with `ticket`, are over and their
    /// results delivered: one read-modify-write. Returns `true` if that
    /// emptied the phase (wake waiters then).
    ///
    /// # Errors
    ///
    /// [`CounterError::Underflow`] if fewer than `n` are pending in that
    /// phase (a bug of the caller); nothing changes.
    pub fn finish_many(&self, ticket: Ticket, n: usize) -> Result<bool, CounterError> {
        self.counter.done_many(ticket, n)
    }

    /// The admitted job is queued: returns its id.
    pub fn accept(&self, admission: Admission) -> JobId {
        self.accepted.fetch_add(1, Ordering::Relaxed);
        admission.id
    }

    /// The admitted job was handed back to its submitter (the queue was
    /// full or closed): undoes its count. Returns `true` if that made the
    /// counter idle. Count the refusal with
    /// [`count_refused`](Self::count_refused) once the submit gives up.
    pub fn withdraw(&self, admission: Admission) -> bool {
        // Cannot underflow: the admission holds one count in its phase.
        matches!(self.counter.done(admission.ticket), Ok(true))
    }

    /// Counts one submission refused (handed back to its caller), however
    /// many attempts it made.
    pub fn count_refused(&self) {
        self.refused.fetch_add(1, Ordering::Relaxed);
    }

    /// One accepted job is over and its result delivered; `ticket` is its
    /// admission's. Returns `true` if that emptied the job's counter phase:
    /// wake waiters then (one may be finished, or may now close the current
    /// phase).
    ///
    /// # Errors
    ///
    /// [`CounterError::Underflow`] if more jobs of that phase finish than
    /// were admitted in it (a bug of the caller); nothing changes.
    pub fn finish(&self, ticket: Ticket) -> Result<bool, CounterError> {
        self.counter.done(ticket)
    }

    /// Jobs admitted and not yet finished or refused.
    pub fn pending(&self) -> usize {
        self.counter.pending()
    }

    /// Whether nothing is pending.
    pub fn is_idle(&self) -> bool {
        self.counter.is_idle()
    }

    /// Submissions accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::Relaxed)
    }

    /// Submissions refused so far (handed back, or refused before admission).
    pub fn refused(&self) -> usize {
        self.refused.load(Ordering::Relaxed)
    }

    /// A snapshot of the jobs in flight now; see [`PhasedCounter::batch`].
    pub fn batch(&self) -> PhasedBatch {
        self.counter.batch()
    }

    /// Whether every job in flight at `batch` time is over; a bounded check
    /// that changes nothing.
    pub fn is_finished(&self, batch: PhasedBatch) -> bool {
        self.counter.is_finished(batch)
    }

    /// As [`is_finished`](Self::is_finished), and closes the counter's
    /// current phase when that lets jobs admitted later stop holding the
    /// batch up ([`PhasedCounter::poll`]). A waiter's loop calls this.
    pub fn poll(&self, batch: PhasedBatch) -> bool {
        self.counter.poll(batch)
    }

    /// The completion counter itself.
    pub fn counter(&self) -> &PhasedCounter {
        &self.counter
    }
}

impl Default for Ledger {
    fn default() -> Self {
        Self::new()
    }
}
