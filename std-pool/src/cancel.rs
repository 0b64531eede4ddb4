//! Cancelling a queued job: the job cells of a pool built with
//! [`Builder::cancellable`](crate::Builder::cancellable), and the flag a
//! running job reads through [`JobContext::is_cancelled`].
//!
//! **Layout.** A job cannot be taken out of the middle of a ring, so a
//! cancellable pool keeps its queued jobs in a table of cells (`levels *
//! queue_capacity` of them, allocated at build), and its queues carry cell
//! indices: a free-index ring and one index ring per priority level, each a
//! core ring (the shape of SCQ itself, Nikolaev DISC 2019: an index queue
//! over a data array). Each cell is a state word beside an envelope:
//!
//! ```text
//! FREE ─submit─► PENDING(id) ─submit─► QUEUED(id) ─cancel─► CANCELLING ─► TOMBSTONE ─take─► FREE
//!                     │                     │                    │
//!                     └────────take─────────┴──► FREE            └─take─► PASSED ─cancel─► FREE
//! ```
//!
//! * **Submit** pops a free index (none: the queue is full), writes the
//!   envelope, stores `PENDING(id)` (release), pushes the index into its
//!   level, then CASes `PENDING(id)` to `QUEUED(id)`; that CAS fails only if
//!   a taker already took the job, which is fine. A level refusing the
//!   index (closed) leaves the cell unpublished: the submitter reads the
//!   job back and frees the cell.
//! * **Take** pops an index from a level and CASes the cell from
//!   `PENDING(id)`/`QUEUED(id)` to `FREE`, then reads the envelope and pushes
//!   the index back to the free ring. Before the CAS a worker writes `id`
//!   to its slot's running word, so a cancel that lost the race finds the
//!   job running.
//! * **Cancel(id)** looks for the cell holding `QUEUED(id)` (a scan of the
//!   table: `O(levels * queue_capacity)`, paid by the canceller only) and
//!   CASes it to `CANCELLING`. **The CAS on the cell's state word decides
//!   the race between a cancel and a take exactly once**: the winner owns
//!   the envelope. The canceller reads the job out, then CASes
//!   `CANCELLING` to `TOMBSTONE`; the index is still in its level ring, and
//!   the next taker to pop it frees the cell (`TOMBSTONE -> FREE`). A taker
//!   that pops the index while the canceller is still reading finds
//!   `CANCELLING`, marks it `PASSED` and moves on; the canceller's CAS then
//!   fails and the canceller frees the cell itself. Exactly one of them
//!   frees it, and nobody waits for anybody (lock-free).
//! * The cell's id makes the CASes ABA-safe: ids are unique per pool.
//!
//! A cancelled job's cell stays in use until a taker passes its index (or
//! `stop_now` drains it), so while a pool is paused cancelled jobs still
//! count against capacity, and a level's depth counts them
//! (`queue_depth` does not).
//!
//! **Running jobs.** Each worker slot has a running word: the id of the job
//! it runs, with [`CANCEL_BIT`] set by a cancel that found it running. The
//! thread running a job keeps the word's address in a thread-local for the
//! length of the handler call, so [`JobContext::is_cancelled`] costs one
//! thread-local read and one load.

use crate::error::BuildError;
use crate::event::Event;
use crate::job::{Envelope, JobContext, JobId};
use crate::ring::{HeapRing, filled_box, heap_ring};
use crate::sync::thread::usize_thread_local;
use crate::sync::{AtomicU64, AtomicUsize, Ordering, UnsafeCell};
use ringpool_core::{CapacityError, PopError, PushError};
use std::mem::MaybeUninit;

/// Set in a running word by a cancel that found the job running.
pub(crate) const CANCEL_BIT: u64 = 1 << 63;

const FREE: u64 = 0;
const PENDING: u64 = 1;
const QUEUED: u64 = 2;
/// Tag 3 with no id: the states that hold no job for anyone but one owner.
const CANCELLING: u64 = 3;
const TOMBSTONE: u64 = 4 | 3;
const PASSED: u64 = 8 | 3;

fn word(id: JobId, tag: u64) -> u64 {
    (id << 2) | tag
}

