//! The take-side rules of pause, priorities and deadlines, in one place so
//! that every thread that takes a job from the queue obeys them: a worker
//! (`worker::take` and its park re-check) and any other taker that goes
//! through [`pop_next`] (a caller that helps while it waits), never the
//! worker loop alone.
//!
//! **Levels.** A pool built with `p` priority levels
//! ([`Builder::priorities`](crate::Builder::priorities), `1..=`[`MAX_PRIORITIES`])
//! has one core ring per level, each of `queue_capacity` jobs, all
//! allocated at build: level 0 is the pool's original ring (`Shared::jobs`,
//! where [`Pool::submit`](crate::Pool::submit) queues), levels `1..p` live
//! here. FIFO holds within a level (each is a FIFO ring); a take looks at
//! the highest level first.
//!
//! **Anti-starvation.** A take counts itself in a pool-wide `takes`
//! counter (one relaxed fetch-add, only when `p > 1`). Every
//! [`AGE_EVERY`]-th take is an *aged* take: it starts its look at level
//! `r = (takes / AGE_EVERY) % p` and goes up to the top, then down from
//! `r - 1` to 0. So each level is the first looked at once every
//! `AGE_EVERY * p` takes: a job waiting at any level is taken after at most
//! `AGE_EVERY * p * (jobs ahead of it in its level + 1)` takes, however
//! many higher jobs keep coming. With `p = 2` and a steady stream of high
//! jobs, at least one low job in every 16 takes.
//!
//! **Pause.** While paused a take returns `Empty` (running jobs finish;
//! submits still queue), except when every level is closed and empty: then
//! `Closed`, so that workers retire after `stop_now` even while paused.
//! A parked worker re-checks through [`pop_next`] after announcing itself
//! on `job_ready`, and `resume` notifies `job_ready` after clearing the
//! flag (the event protocol's order): no resume is missed and an idle
//! paused pool sleeps.
//!
//! **Deadlines.** An envelope may carry a deadline (`Instant`); the taker
//! compares it with the clock when it is about to run the job
//! ([`expired`]) and, if it has passed, does not run it: the job goes to
//! the expired store ([`Control::hand_back_expired`]) and its result says
//! `JobError::Expired`. A job without a deadline reads no clock.
//!
//! **Cancellable pools** ([`Builder::cancellable`](crate::Builder::cancellable))
//! keep their queued jobs in the cells of `crate::cancel` instead: the same
//! level rules over its index rings (and, last, over level 0's plain ring,
//! where `submit_many` queues).
//!
//! Cost for a pool of one level without deadlines: a relaxed load of
//! `paused` and a test that `levels` is empty per take, and a test of
//! `deadline.is_none()` per run (benches/notes/control-2026-11-30.md).

use crate::cancel::Cells;
use crate::error::BuildError;
use crate::event::Event;
use crate::job::{Envelope, JobId};
use crate::ring::{HeapRing, heap_ring};
use crate::sync::{AtomicBool, AtomicU64, AtomicUsize, Mutex, Ordering, lock};
use ringpool_core::{PopError, PushError};
use std::time::Instant;

/// The most priority levels a pool may have
/// ([`Builder::priorities`](crate::Builder::priorities)).
///
/// ```
/// use ringpool::{BuildError, Pool, MAX_PRIORITIES};
///
/// assert!(Pool::builder().priorities(MAX_PRIORITIES).build(|_, j: u8| j).is_ok());
/// let err = Pool::builder().priorities(MAX_PRIORITIES + 1).build(|_, j: u8| j);
/// assert_eq!(err.unwrap_err(), BuildError::Priorities { requested: 9, max: MAX_PRIORITIES });
/// ```
pub const MAX_PRIORITIES: usize = 8;

/// Every `AGE_EVERY`-th take (with more than one level) starts at a
/// rotating level instead of the top, so no level starves: a job waiting at
/// any level is taken within `AGE_EVERY * levels` takes per job ahead of it
/// in its level (see [`Builder::priorities`](crate::Builder::priorities)).
///
/// ```
/// use ringpool::{JobOptions, Pool, AGE_EVERY};
///
/// // One low job behind a queue full of high ones: it is not last.
/// let pool = Pool::builder()
///     .workers(1)
///     .queue_capacity(64)
///     .priorities(2)
///     .build(|_, job: u32| job)
///     .unwrap();
/// let results = pool.results().unwrap();
/// pool.pause();
/// pool.submit(0).unwrap(); // low
/// for job in 1..=64 {
///     pool.submit_with_options(job, JobOptions::new().priority(1)).unwrap();
/// }
/// pool.resume();
/// pool.close();
/// let position = results.map(|r| r.outcome.unwrap()).position(|job| job == 0).unwrap();
/// assert!(position < AGE_EVERY * 2);
/// ```
pub const AGE_EVERY: usize = 8;

