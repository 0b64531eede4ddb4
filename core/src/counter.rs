//! The completion counter: Go's `sync.WaitGroup` for jobs, without blocking.
//!
//! Two words, each on its own cache line:
//!
//! * `pending`: jobs added and not yet done. [`add`](CompletionCounter::add)
//!   and [`done`](CompletionCounter::done) change it with a compare-and-swap
//!   loop that refuses to overflow or to go below zero: misuse is an error,
//!   never a wrap-around.
//! * `generation`: how many times `pending` has dropped to zero. The `done`
//!   that takes `pending` to zero increments it (release) afterwards.
//!
//! A waiter takes a [`Batch`] snapshot (generation, then pending). The batch
//! is finished when pending was zero at the snapshot, or the generation has
//! moved since: `pending` reached zero at least once after the snapshot, so
//! every job counted in the snapshot is done. A new batch started later
//! (`add` after the drop to zero) cannot hide that, so a counter can be
//! reused while a waiter for the previous batch is still looking.
//!
//! Waiting here is a bounded-step check ([`is_finished`](CompletionCounter::is_finished))
//! plus [`spin_wait`](CompletionCounter::spin_wait) with a spin limit;
//! blocking waits (park, condvar) belong to the std crate.
//!
//! **ABA margin**: a waiter is fooled only if the generation wraps all the way
//! around (`2^W` drops to zero, `W` = pointer width) between its snapshot and
//! its check.

use crate::error::CounterError;
use crate::sync::{AtomicUsize, Ordering, spin_loop};
use crossbeam_utils::CachePadded;

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
    pending: CachePadded<AtomicUsize>,
    generation: CachePadded<AtomicUsize>,
}

/// A snapshot to wait on; see [`CompletionCounter::batch`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batch {
    generation: usize,
    idle: bool,
}

impl CompletionCounter {
    crate::sync::const_if_not_loom! {
        /// A counter with nothing pending.
        pub fn new() -> Self {
            Self {
                pending: CachePadded::new(AtomicUsize::new(0)),
                generation: CachePadded::new(AtomicUsize::new(0)),
            }
        }
    }

    /// Counts `n` more jobs.
    ///
    /// # Errors
    ///
    /// [`CounterError::Overflow`] if the count would pass `usize::MAX`;
    /// nothing is added then.
    pub fn add(&self, n: usize) -> Result<(), CounterError> {
        self.pending
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |pending| {
                pending.checked_add(n)
            })
            .map(drop)
            .map_err(|pending| CounterError::Overflow { pending, added: n })
    }

    /// Marks one job finished. Returns `Ok(true)` if this call made the
    /// counter idle (the last job of a batch).
    ///
    /// # Errors
    ///
    /// [`CounterError::Underflow`] if nothing is pending; nothing changes.
    pub fn done(&self) -> Result<bool, CounterError> {
        let before = self
            .pending
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |pending| {
                pending.checked_sub(1)
            })
            .map_err(|_| CounterError::Underflow)?;
        if before == 1 {
            self.generation.fetch_add(1, Ordering::AcqRel);
            return Ok(true);
        }
        Ok(false)
    }

    /// Jobs added and not yet done.
    pub fn pending(&self) -> usize {
        self.pending.load(Ordering::Acquire)
    }

    /// Whether nothing is pending.
    pub fn is_idle(&self) -> bool {
        self.pending() == 0
    }

    /// How many times the counter has become idle (wrapping).
    pub fn batches_finished(&self) -> usize {
        self.generation.load(Ordering::Acquire)
    }

    /// A snapshot of the jobs pending now, to pass to
    /// [`is_finished`](Self::is_finished).
    pub fn batch(&self) -> Batch {
        let generation = self.generation.load(Ordering::Acquire);
        let idle = self.pending.load(Ordering::Acquire) == 0;
        Batch { generation, idle }
    }

    /// Whether every job pending at `batch` time is done. A bounded number of
    /// steps; never fooled by jobs added after the snapshot.
    pub fn is_finished(&self, batch: Batch) -> bool {
        batch.idle || self.generation.load(Ordering::Acquire) != batch.generation
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
