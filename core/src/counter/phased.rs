//! [`PhasedCounter`]: a completion counter whose waiters are not starved by
//! jobs that keep arriving after they start waiting.
//!
//! [`CompletionCounter`](crate::CompletionCounter) ends a waiter's batch
//! when `pending` drops to zero. Under sustained load it never does, so a
//! waiter waits for the pool to go idle, not for the jobs accepted before it
//! started. This counter splits the jobs into two *phases* and lets a waiter
//! close the current phase, so that jobs added afterwards go to the other
//! one and cannot hold it up: the two-phase grace period of user-space RCU
//! (M. Desnoyers et al., "User-Level Implementations of Read-Copy Update",
//! IEEE TPDS 23(2), 2012: readers count in the current parity, the updater
//! flips the parity and waits for the old one to drain), with jobs as the
//! readers and waiters as the updater.
//!
//! One word on its own cache line, changed only by single read-modify-write
//! operations:
//!
//! ```text
//!   | generation (2 bits) | count[1] (W/2-1 bits) | count[0] (W/2-1 bits) |
//! ```
//!
//! * `generation & 1` is the **current phase**; the other phase is the
//!   **old** one.
//! * [`add`](PhasedCounter::add) counts jobs in the current phase and hands
//!   back a [`Ticket`] naming it; [`done`](PhasedCounter::done) takes the
//!   ticket and uncounts the job from the phase it was counted in. Neither
//!   ever changes the generation. Per job: one read-modify-write to add, one
//!   to finish, as for `CompletionCounter`.
//! * Only a waiter changes the generation ([`poll`](PhasedCounter::poll)),
//!   and only when the old phase's count is zero: it adds one to the
//!   generation, so the current phase becomes the old one (no job is ever
//!   added to it again until the next flip) and new jobs go to the empty
//!   phase.
//!
//! **Invariant.** A job counted at generation `g` is finished before the
//! generation reaches `g + 2` (the flip to `g + 2` needs its phase, then the
//! old one, to be zero). So a job alive now was counted at the current
//! generation or the one before.
//!
//! **A waiter's rule.** [`batch`](PhasedCounter::batch) reads the word once
//! (generation `g`); the jobs counted before that read are the batch. With
//! `d` the generations passed since (mod 4):
//!
//! * `d == 0`: finished when both counts are zero. If the old count is zero
//!   and the current one is not, the waiter flips (`d` becomes 1).
//! * `d == 1`: finished when the count of phase `g & 1` (now the old phase,
//!   which no job joins) is zero: it held the batch's jobs counted at `g`,
//!   and the flip from `g` needed the jobs counted at `g - 1` to be done.
//! * `d >= 2`: finished, by the invariant.
//!
//! So a waiter waits for the old phase to drain (no job joins it), flips,
//! and waits for the phase it closed to drain: the jobs counted before its
//! flip, a set that stops growing at the flip. It returns once those are
//! done, however many jobs arrive after. (A waiter whose first look finds
//! the old phase empty flips at once, so its set is the jobs counted before
//! its call, give or take the ones added between its snapshot and its
//! first poll.)
//!
//! **ABA margin.** The generation has 2 bits, so `d` is known modulo 4. A
//! waiter that sleeps through 4 or more flips reads a `d` of 0 or 1 for a
//! batch that is finished already; it then waits for (at most) one more flip
//! and drain of its own making. A wrap can delay a waiter, never release it
//! early: every condition above is true for a finished batch only later,
//! never sooner.
//!
//! **Limits.** Each phase counts at most
//! [`MAX_PENDING`](PhasedCounter::MAX_PENDING) `= 2^(W/2 - 1) - 1` jobs
//! (32 767 on 32-bit targets, 2 147 483 647 on 64-bit ones); an `add` past
//! that is an [`Overflow`](CounterError::Overflow) error that changes
//! nothing. A `done` with a ticket whose phase has nothing pending is an
//! [`Underflow`](CounterError::Underflow) error that changes nothing.