/// A pool's pause flag, extra priority levels and expired jobs.
pub(crate) struct Control<J> {
    paused: AtomicBool,
    /// Levels `1..p` (level 0 is `Shared::jobs`); empty when cancellable.
    levels: Box<[HeapRing<Envelope<J>>]>,
    /// The job cells of a cancellable pool (boxed: a ring's padded
    /// counters are large, and `Shared` is built on the caller's stack,
    /// which loom's model threads keep small).
    pub(crate) cells: Option<Box<Cells<J>>>,
    priorities: usize,
    /// Takes so far (only counted with more than one level).
    takes: AtomicUsize,
    /// Jobs not run because their deadline had passed.
    expired: AtomicU64,
    /// Those jobs, waiting for `Pool::take_expired`.
    expired_jobs: Mutex<Vec<(JobId, J)>>,
}

impl<J> Control<J> {
    /// Allocates levels `1..priorities`, each of `capacity` jobs, or the
    /// cells of a cancellable pool (with `workers` running words).
    pub(crate) fn new(
        priorities: usize,
        capacity: usize,
        cancellable: bool,
        workers: usize,
    ) -> Result<Self, BuildError> {
        let cells = if cancellable {
            Some(Box::new(Cells::new(priorities, capacity, workers)?))
        } else {
            None
        };
        let plain_levels = if cancellable { 1 } else { priorities };
        let levels = (1..plain_levels)
            .map(|_| heap_ring("queue", capacity))
            .collect::<Result<Vec<_>, _>>()?
            .into_boxed_slice();
        Ok(Self {
            paused: AtomicBool::new(false),
            levels,
            cells,
            priorities,
            takes: AtomicUsize::new(0),
            expired: AtomicU64::new(0),
            expired_jobs: Mutex::new(Vec::new()),
        })
    }

    /// The number of levels.
    pub(crate) fn priorities(&self) -> usize {
        self.priorities
    }

    /// The ring of level `priority` (0 is `base`), or `None` past the top.
    pub(crate) fn level<'a>(
        &'a self,
        base: &'a HeapRing<Envelope<J>>,
        priority: usize,
    ) -> Option<&'a HeapRing<Envelope<J>>> {
        match priority {
            0 => Some(base),
            n => self.levels.get(n - 1),
        }
    }

    /// Whether takes are paused.
    #[inline]
    pub(crate) fn is_paused(&self) -> bool {
        self.paused.load(Ordering::SeqCst)
    }

    /// Sets the pause flag; returns whether it changed.
    pub(crate) fn set_paused(&self, paused: bool) -> bool {
        self.paused.swap(paused, Ordering::SeqCst) != paused
    }

    /// Whether takes may use the plain ring's batch pop: one level, not
    /// cancellable.
    #[inline]
    pub(crate) fn plain(&self) -> bool {
        self.priorities == 1 && self.cells.is_none()
    }

    /// Worker slot `slot`'s running word, in a cancellable pool.
    #[inline]
    pub(crate) fn running(&self, slot: usize) -> Option<&crate::sync::AtomicU64> {
        self.cells.as_ref()?.running(slot)
    }

    /// Whether the pool has more than one level.
    #[inline]
    pub(crate) fn has_levels(&self) -> bool {
        self.priorities > 1
    }

    /// Closes levels `1..p` (the caller closes level 0 after them, so that
    /// "level 0 is closed" means every level is).
    pub(crate) fn close_levels(&self) {
        for level in &self.levels {
            level.close();
        }
        if let Some(cells) = &self.cells {
            cells.close();
        }
    }

    /// Jobs queued besides level 0's plain ring.
    pub(crate) fn queued_above(&self) -> usize {
        let plain: usize = self.levels.iter().map(HeapRing::len).sum();
        plain + self.cells.as_ref().map_or(0, |cells| cells.queued())
    }

    /// Depth of each level (level 0 from `base`), into `into`.
    pub(crate) fn depths(&self, base: &HeapRing<Envelope<J>>, into: &mut [usize]) {
        for (priority, depth) in into.iter_mut().enumerate() {
            *depth = match &self.cells {
                Some(cells) => cells.depth(priority) + if priority == 0 { base.len() } else { 0 },
                None => self.level(base, priority).map_or(0, HeapRing::len),
            };
        }
    }

    /// Pops one job from the levels besides level 0's plain ring, highest
    /// first (for `stop_now`, which ignores pause and ageing).
    pub(crate) fn pop_above(&self) -> Option<Envelope<J>> {
        if let Some(cells) = &self.cells {
            return (0..cells.priorities())
                .rev()
                .find_map(|priority| cells.pop_level(priority, None, None).ok());
        }
        self.levels.iter().rev().find_map(|level| level.pop().ok())
    }

    /// Queues `envelope` at `priority` (checked by the caller): into the
    /// cells of a cancellable pool, else into `queue` (that level's ring).
    #[inline]
    pub(crate) fn push(
        &self,
        queue: &HeapRing<Envelope<J>>,
        priority: usize,
        envelope: Envelope<J>,
    ) -> Result<(), PushError<Envelope<J>>> {
        match &self.cells {
            Some(cells) => cells.push(priority, envelope),
            None => queue.push(envelope),
        }
    }

    /// Whether a push into `queue` (see [`push`](Self::push)) would find
    /// it full now and not closed.
    pub(crate) fn looks_full(&self, queue: &HeapRing<Envelope<J>>) -> bool {
        if queue.is_closed() {
            return false;
        }
        match &self.cells {
            Some(cells) => cells.is_full(),
            None => queue.len() >= queue.capacity(),
        }
    }

    /// Counts an expired job and keeps it for `take_expired`.
    pub(crate) fn hand_back_expired(&self, id: JobId, job: J) {
        lock(&self.expired_jobs).push((id, job));
        self.expired.fetch_add(1, Ordering::Relaxed);
    }

    /// Jobs expired so far.
    pub(crate) fn expired_count(&self) -> u64 {
        self.expired.load(Ordering::Relaxed)
    }

    /// Takes the expired jobs kept so far, oldest first.
    pub(crate) fn take_expired(&self) -> Vec<(JobId, J)> {
        std::mem::take(&mut *lock(&self.expired_jobs))
    }

    /// The order of the levels for the next take, by the rules of the
    /// module docs: from the top down, or on every `AGE_EVERY`-th take from
    /// a rotating level up, then down below it.
    fn order(&self) -> impl Iterator<Item = usize> {
        let p = self.priorities;
        let take = if p > 1 {
            self.takes.fetch_add(1, Ordering::Relaxed)
        } else {
            0
        };
        let start = if p > 1 && take % AGE_EVERY == AGE_EVERY - 1 {
            (take / AGE_EVERY) % p
        } else {
            p - 1
        };
        // Up from `start` to the top, then down from `start - 1`.
        (start..p).chain((0..start).rev())
    }

    /// One take from levels `0..p` (level 0 is `base`) by the level rules
    /// of the module docs.
    fn pop_levels(&self, base: &HeapRing<Envelope<J>>) -> Result<Envelope<J>, PopError> {
        let mut closed = 0;
        for priority in self.order() {
            let ring = self.level(base, priority).unwrap_or(base);
            match ring.pop() {
                Ok(envelope) => return Ok(envelope),
                Err(PopError::Closed) => closed += 1,
                Err(PopError::Empty) => {}
            }
        }
        if closed == self.priorities {
            Err(PopError::Closed)
        } else {
            Err(PopError::Empty)
        }
    }

    /// One take from the cells by the level rules, then from `base` (jobs
    /// of `submit_many`); `announce` is the taker's running word.
    fn pop_cells(
        &self,
        cells: &Cells<J>,
        base: &HeapRing<Envelope<J>>,
        announce: Option<&crate::sync::AtomicU64>,
        freed: &Event,
    ) -> Result<Envelope<J>, PopError> {
        let mut closed = 0;
        for priority in self.order() {
            match cells.pop_level(priority, announce, Some(freed)) {
                Ok(envelope) => return Ok(envelope),
                Err(PopError::Closed) => closed += 1,
                Err(PopError::Empty) => {}
            }
        }
        match base.pop() {
            Err(PopError::Closed) if closed == self.priorities => Err(PopError::Closed),
            Err(_) => Err(PopError::Empty),
            Ok(envelope) => Ok(envelope),
        }
    }

    /// Whether every level is closed and empty (level 0 last: see
    /// [`close_levels`](Self::close_levels)).
    fn all_drained(&self, base: &HeapRing<Envelope<J>>) -> bool {
        base.is_closed()
            && base.is_empty()
            && self.levels.iter().all(HeapRing::is_empty)
            && self.cells.as_ref().is_none_or(|cells| cells.is_empty())
    }
}

