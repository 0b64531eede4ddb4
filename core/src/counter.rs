//! The completion counter: Go's `sync.WaitGroup` for jobs, without blocking.
//!
//! One word on its own cache line holds two fields, changed together by
//! single compare-and-swap loops:
//!
//! ```text
//!   | generation (W/2 bits) | pending (W/2 bits) |
//! ```
//!
//! * `pending`: jobs added and not yet done. [`add`](CompletionCounter::add)
//!   and [`done`](CompletionCounter::done) refuse to take it past
//!   [`MAX_PENDING`](CompletionCounter::MAX_PENDING) or below zero: misuse
//!   is an error, never a wrap-around.
//! * `generation`: how many times `pending` has dropped to zero (wrapping).
//!   The `done` that takes `pending` to zero increments it **in the same
//!   compare-and-swap**.
//!
//! A waiter takes a [`Batch`] snapshot (one load of the word). The batch is
//! finished when pending was zero at the snapshot, or the generation has
//! moved since: `pending` reached zero after the snapshot, so every job
//! counted in it is done. A new batch started later (`add` after the drop
//! to zero) cannot hide that, so a counter can be reused while a waiter for
//! the previous batch is still looking; and because the drop and the
//! generation step are one atomic change, a snapshot can never combine an
//! old generation with the jobs of the next batch (with two separate words,
//! a `done` stalled between its drop to zero and its generation step let a
//! snapshot of the next batch be declared finished by that late step).
//!
//! A batch ends only when `pending` reaches zero, so under sustained load
//! (jobs added faster than the count ever drops to zero) a waiter waits for
//! the load to stop. [`PhasedCounter`] (the [`phased`] module) ends a
//! waiter's batch when the jobs counted before it are done, however many
//! come after; the std pool's `wait` uses it.
//!
//! Waiting here is a bounded-step check ([`is_finished`](CompletionCounter::is_finished))
//! plus [`spin_wait`](CompletionCounter::spin_wait) with a spin limit;
//! blocking waits (park, condvar) belong to the std crate.
//!
//! **Limits and ABA margin** (`W` = pointer width): at most
//! `2^(W/2) - 1` jobs pending (65 535 on 32-bit targets, 4 294 967 295 on
//! 64-bit ones; more is an [`Overflow`](CounterError::Overflow) error). A
//! waiter is fooled only if the generation wraps all the way around
//! (`2^(W/2)` drops to zero: 65 536 on 32-bit targets, 2^32 on 64-bit ones)
//! between its snapshot and its check.

pub mod phased;

pub use phased::{PhasedBatch, PhasedCounter, Ticket};

use crate::error::CounterError;
use crate::sync::{AtomicUsize, Ordering, spin_loop};
use crossbeam_utils::CachePadded;

/// Bits of the word that count pending jobs; the generation has the rest.
const PENDING_BITS: u32 = usize::BITS / 2;
/// The pending field.
const PENDING_MASK: usize = (1 << PENDING_BITS) - 1;
/// One step of the generation field.
const GENERATION_STEP: usize = 1 << PENDING_BITS;

/// Counts jobs accepted and not yet finished.
///
/// ```
/// use ringpool_core::CompletionCounter;
/// static JOBS: CompletionCounter = CompletionCounter::new();
///
/// JOBS.add(2).unwrap();
/// let batch = JOBS.batch();
/// JOBS.done().unwrap();
/// assert!(!JOBS.is_finished(batch));
/// assert_eq!(JOBS.done(), Ok(true)); // this call made it idle
/// assert!(JOBS.is_finished(batch));
/// assert!(JOBS.done().is_err()); // more done() than add(): an error
/// ```
#[derive(Debug)]
pub struct CompletionCounter {
    /// Generation (high half) and pending jobs (low half).
    state: CachePadded<AtomicUsize>,
}

/// A snapshot to wait on; see [`CompletionCounter::batch`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batch {
    generation: usize,
    idle: bool,
}

impl CompletionCounter {
    /// The most jobs that may be pending at once: `2^(W/2) - 1` (`W` = pointer
    /// width).
    pub const MAX_PENDING: usize = PENDING_MASK;