/// What [`Pool::cancel`](crate::Pool::cancel) did.
///
/// ```
/// use ringpool::{CancelOutcome, Pool};
///
/// let pool = Pool::builder().workers(1).cancellable(true).build(|_, job: u32| job).unwrap();
/// pool.pause();
/// let id = pool.submit(5).unwrap();
/// assert_eq!(pool.cancel(id), CancelOutcome::Cancelled(5));
/// assert_eq!(pool.cancel(id), CancelOutcome::NotFound);
/// pool.resume();
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelOutcome<J> {
    /// The job had not started: here it is. It will not run, gives no
    /// result, and no longer holds up [`wait`](crate::Pool::wait).
    Cancelled(J),
    /// The job had started (a worker took it): it runs to its end, and its
    /// [`JobContext::is_cancelled`] now says `true` (cooperative).
    Started,
    /// No queued or running job has this id: it finished, expired, was
    /// cancelled or handed back already, was never accepted, or its submit
    /// has not returned yet.
    NotFound,
    /// The pool was not built with
    /// [`Builder::cancellable`](crate::Builder::cancellable): nothing was
    /// done.
    NotCancellable,
}

/// One job cell: a state word beside an envelope.
struct JobCell<J> {
    state: AtomicU64,
    envelope: UnsafeCell<MaybeUninit<Envelope<J>>>,
}

/// The cells, their free ring, the level rings of indices and the running
/// words of a cancellable pool.
pub(crate) struct Cells<J> {
    cells: Box<[JobCell<J>]>,
    /// Boxed: a ring's padded counters are large, and a pool is built on
    /// the caller's stack (small on loom's model threads).
    free: Box<HeapRing<u32>>,
    levels: Box<[HeapRing<u32>]>,
    /// One per worker slot: the running job's id (| `CANCEL_BIT`), or 0.
    running: Box<[AtomicU64]>,
    /// Cancelled jobs whose index is still in a level ring.
    tombstones: AtomicUsize,
}

// SAFETY: an envelope in a cell is reached only by the one thread that owns
// the cell by its state word (the submitter before publishing, the taker or
// canceller whose CAS won), so sharing `Cells` shares no `J` between
// threads at once; moving jobs between threads needs `J: Send`.
unsafe impl<J: Send> Sync for Cells<J> {}
// SAFETY: as above; the cells own their envelopes.
unsafe impl<J: Send> Send for Cells<J> {}

impl<J> Cells<J> {
    /// Allocates `priorities * capacity` cells, every index free, and
    /// `workers` running words.
    pub(crate) fn new(
        priorities: usize,
        capacity: usize,
        workers: usize,
    ) -> Result<Self, BuildError> {
        let total = priorities
            .checked_mul(capacity)
            .ok_or(BuildError::Capacity {
                which: "queue",
                error: CapacityError::TooLarge {
                    requested: usize::MAX,
                    max: ringpool_core::MAX_CAPACITY,
                },
            })?;
        let free = Box::new(heap_ring("queue", total)?);
        let cells = filled_box(total, || JobCell {
            state: AtomicU64::new(FREE),
            envelope: UnsafeCell::new(MaybeUninit::uninit()),
        })
        .map_err(|_| BuildError::OutOfMemory {
            which: "queue",
            len: total,
        })?;
        for index in 0..total {
            // `total <= MAX_CAPACITY <= u32::MAX`, and the ring holds `total`.
            let _ = free.push(index as u32);
        }
        let levels = (0..priorities)
            .map(|_| heap_ring("queue", total))
            .collect::<Result<Vec<_>, _>>()?
            .into_boxed_slice();
        let running =
            filled_box(workers, || AtomicU64::new(0)).map_err(|_| BuildError::OutOfMemory {
                which: "workers",
                len: workers,
            })?;
        Ok(Self {
            cells,
            free,
            levels,
            running,
            tombstones: AtomicUsize::new(0),
        })
    }

    /// Queues `envelope` at level `priority` (checked by the caller).
    pub(crate) fn push(
        &self,
        priority: usize,
        envelope: Envelope<J>,
    ) -> Result<(), PushError<Envelope<J>>> {
        let Some(level) = self.levels.get(priority) else {
            return Err(PushError::Closed(envelope));
        };
        if level.is_closed() {
            return Err(PushError::Closed(envelope));
        }
        let Ok(index) = self.free.pop() else {
            return Err(PushError::Full(envelope));
        };
        let cell = &self.cells[index as usize];
        let id = envelope.id;
        // SAFETY: the index came from the free ring, so this thread owns the
        // cell until it publishes the index; the cell holds no envelope.
        cell.envelope
            .with_mut(|slot| unsafe { (*slot).write(envelope) });
        cell.state.store(word(id, PENDING), Ordering::Release);
        match level.push(index) {
            Ok(()) => {
                // Fails only when a taker already took it: fine.
                let _ = cell.state.compare_exchange(
                    word(id, PENDING),
                    word(id, QUEUED),
                    Ordering::AcqRel,
                    Ordering::Relaxed,
                );
                Ok(())
            }
            Err(PushError::Closed(index) | PushError::Full(index)) => {
                // Never published: still this thread's (a cancel ignores
                // PENDING cells).
                cell.state.store(FREE, Ordering::Relaxed);
                // SAFETY: written above and owned by this thread.
                let envelope = cell
                    .envelope
                    .with(|slot| unsafe { (*slot).assume_init_read() });
                self.release(index);
                Err(PushError::Closed(envelope))
            }
        }
    }