/// The one take of a job by any taker (worker slot `slot`): pause first,
/// then the cells or the levels. `Empty` while paused unless everything is
/// closed and drained. `freed` (the pool's `slot_free`) is notified when
/// the take frees a cancelled job's cell without taking a job.
#[inline]
pub(crate) fn pop_next<J>(
    control: &Control<J>,
    base: &HeapRing<Envelope<J>>,
    slot: usize,
    freed: &Event,
) -> Result<Envelope<J>, PopError> {
    if control.is_paused() {
        return if control.all_drained(base) {
            Err(PopError::Closed)
        } else {
            Err(PopError::Empty)
        };
    }
    if let Some(cells) = &control.cells {
        return control.pop_cells(cells, base, cells.running(slot), freed);
    }
    if control.has_levels() {
        return control.pop_levels(base);
    }
    base.pop()
}

/// Whether a taker should look again before parking: a job is queued at
/// some level (and takes are not paused), or the queue is closed.
#[inline]
pub(crate) fn worth_a_look<J>(control: &Control<J>, base: &HeapRing<Envelope<J>>) -> bool {
    if base.is_closed() {
        return true;
    }
    if control.is_paused() {
        return false;
    }
    !base.is_empty()
        || (control.has_levels() && control.queued_above() != 0)
        || control
            .cells
            .as_ref()
            .is_some_and(|cells| !cells.is_empty())
}

/// Whether `envelope`'s deadline has passed (reads the clock only when it
/// has one).
#[inline]
pub(crate) fn expired<J>(envelope: &Envelope<J>) -> bool {
    envelope
        .deadline
        .is_some_and(|deadline| Instant::now() >= deadline)
}