use crate::error::CounterError;
use crate::sync::{AtomicUsize, Ordering, spin_loop};
use crossbeam_utils::CachePadded;

/// Bits of one phase's count.
const COUNT_BITS: u32 = usize::BITS / 2 - 1;
/// One phase's count, shifted down.
const COUNT_MASK: usize = (1 << COUNT_BITS) - 1;
/// Where the generation starts.
const GENERATION_SHIFT: u32 = 2 * COUNT_BITS;
/// One step of the generation (it wraps out of the top of the word).
const GENERATION_STEP: usize = 1 << GENERATION_SHIFT;
/// Both counts.
const COUNTS: usize = (1 << GENERATION_SHIFT) - 1;

/// Jobs counted in `phase` (0 or 1).
fn count(state: usize, phase: usize) -> usize {
    (state >> (phase as u32 * COUNT_BITS)) & COUNT_MASK
}

/// The generation field (2 bits).
fn generation(state: usize) -> usize {
    state >> GENERATION_SHIFT
}

/// Counts jobs accepted and not yet finished, in two phases; see the module
/// docs.
///
/// ```
/// use ringpool_core::PhasedCounter;
/// static JOBS: PhasedCounter = PhasedCounter::new();
///
/// let first = JOBS.add(1).unwrap();
/// let batch = JOBS.batch(); // waits for `first`
/// assert!(!JOBS.poll(batch)); // closes the phase of `first`
/// let second = JOBS.add(1).unwrap(); // counted in the new phase
/// let third = JOBS.add(1).unwrap();
/// JOBS.done(first).unwrap();
/// assert!(JOBS.poll(batch), "finished although later jobs are pending");
/// assert_eq!(JOBS.pending(), 2);
/// JOBS.done(second).unwrap();
/// assert_eq!(JOBS.done(third), Ok(true)); // emptied its phase
/// assert!(JOBS.is_idle());
/// ```
#[derive(Debug)]
pub struct PhasedCounter {
    /// Generation (top 2 bits), then the counts of phase 1 and phase 0.
    state: CachePadded<AtomicUsize>,
}

/// Which phase a job was counted in: from [`PhasedCounter::add`], for its
/// [`PhasedCounter::done`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "a job's ticket is needed to mark it done"]
pub struct Ticket {
    phase: u8,
}

/// A waiter's snapshot; see [`PhasedCounter::batch`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhasedBatch {
    generation: usize,
    idle: bool,
}

impl PhasedCounter {
    /// The most jobs one phase counts: `2^(W/2 - 1) - 1` (`W` = pointer
    /// width). At least this many jobs may be pending at once.
    pub const MAX_PENDING: usize = COUNT_MASK;

    crate::sync::const_if_not_loom! {
        /// A counter with nothing pending.
        pub fn new() -> Self {
            Self {
                state: CachePadded::new(AtomicUsize::new(0)),
            }
        }
    }