    /// Returns `index` to the free ring (it always fits: there are as many
    /// indices as its capacity).
    fn release(&self, index: u32) {
        let _ = self.free.push(index);
    }

    /// Takes the job in the cell at `index`, just popped from a level, or
    /// `None` for a cancelled job's tombstone (reclaimed or passed on).
    /// `announce`: the taker's running word, written before the CAS;
    /// `freed`: notified when a tombstone's cell is freed (a submitter may
    /// wait for room).
    fn take(
        &self,
        index: u32,
        announce: Option<&AtomicU64>,
        freed: Option<&Event>,
    ) -> Option<Envelope<J>> {
        let cell = &self.cells[index as usize];
        let mut state = cell.state.load(Ordering::Acquire);
        loop {
            match state {
                // Not reachable: an index popped from a level was published
                // by a submit and taken by no one else. Nothing to take.
                FREE | PASSED => return None,
                TOMBSTONE => {
                    cell.state.store(FREE, Ordering::Relaxed);
                    self.tombstones.fetch_sub(1, Ordering::Relaxed);
                    self.release(index);
                    if let Some(freed) = freed {
                        freed.notify_one();
                    }
                    return None;
                }
                CANCELLING => match cell.state.compare_exchange(
                    CANCELLING,
                    PASSED,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                ) {
                    // The canceller frees the cell.
                    Ok(_) => return None,
                    Err(now) => state = now,
                },
                _ => {
                    if let Some(running) = announce {
                        running.store(state >> 2, Ordering::SeqCst);
                    }
                    match cell.state.compare_exchange(
                        state,
                        FREE,
                        Ordering::AcqRel,
                        Ordering::Acquire,
                    ) {
                        Ok(_) => {
                            // SAFETY: the CAS from PENDING/QUEUED made this
                            // thread the envelope's only owner; the index is
                            // not yet free, so no submit writes the cell.
                            let envelope = cell
                                .envelope
                                .with(|slot| unsafe { (*slot).assume_init_read() });
                            self.release(index);
                            return Some(envelope);
                        }
                        Err(now) => {
                            if let Some(running) = announce {
                                running.store(0, Ordering::SeqCst);
                            }
                            state = now;
                        }
                    }
                }
            }
        }
    }

    /// Pops the next job of level `priority`, passing tombstones (see
    /// [`take`](Self::take) for `announce` and `freed`).
    pub(crate) fn pop_level(
        &self,
        priority: usize,
        announce: Option<&AtomicU64>,
        freed: Option<&Event>,
    ) -> Result<Envelope<J>, PopError> {
        let level = &self.levels[priority];
        loop {
            let index = level.pop()?;
            if let Some(envelope) = self.take(index, announce, freed) {
                return Ok(envelope);
            }
        }
    }

    /// Takes job `id` out if it is queued; else marks it cancelled if it is
    /// running.
    pub(crate) fn cancel(&self, id: JobId) -> CancelOutcome<Envelope<J>> {
        let queued = word(id, QUEUED);
        for (index, cell) in self.cells.iter().enumerate() {
            if cell.state.load(Ordering::Acquire) != queued
                || cell
                    .state
                    .compare_exchange(queued, CANCELLING, Ordering::AcqRel, Ordering::Acquire)
                    .is_err()
            {
                continue;
            }
            // SAFETY: the CAS from QUEUED(id) made this thread the
            // envelope's only owner; a taker that pops the index now only
            // marks the cell PASSED.
            let envelope = cell
                .envelope
                .with(|slot| unsafe { (*slot).assume_init_read() });
            self.tombstones.fetch_add(1, Ordering::Relaxed);
            if cell
                .state
                .compare_exchange(CANCELLING, TOMBSTONE, Ordering::AcqRel, Ordering::Acquire)
                .is_err()
            {
                // A taker passed it (PASSED): the cell is this thread's to free.
                self.tombstones.fetch_sub(1, Ordering::Relaxed);
                cell.state.store(FREE, Ordering::Relaxed);
                self.release(index as u32);
            }
            return CancelOutcome::Cancelled(envelope);
        }
        for running in &self.running {
            let now = running.load(Ordering::SeqCst);
            if now & !CANCEL_BIT == id
                && (now & CANCEL_BIT != 0
                    || running
                        .compare_exchange(now, now | CANCEL_BIT, Ordering::SeqCst, Ordering::SeqCst)
                        .is_ok())
            {
                return CancelOutcome::Started;
            }
        }
        CancelOutcome::NotFound
    }

