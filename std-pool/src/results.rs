//! The result path: from a worker's finished job to a receiver. It owns the
//! result ring, the spill buffer behind it, and the two events of the
//! stream (a result is ready; a result was taken).
//!
//! ```text
//!  worker ─deliver─► RESULT RING ──take──► receiver
//!             │  (full, nobody takes)        ▲
//!             └────────► SPILL ──────────────┘ (after the ring)
//! ```
//!
//! A full result ring makes a worker wait a moment for a receiver (spin,
//! then park on `room` up to `spill_after`): a receiver that keeps up, even
//! a slow one, bounds the backlog at the ring. If no receiver takes a
//! result in that time, nobody is draining: the result spills into the
//! growable buffer, and later ones follow without waiting until a receiver
//! takes a result again ([`Spill::active`]). So a pool nobody drains (submit
//! everything, then collect) costs each worker at most one such wait per
//! episode, never the results-channel-full deadlock.
//!
//! The end of the stream is not decided here: the pool's books (closed, then
//! idle) say when no result can come any more (see the receiver).

use crate::backoff::BeforePark;
use crate::error::BuildError;
use crate::event::Event;
use crate::job::{JobResult, drop_quietly};
use crate::ring::{HeapRing, heap_ring};
use crate::sync::{AtomicBool, AtomicU64, AtomicUsize, Mutex, Ordering, lock};
use crate::take::{MAX_TAKE, Taken};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// The results that found the ring full, oldest first, and the state of
/// spilling: the one type for everything about the spill.
struct Spill<T> {
    /// The spilled results, oldest first.
    queue: Mutex<VecDeque<T>>,
    /// `queue.len()`, readable without the lock.
    len: AtomicUsize,
    /// Results that ever spilled (a metric).
    total: AtomicU64,
    /// Results go straight here: a worker found the ring full and no
    /// receiver took a result within `spill_after`. Cleared by a take.
    active: AtomicBool,
}

impl<T> Spill<T> {
    fn new() -> Self {
        Self {
            queue: Mutex::new(VecDeque::new()),
            len: AtomicUsize::new(0),
            total: AtomicU64::new(0),
            active: AtomicBool::new(false),
        }
    }

    fn push(&self, item: T) {
        self.total.fetch_add(1, Ordering::Relaxed);
        let mut queue = lock(&self.queue);
        queue.push_back(item);
        self.len.store(queue.len(), Ordering::Release);
    }

    fn pop(&self) -> Option<T> {
        if self.len.load(Ordering::Acquire) == 0 {
            return None;
        }
        let mut queue = lock(&self.queue);
        let item = queue.pop_front()?;
        self.len.store(queue.len(), Ordering::Release);
        Some(item)
    }
}

/// The result stream of one pool (see the module docs); results discarded
/// when built with `discard_results`.
pub(crate) struct ResultPath<R, E> {
    /// `None` when results are discarded.
    ring: Option<HeapRing<JobResult<R, E>>>,
    spill: Spill<JobResult<R, E>>,
    /// A result was queued, or the stream may have ended.
    ready: Event,
    /// A result was taken from the ring.
    room: Event,
    spin_before_park: u32,
    spill_after: Duration,
}

impl<R, E> ResultPath<R, E> {
    /// A path with a ring of `capacity` results, or one that discards them
    /// (`None`).
    pub(crate) fn new(
        capacity: Option<usize>,
        spin_before_park: u32,
        spill_after: Duration,
    ) -> Result<Self, BuildError> {
        let ring = match capacity {
            Some(capacity) => Some(heap_ring("results", capacity)?),
            None => None,
        };
        Ok(Self {
            ring,
            spill: Spill::new(),
            ready: Event::new(),
            room: Event::new(),
            spin_before_park,
            spill_after,
        })
    }

    /// Whether results are kept (not discarded).
    pub(crate) fn is_kept(&self) -> bool {
        self.ring.is_some()
    }

    /// Queues one finished job's result ([`place`](Self::place)) and
    /// wakes a receiver.
    pub(crate) fn deliver(&self, result: JobResult<R, E>) {
        self.place(result);
        self.ready.notify_one();
    }

    /// Queues several finished jobs' results, oldest first: the lot with
    /// one batch push when the ring has room for it, each of the rest as
    /// [`place`](Self::place) does; then one notify.
    pub(crate) fn deliver_many(&self, results: &mut Taken<JobResult<R, E>>) {
        let count = results.len();
        let mut results = results.drain();
        let mut pushed = 0;
        if count > 1
            && let Some(ring) = &self.ring
            && !self.spill.active.load(Ordering::Acquire)
        {
            // Items the ring could not take stay in the iterator, in order.
            pushed = ring.push_batch(&mut results).unwrap_or_else(|e| e.pushed());
        }
        if pushed > 0 && pushed < count {
            // The ring filled part-way: the rest may wait in `place` for a
            // receiver to make room, so wake the receiver for the results
            // already in the ring first. Without this a receiver asleep on
            // `ready` would not look until `spill_after` ran out, and the
            // rest would spill although the receiver was there.
            self.ready.notify_all();
        }
        for result in results {
            self.place(result);
        }
        if count == 1 {
            self.ready.notify_one();
        } else if count > 1 {
            self.ready.notify_all();
        }
    }