    crate::sync::const_if_not_loom! {
        /// A counter with nothing pending.
        pub fn new() -> Self {
            Self {
                state: CachePadded::new(AtomicUsize::new(0)),
            }
        }
    }

    /// Counts `n` more jobs.
    ///
    /// # Errors
    ///
    /// [`CounterError::Overflow`] if the count would pass
    /// [`MAX_PENDING`](Self::MAX_PENDING); nothing is added then.
    pub fn add(&self, n: usize) -> Result<(), CounterError> {
        self.state
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |state| {
                let pending = (state & PENDING_MASK).checked_add(n)?;
                // `pending <= PENDING_MASK`, so `state + n` stays in the low half.
                (pending <= PENDING_MASK).then(|| state + n)
            })
            .map(drop)
            .map_err(|state| CounterError::Overflow {
                pending: state & PENDING_MASK,
                added: n,
            })
    }

    /// Marks one job finished. Returns `Ok(true)` if this call made the
    /// counter idle (the last job of a batch).
    ///
    /// # Errors
    ///
    /// [`CounterError::Underflow`] if nothing is pending; nothing changes.
    pub fn done(&self) -> Result<bool, CounterError> {
        self.done_many(1)
    }

    /// Marks `n` jobs finished at once (a worker reporting a run of jobs
    /// with one atomic step). Returns `Ok(true)` if this call made the
    /// counter idle. `done_many(0)` changes nothing and returns `Ok(false)`.
    ///
    /// ```
    /// use ringpool_core::{CompletionCounter, CounterError};
    /// let jobs = CompletionCounter::new();
    /// jobs.add(5).unwrap();
    /// assert_eq!(jobs.done_many(3), Ok(false));
    /// assert_eq!(jobs.done_many(3), Err(CounterError::Underflow)); // only 2 left
    /// assert_eq!(jobs.done_many(2), Ok(true));
    /// ```
    ///
    /// # Errors
    ///
    /// [`CounterError::Underflow`] if fewer than `n` jobs are pending;
    /// nothing changes.
    pub fn done_many(&self, n: usize) -> Result<bool, CounterError> {
        if n == 0 {
            return Ok(false);
        }
        let before = self
            .state
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |state| {
                let pending = state & PENDING_MASK;
                match pending.checked_sub(n)? {
                    // The last jobs: pending to zero and the generation up
                    // (wrapping out of the top bit) in one step.
                    0 => Some((state - n).wrapping_add(GENERATION_STEP)),
                    _ => Some(state - n),
                }
            })
            .map_err(|_| CounterError::Underflow)?;
        Ok(before & PENDING_MASK == n)
    }

    /// Jobs added and not yet done.
    pub fn pending(&self) -> usize {
        self.state.load(Ordering::Acquire) & PENDING_MASK
    }

    /// Whether nothing is pending.
    pub fn is_idle(&self) -> bool {
        self.pending() == 0
    }

    /// How many times the counter has become idle, modulo `2^(W/2)`.
    pub fn batches_finished(&self) -> usize {
        self.state.load(Ordering::Acquire) >> PENDING_BITS
    }

    /// A snapshot of the jobs pending now, to pass to
    /// [`is_finished`](Self::is_finished).
    pub fn batch(&self) -> Batch {
        let state = self.state.load(Ordering::Acquire);
        Batch {
            generation: state >> PENDING_BITS,
            idle: state & PENDING_MASK == 0,
        }
    }

    /// Whether every job pending at `batch` time is done. A bounded number of
    /// steps; never fooled by jobs added after the snapshot.
    pub fn is_finished(&self, batch: Batch) -> bool {
        batch.idle || self.state.load(Ordering::Acquire) >> PENDING_BITS != batch.generation
    }

    /// Spins (with a CPU hint) until [`is_finished`](Self::is_finished) or
    /// `max_spins` checks have failed; returns which.
    pub fn spin_wait(&self, batch: Batch, max_spins: usize) -> bool {
        for _ in 0..max_spins {
            if self.is_finished(batch) {
                return true;
            }
            spin_loop();
        }
        self.is_finished(batch)
    }
}

impl Default for CompletionCounter {
    fn default() -> Self {
        Self::new()
    }
}