    /// Counts `n` more jobs in the current phase; pass the ticket to
    /// [`done`](Self::done) (or [`done_many`](Self::done_many)) when they
    /// finish.
    ///
    /// # Errors
    ///
    /// [`CounterError::Overflow`] if the current phase would count more than
    /// [`MAX_PENDING`](Self::MAX_PENDING); nothing is added then.
    pub fn add(&self, n: usize) -> Result<Ticket, CounterError> {
        self.state
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |state| {
                let phase = generation(state) & 1;
                let counted = count(state, phase).checked_add(n)?;
                // `counted <= COUNT_MASK`, so the sum stays inside the field.
                (counted <= COUNT_MASK).then(|| state + (n << (phase as u32 * COUNT_BITS)))
            })
            .map(|before| Ticket {
                phase: (generation(before) & 1) as u8,
            })
            .map_err(|state| CounterError::Overflow {
                pending: count(state, 0) + count(state, 1),
                added: n,
            })
    }

    /// Marks one job of `ticket`'s phase finished. Returns `Ok(true)` if
    /// this call emptied that phase: a waiter may be finished, or may now
    /// flip, so wake waiters then.
    ///
    /// # Errors
    ///
    /// [`CounterError::Underflow`] if nothing is pending in that phase;
    /// nothing changes.
    pub fn done(&self, ticket: Ticket) -> Result<bool, CounterError> {
        self.done_many(ticket, 1)
    }

    /// Marks `n` jobs of `ticket`'s phase finished with one atomic step.
    /// Returns `Ok(true)` if this call emptied that phase. `n == 0` changes
    /// nothing and returns `Ok(false)`.
    ///
    /// # Errors
    ///
    /// [`CounterError::Underflow`] if fewer than `n` jobs are pending in
    /// that phase; nothing changes.
    pub fn done_many(&self, ticket: Ticket, n: usize) -> Result<bool, CounterError> {
        if n == 0 {
            return Ok(false);
        }
        let phase = usize::from(ticket.phase);
        let before = self
            .state
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |state| {
                count(state, phase).checked_sub(n)?;
                // `n <= count`, so the difference stays inside the field.
                Some(state - (n << (phase as u32 * COUNT_BITS)))
            })
            .map_err(|_| CounterError::Underflow)?;
        Ok(count(before, phase) == n)
    }

    /// Jobs added and not yet done, in both phases.
    pub fn pending(&self) -> usize {
        let state = self.state.load(Ordering::Acquire);
        count(state, 0) + count(state, 1)
    }

    /// Whether nothing is pending.
    pub fn is_idle(&self) -> bool {
        self.state.load(Ordering::Acquire) & COUNTS == 0
    }

    /// A snapshot of the jobs pending now (one load), to pass to
    /// [`poll`](Self::poll) or [`is_finished`](Self::is_finished).
    pub fn batch(&self) -> PhasedBatch {
        let state = self.state.load(Ordering::Acquire);
        PhasedBatch {
            generation: generation(state),
            idle: state & COUNTS == 0,
        }
    }

    /// Whether every job pending at `batch` time is done, by the rule of the
    /// module docs; changes nothing. A bounded number of steps.
    pub fn is_finished(&self, batch: PhasedBatch) -> bool {
        finished(self.state.load(Ordering::Acquire), batch)
    }

    /// As [`is_finished`](Self::is_finished), and if the batch waits for
    /// the current phase to drain while the old one is empty, closes the
    /// current phase (the flip of the module docs), so that jobs added from
    /// now on cannot hold the batch up. Call it from a waiter's loop; wake
    /// the waiter when a [`done`](Self::done) returns `Ok(true)`.
    pub fn poll(&self, batch: PhasedBatch) -> bool {
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            if finished(state, batch) {
                return true;
            }
            let current = generation(state) & 1;
            let may_flip = distance(state, batch) == 0 && count(state, current ^ 1) == 0;
            if !may_flip {
                return false;
            }
            // The old phase is empty: make the current phase the old one.
            // Fails (and looks again) if any job was added or finished.
            match self.state.compare_exchange(
                state,
                state.wrapping_add(GENERATION_STEP),
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => state = state.wrapping_add(GENERATION_STEP),
                Err(now) => state = now,
            }
        }
    }

    /// Polls (with a CPU hint between looks) until [`poll`](Self::poll)
    /// says finished or `max_spins` looks have failed; returns which.
    pub fn spin_wait(&self, batch: PhasedBatch, max_spins: usize) -> bool {
        for _ in 0..max_spins {
            if self.poll(batch) {
                return true;
            }
            spin_loop();
        }
        self.poll(batch)
    }
}

/// Generations passed since `batch`, modulo 4.
fn distance(state: usize, batch: PhasedBatch) -> usize {
    generation(state).wrapping_sub(batch.generation) & 3
}

/// The waiter's rule of the module docs, on one reading of the word.
fn finished(state: usize, batch: PhasedBatch) -> bool {
    batch.idle
        || match distance(state, batch) {
            0 => state & COUNTS == 0,
            1 => count(state, batch.generation & 1) == 0,
            _ => true,
        }
}

impl Default for PhasedCounter {
    fn default() -> Self {
        Self::new()
    }
}