    /// Queues a finished job's result without a notify: in the ring, or, when the ring stays
    /// full (nobody drains), in the spill buffer (module docs). Never waits
    /// long for a receiver. A discarding path drops it (user code's Drop:
    /// quietly).
    fn place(&self, result: JobResult<R, E>) {
        let Some(ring) = &self.ring else {
            drop_quietly(result);
            return;
        };
        let mut pending = match ring.push(result) {
            Ok(()) => None,
            // The result ring is never closed, so this is Full.
            Err(full) => Some(full.into_inner()),
        };
        if pending.is_some() && !self.spill.active.load(Ordering::Acquire) {
            // A receiver that keeps up frees a slot within microseconds:
            // spin and yield with read-only looks first, park only after.
            let mut before_park = BeforePark::new(self.spin_before_park);
            while let Some(result) = pending.take() {
                if !before_park.snooze() {
                    pending = Some(result);
                    break;
                }
                if ring.len() >= ring.capacity() {
                    pending = Some(result);
                } else if let Err(full) = ring.push(result) {
                    pending = Some(full.into_inner());
                }
            }
        }
        if pending.is_some() && !self.spill.active.load(Ordering::Acquire) {
            let deadline = Instant::now().checked_add(self.spill_after);
            let made_room = self.room.wait_until(deadline, || {
                let result = pending.take()?;
                match ring.push(result) {
                    Ok(()) => Some(()),
                    Err(full) => {
                        pending = Some(full.into_inner());
                        None
                    }
                }
            });
            if made_room.is_none() {
                self.spill.active.store(true, Ordering::Release);
            }
        }
        if let Some(result) = pending {
            self.spill.push(result);
        }
    }

    /// Takes one queued result: the ring's oldest first, then the spill
    /// buffer's oldest. Each path keeps its own order; a result spilled
    /// earlier can come out after one put in the ring later (workers finish
    /// in no particular order anyway).
    pub(crate) fn take(&self) -> Option<JobResult<R, E>> {
        let result = match self.ring.as_ref()?.pop() {
            Ok(result) => result,
            Err(_) => self.spill.pop()?,
        };
        // A receiver is draining: room for a waiting worker, and no reason
        // to spill any more.
        if self.spill.active.load(Ordering::Relaxed) {
            self.spill.active.store(false, Ordering::Release);
        }
        self.room.notify_one();
        Some(result)
    }

    /// Takes up to `max` queued results, the ring's oldest first, then the
    /// spill buffer's (as [`take`](Self::take)), handing each to `sink`; returns how
    /// many. The ring gives them [`MAX_TAKE`] at a time with one batch pop
    /// each; `sink` (user code) runs outside the ring's operations, so a
    /// panicking sink loses nothing that it was not handed. One notify for
    /// the lot.
    pub(crate) fn take_many(&self, max: usize, sink: &mut impl FnMut(JobResult<R, E>)) -> usize {
        let Some(ring) = self.ring.as_ref() else {
            return 0;
        };
        let mut taken = 0;
        let mut round = Taken::new();
        while taken < max {
            let want = (max - taken).min(MAX_TAKE);
            // At most `want <= MAX_TAKE` into an empty list: all fit.
            let got = ring
                .pop_batch(want, |result| {
                    let _ = round.push(result);
                })
                .unwrap_or(0);
            taken += got;
            if got < want {
                break;
            }
            round.drain().for_each(&mut *sink);
        }
        while taken < max
            && let Some(result) = self.spill.pop()
        {
            let _ = round.push(result);
            taken += 1;
            if round.len() == MAX_TAKE {
                round.drain().for_each(&mut *sink);
            }
        }
        if taken > 0 {
            if self.spill.active.load(Ordering::Relaxed) {
                self.spill.active.store(false, Ordering::Release);
            }
            if taken == 1 {
                self.room.notify_one();
            } else {
                self.room.notify_all();
            }
        }
        round.drain().for_each(sink);
        taken
    }

    /// Results finished and not yet received.
    pub(crate) fn pending(&self) -> usize {
        self.ring.as_ref().map_or(0, |r| r.len()) + self.spill.len.load(Ordering::Acquire)
    }

    /// Results that ever went to the spill buffer.
    pub(crate) fn spilled_total(&self) -> u64 {
        self.spill.total.load(Ordering::Relaxed)
    }

    /// The event a receiver waits on: a result is ready, or the stream may
    /// have ended.
    pub(crate) fn ready(&self) -> &Event {
        &self.ready
    }
}