    /// The number of levels.
    pub(crate) fn priorities(&self) -> usize {
        self.levels.len()
    }

    /// Closes every level.
    pub(crate) fn close(&self) {
        for level in &self.levels {
            level.close();
        }
    }

    /// Jobs queued (cancelled ones excluded).
    pub(crate) fn queued(&self) -> usize {
        let indices: usize = self.levels.iter().map(HeapRing::len).sum();
        indices.saturating_sub(self.tombstones.load(Ordering::Relaxed))
    }

    /// Whether no index is queued at any level.
    pub(crate) fn is_empty(&self) -> bool {
        self.levels.iter().all(HeapRing::is_empty)
    }

    /// Whether no cell is free (a submit would find the queue full).
    pub(crate) fn is_full(&self) -> bool {
        self.free.is_empty()
    }

    /// Indices queued at level `priority` (cancelled ones included).
    pub(crate) fn depth(&self, priority: usize) -> usize {
        self.levels.get(priority).map_or(0, HeapRing::len)
    }

    /// Worker slot `slot`'s running word.
    pub(crate) fn running(&self, slot: usize) -> Option<&AtomicU64> {
        self.running.get(slot)
    }
}

impl<J> Drop for Cells<J> {
    fn drop(&mut self) {
        for cell in &self.cells {
            let state = cell.state.load(Ordering::Acquire);
            if state & 3 == PENDING || state & 3 == QUEUED {
                // SAFETY: `&mut self`: nobody else can reach the cell, and
                // these states hold an initialised envelope.
                cell.envelope
                    .with(|slot| drop(unsafe { (*slot).assume_init_read() }));
            }
        }
    }
}

usize_thread_local! {
    /// The address of the running word of the job this thread runs now,
    /// or 0 (set for the length of a handler call by [`Running::enter`]).
    static CURRENT_RUN;
}

/// A job's run on this thread, between its handler's start and end.
pub(crate) struct Running<'a> {
    word: &'a AtomicU64,
    outer: usize,
}

impl<'a> Running<'a> {
    /// Marks `word` as job `id`'s running word on this thread.
    pub(crate) fn enter(word: &'a AtomicU64, id: JobId) -> Self {
        // The take announced the id already for a cancellable job; a job
        // from `submit_many`'s plain ring is announced here.
        if word.load(Ordering::Relaxed) & !CANCEL_BIT != id {
            word.store(id, Ordering::SeqCst);
        }
        let outer =
            CURRENT_RUN.with(|cell| cell.replace(std::ptr::from_ref(word).expose_provenance()));
        Self { word, outer }
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        CURRENT_RUN.with(|cell| cell.set(self.outer));
        self.word.store(0, Ordering::SeqCst);
    }
}

impl JobContext {
    /// Whether [`Pool::cancel`](crate::Pool::cancel) was called for this
    /// job after it started (cooperative cancellation: the handler may
    /// check it and stop early). Answers on the thread running the job,
    /// during its handler call, in a pool built
    /// [`cancellable`](crate::Builder::cancellable); `false` anywhere else.
    ///
    /// ```
    /// use ringpool::{CancelOutcome, Pool};
    /// use std::sync::mpsc;
    /// use std::time::Duration;
    ///
    /// let (started_tx, started) = mpsc::channel();
    /// let pool = Pool::builder()
    ///     .workers(1)
    ///     .cancellable(true)
    ///     .build(move |ctx, _job: ()| {
    ///         started_tx.send(()).unwrap();
    ///         let mut rounds = 0u32;
    ///         while !ctx.is_cancelled() {
    ///             std::thread::sleep(Duration::from_millis(1));
    ///             rounds += 1;
    ///         }
    ///         rounds
    ///     })
    ///     .unwrap();
    /// let id = pool.submit(()).unwrap();
    /// started.recv().unwrap();
    /// assert_eq!(pool.cancel(id), CancelOutcome::Started);
    /// pool.wait().unwrap(); // the job saw the flag and returned
    /// ```
    pub fn is_cancelled(&self) -> bool {
        let address = CURRENT_RUN.with(std::cell::Cell::get);
        if address == 0 {
            return false;
        }
        // SAFETY: a non-zero address is the running word of the job this
        // thread is running now (set by `Running::enter`, cleared by its
        // drop after the handler returned), which lives in the pool state
        // the running thread keeps alive for the whole call.
        let word = unsafe { &*std::ptr::with_exposed_provenance::<AtomicU64>(address) };
        word.load(Ordering::SeqCst) == self.job_id | CANCEL_BIT
    }
}
