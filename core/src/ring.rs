//! The ring: a bounded, lock-free, multi-producer multi-consumer FIFO of
//! items of any `T: Send`, with Go-style close.
//!
//! # Algorithm
//!
//! The paper's recipe for a queue of arbitrary items (Nikolaev, DISC 2019,
//! §4, Figure 6) over two SCQ index rings (see the `index_ring` module):
//! `n` item slots, a **free** ring that starts out holding every slot index,
//! and a **used** ring that starts out empty.
//!
//! * `push(x)`: take a slot index from *free* (none: `Full`, or `Closed`
//!   if the ring is closed); write `x` into the slot; append the index to
//!   *used*. If the enqueue's ticket carries the closed bit (below), nothing
//!   was published: move `x` back out, return the index to *free*, and fail
//!   with `Closed`.
//! * `pop()`: take an index from *used* (none: see "Empty and Closed"); move
//!   the item out of its slot; append the index to *free*.
//! * `push_batch(items)`: register once as an in-flight batch in `state`
//!   (fails with `Closed` if the ring is closed); then in rounds of up to
//!   [`MAX_BATCH`]: take up to `k` slot indices from *free* with one batch
//!   dequeue (one fetch-add), write the next items into them in order,
//!   append the written indices to *used* with one batch enqueue (one
//!   fetch-add), and return unneeded indices to *free*; deregister.
//! * `pop_batch(max, sink)`: in rounds of up to [`MAX_BATCH`]: take up to
//!   `k` indices from *used* with one batch dequeue, move each item out to
//!   `sink` in order, return the indices to *free* with one batch enqueue.
//!
//! Per item, a batch of `k` costs one entry read-modify-write in each index
//! ring (four per push-and-pop) plus, per round, the fetch-adds and the
//! registration: `4 + 6/k` locked operations per item against `8` for
//! single items.
//!
//! Both index rings are lock-free, so both operations are: neither ever
//! waits for another thread. The slot write happens-before the index's
//! enqueue into *used* (release), which happens-before the dequeue that
//! finds it (acquire), so the reader sees the item; the same chain through
//! *free* orders a slot's read before its next write.
//!
//! # Linearization points
//!
//! * a successful push: its enqueue into *used* (the index ring's CAS);
//! * a successful pop: its dequeue from *used* (the index ring's fetch-or);
//! * `Full`: the empty dequeue from *free*;
//! * `Empty`: the empty dequeue from *used*;
//! * `close`: its fetch-or of the closed bit into *used*'s `tail` (after
//!   setting CLOSED in `state`). A single push whose enqueue drew its ticket
//!   before that, or a batch that registered before the `state` step, may
//!   still complete, and is ordered before the close;
//! * `Closed` from a single push: the fetch-add that returned the closed
//!   bit (or, with *free* empty, the load that saw it);
//! * `Closed` from `push_batch`: its failed registration;
//! * `Closed` from pop: the read of *used*'s `tail` that ended its
//!   closed-ring dequeue (`tail <= head`, closed bit set, no batch
//!   registered).
//!
//! A batch is not one atomic step: it is linearized as the sequence of the
//! single operations on its items, at the points above, in the batch's
//! order. For `push_batch`, item `j`'s compare-and-swap into *used* comes
//! before item `j + 1`'s (program order, increasing tickets), so the items
//! enter in order and per-producer FIFO holds across single and batch
//! pushes; a round that finds *free* empty is a `Full` at that empty
//! dequeue, after the items pushed before it. For `pop_batch`, one
//! fetch-add claims consecutive tickets of *used*, so no other pop takes a
//! position between them: each round returns the oldest items there, in
//! order (an item whose push had drawn a ticket but not yet published is
//! not in the ring yet, and lands behind the batch).
//!
//! # Exactly when `Full`, `Empty` and `Closed` are returned
//!
//! * `push` returns `Full(x)` when *free* is empty: every one of the
//!   `capacity` slots holds an item, or is held by a push that has taken it
//!   and not yet published it, or by a pop that has taken its item and not
//!   yet returned the slot. A thread stalled inside an operation therefore
//!   holds at most one slot, and never stops anyone else.
//! * `push` returns `Closed(x)` when its enqueue into *used* drew a ticket
//!   after `close` set the bit (the item comes back out of its slot), or
//!   when *free* is empty and the ring is closed.
//! * `pop` returns `Err(Empty)` when *used* holds no index, unless the
//!   closed-and-drained rule below applies.
//! * `pop` returns `Err(Closed)` when *used* is empty, the closed bit is in
//!   its `tail` and no batch push is registered, checked in that order and
//!   then confirmed by a dequeue that stops only when `tail <= head`
//!   (ignoring the threshold). Every ticket drawn before the bit has then
//!   been drawn by a dequeuer, so an item published there belongs to a pop
//!   already in flight; every single enqueue after the bit fails; no batch
//!   can register. No push can ever succeed again, so every later pop also
//!   returns `Closed`: nothing is stranded.
//! * `push_batch` pushes items until its iterator ends (`Ok(n)`), or a
//!   round finds *free* empty by the `Full` rule above
//!   (`BatchPushError::Full { pushed }`), or, before its first item, the
//!   ring is closed (`BatchPushError::Closed { pushed: 0 }`: registration
//!   is per call, so a registered batch is never cut short by `close`). It
//!   never takes an item out of the iterator that it does not push, so the
//!   unpushed items stay with the caller, in order. A stalled batch holds at
//!   most one round's slots (`MAX_BATCH`).
//! * `pop_batch` returns `Ok(n)` with `n >= 1` items, or, when it found none,
//!   `Empty` or `Closed` by exactly the rules of `pop`. A round that finds
//!   fewer items than it asked for ends the call.
//!
//! Close has two parts. Single pushes pay nothing for it: the closed bit
//! sits in bit 0 of *used*'s `tail` (the idea of LSCQ's "finalize"), and
//! the fetch-add that draws the enqueue's ticket returns it (tickets count
//! in steps of two, so the bit is never touched by the counting and
//! survives the counter's wrap on 32-bit targets). Batch pushes cannot
//! work that way: an item refused by a closed enqueue was already taken
//! from the caller's iterator and could not be given back. So a batch
//! registers once per call in `state`, which packs the closed flag (bit 0)
//! and the count of registered batches (the rest), ordered by the word's
//! single modification order; `close` sets the flag there first, then the
//! bit in `tail`. Measured against registering every push (interleaved A/B
//! of copies of both, 101 rounds, 2-core machine, 2026-11-30): 1.24x single
//! items at 1/1, batches of 8 unchanged (1.00x).
//!
//! # ABA margin
//!
//! That of the index rings: `2^(W-2)` operations on one ring while a thread
//! is stalled inside an operation (`2^30` on 32-bit targets, `2^62` on 64-bit
//! ones). The batch count in `state` never exceeds the number of threads.

use crate::error::{BatchPushError, CapacityError, PopError, PushError};
use crate::index_ring::{IndexRing, Shape};
use crate::storage::{InlineStorage, Slot, Storage, index_ring_size};
use crate::sync::{AtomicUsize, Ordering};
use core::fmt;
use crossbeam_utils::CachePadded;

/// Largest capacity on this target: `2^(W/2 - 1)` items (32 768 on 32-bit
/// targets, 2 147 483 648 on 64-bit ones), which leaves every index ring at
/// least `W/2 - 1` cycle bits.
pub const MAX_CAPACITY: usize = 1 << (usize::BITS / 2 - 1);

/// Most slot indices one round of a batch claims with one ticket claim per
/// index ring. [`push_batch`](GenericRing::push_batch) and
/// [`pop_batch`](GenericRing::pop_batch) take longer batches in rounds of
/// this many; it bounds their stack use (`MAX_BATCH` words).
pub const MAX_BATCH: usize = 16;

/// `state` bit 0: closed.
const CLOSED: usize = 1;
/// `state` increment for one registered batch push.
const PUSHER: usize = 2;

/// A bounded MPMC ring over some [`Storage`].
///
/// Most users want [`Ring<T, N>`](Ring) (storage inline, `const fn new`) or
/// [`GenericRing::with_storage`] (capacity chosen at run time).
pub struct GenericRing<S: Storage> {
    free: IndexRing,
    used: IndexRing,
    /// Closed flag (bit 0) and registered batch pushes (`PUSHER` each).
    state: CachePadded<AtomicUsize>,
    shape: Shape,
    capacity: usize,
    storage: S,
}

/// A ring of `N` items of `T` kept inline, constructible in a `static`.
///
/// `N` must be a power of two between 1 and [`MAX_CAPACITY`]; anything else
/// is a compile-time error.
///
/// ```
/// use ringpool_core::{PopError, Ring};
///
/// // Shared between the main loop and an interrupt handler.
/// static EVENTS: Ring<u32, 16> = Ring::new();
///
/// fn on_interrupt(sample: u32) {
///     // Never blocks: a full ring hands the sample back.
///     let _ = EVENTS.push(sample);
/// }
///
/// on_interrupt(42);
/// assert_eq!(EVENTS.pop(), Ok(42));
/// assert_eq!(EVENTS.pop(), Err(PopError::Empty));
/// ```
pub type Ring<T, const N: usize> = GenericRing<InlineStorage<T, N>>;

impl<T, const N: usize> GenericRing<InlineStorage<T, N>> {
    const VALID_CAPACITY: () = assert!(
        N.is_power_of_two() && N <= MAX_CAPACITY,
        "Ring<T, N>: N must be a power of two in 1..=MAX_CAPACITY"
    );

    /// An empty ring of capacity `N`.
    #[cfg(not(loom))]
    pub const fn new() -> Self {
        let () = Self::VALID_CAPACITY;
        let shape = Shape::new(index_ring_size(N));
        Self {
            free: IndexRing::filled(shape, N),
            used: IndexRing::empty(),
            state: CachePadded::new(AtomicUsize::new(0)),
            shape,
            capacity: N,
            storage: InlineStorage::prefilled(shape),
        }
    }

    /// An empty ring of capacity `N` (loom build: not `const`).
    #[cfg(loom)]
    pub fn new() -> Self {
        let () = Self::VALID_CAPACITY;
        match Self::with_storage(InlineStorage::fresh(), N) {
            Ok(ring) => ring,
            Err(_) => unreachable!("N checked at compile time"),
        }
    }
}

impl<T, const N: usize> Default for GenericRing<InlineStorage<T, N>> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: Storage> GenericRing<S> {
    /// A ring of `capacity` items over `storage`, which must provide at
    /// least `capacity` slots and [`entries_for(capacity)`](crate::entries_for)
    /// entries. Any capacity in `1..=MAX_CAPACITY` works.
    ///
    /// # Errors
    ///
    /// [`CapacityError`] for a zero or too large capacity, or too little
    /// storage; the storage is dropped.
    pub fn with_storage(storage: S, capacity: usize) -> Result<Self, CapacityError> {
        if capacity == 0 {
            return Err(CapacityError::Zero);
        }
        if capacity > MAX_CAPACITY {
            return Err(CapacityError::TooLarge {
                requested: capacity,
                max: MAX_CAPACITY,
            });
        }
        let size = index_ring_size(capacity);
        let (slots, entries) = (storage.slots().len(), storage.entries().len());
        if slots < capacity || entries < 2 * size {
            return Err(CapacityError::StorageTooSmall {
                needed_slots: capacity,
                needed_entries: 2 * size,
                slots,
                entries,
            });
        }
        let shape = Shape::new(size);
        let (free_entries, used_entries) = storage.entries()[..2 * size].split_at(size);
        for entry in free_entries.iter().chain(used_entries) {
            entry.set(Shape::initial_entry());
        }
        for index in 0..capacity {
            free_entries[shape.position(index)].set(shape.entry_for(index, index));
        }
        Ok(Self {
            free: IndexRing::filled(shape, capacity),
            used: IndexRing::empty(),
            state: CachePadded::new(AtomicUsize::new(0)),
            shape,
            capacity,
            storage,
        })
    }

    #[inline]
    fn free_entries(&self) -> &[crate::Entry] {
        let entries = self.storage.entries();
        debug_assert!(entries.len() >= 2 * self.shape.size());
        // SAFETY: construction checked (or, for `Ring<T, N>`, the type
        // guarantees) `entries().len() >= 2 * size`, and `Storage`'s contract
        // makes every call return that same slice. No bounds check on the
        // hot path.
        unsafe { entries.get_unchecked(..self.shape.size()) }
    }

    #[inline]
    fn used_entries(&self) -> &[crate::Entry] {
        let entries = self.storage.entries();
        debug_assert!(entries.len() >= 2 * self.shape.size());
        // SAFETY: as in `free_entries`.
        unsafe { entries.get_unchecked(self.shape.size()..2 * self.shape.size()) }
    }

    /// Slot `index`, without a bounds check.
    ///
    /// # Safety
    ///
    /// `index < capacity`: true of every index taken from either index ring
    /// (the free ring starts with `0..capacity`, the used ring only ever gets
    /// indices taken from the free ring).
    #[inline]
    unsafe fn slot(&self, index: usize) -> &Slot<S::Item> {
        let slots = self.storage.slots();
        debug_assert!(index < self.capacity && self.capacity <= slots.len());
        // SAFETY: `index < capacity <= slots().len()` (the caller, and
        // construction checked the length; `Storage` returns the same slice
        // every call).
        unsafe { slots.get_unchecked(index) }
    }

    /// Appends `item`, or hands it back.
    ///
    /// Never blocks or waits for another thread; callable from an interrupt
    /// handler that preempted another push or pop on the same ring.
    ///
    /// # Errors
    ///
    /// [`PushError::Full`] when no slot is free, [`PushError::Closed`] after
    /// [`close`](Self::close); both carry `item`.
    pub fn push(&self, item: S::Item) -> Result<(), PushError<S::Item>> {
        let Some(index) = self.free.dequeue(self.shape, self.free_entries()) else {
            // A closed ring says so even when it is also full.
            return Err(if self.used.is_closed() {
                PushError::Closed(item)
            } else {
                PushError::Full(item)
            });
        };
        // SAFETY: `index` came out of the free ring, so it is a slot number.
        let cell = unsafe { self.slot(index) };
        cell.0.with_mut(|slot| {
            // SAFETY: `index` came out of the free ring, so no other thread
            // holds it: the slot is ours alone until we publish it in the used
            // ring, and it holds no item (its last item, if any, was moved out
            // before the index was freed).
            unsafe { (*slot).write(item) };
        });
        if self.used.enqueue(self.shape, self.used_entries(), index) {
            return Ok(());
        }
        // The ticket carried the closed bit: nothing was published.
        // SAFETY: we wrote the slot above and never published `index`.
        Err(PushError::Closed(unsafe { self.refuse(index) }))
    }

    /// Takes a refused push's item back out of slot `index` and returns the
    /// slot to *free* (cold: only pushes that meet a close get here).
    ///
    /// # Safety
    ///
    /// `index` came out of the free ring, its slot holds the item written by
    /// the caller, and it was never published in *used*: it is still the
    /// caller's alone.
    #[cold]
    #[inline(never)]
    unsafe fn refuse(&self, index: usize) -> S::Item {
        // SAFETY: the caller owns the slot, which holds its item (above).
        let item = unsafe { self.read_slot(index) };
        self.free_cold(index);
        item
    }

    /// Returns slot `index` to *free* from a cold path: one out-of-line copy
    /// of the enqueue for all of them (flash on small targets).
    #[cold]
    #[inline(never)]
    fn free_cold(&self, index: usize) {
        self.free.enqueue(self.shape, self.free_entries(), index);
    }

    /// Removes the oldest item.
    ///
    /// Never blocks or waits for another thread.
    ///
    /// # Errors
    ///
    /// [`PopError::Empty`] when no item is there now; [`PopError::Closed`]
    /// once the ring is closed and drained, after which every pop returns
    /// `Closed`.
    pub fn pop(&self) -> Result<S::Item, PopError> {
        if let Some(item) = self.take() {
            return Ok(item);
        }
        if !self.drained_or_open() {
            return Err(PopError::Empty);
        }
        self.take_closed().ok_or(PopError::Closed)
    }

    /// After an empty dequeue: `false` if the ring is open (the closed bit
    /// is not in *used*'s `tail`) or a batch push that registered before the
    /// close is still in flight, i.e. the answer is `Empty`; `true` if only
    /// [`take_closed`](Self::take_closed) can tell `Closed` from one more
    /// item.
    #[inline]
    fn drained_or_open(&self) -> bool {
        // `close` sets CLOSED in `state` before the bit in `tail`, so once
        // the bit is seen, `state` shows CLOSED and no batch can register
        // any more; a pusher count of zero means every registered batch has
        // published its items.
        self.used.is_closed() && self.state.load(Ordering::Acquire) == CLOSED
    }

    /// A dequeue from a closed *used* ring with no batch in flight that
    /// does not stop on the threshold: an item, or `None` when nothing can
    /// ever arrive again.
    #[cold]
    #[inline(never)]
    fn take_closed(&self) -> Option<S::Item> {
        let index = self.used.dequeue_closed(self.shape, self.used_entries())?;
        // SAFETY: `index` just came out of the used ring.
        let item = unsafe { self.read_slot(index) };
        self.free_cold(index);
        Some(item)
    }

    /// One dequeue from *used*: the item, or `None` if empty.
    fn take(&self) -> Option<S::Item> {
        let index = self.used.dequeue(self.shape, self.used_entries())?;
        // SAFETY: `index` just came out of the used ring.
        let item = unsafe { self.read_slot(index) };
        self.free.enqueue(self.shape, self.free_entries(), index);
        Some(item)
    }

    /// Moves the item out of slot `index`.
    ///
    /// # Safety
    ///
    /// `index` came out of the used ring (the fetch-or consumed it exactly
    /// once, so the caller alone owns the slot, and the push that published
    /// it wrote an item there first, release/acquire through the entry), and
    /// is read at most once before it goes back to the free ring.
    #[inline]
    unsafe fn read_slot(&self, index: usize) -> S::Item {
        // SAFETY: `index` came out of the used ring, so it is a slot number.
        let cell = unsafe { self.slot(index) };
        cell.0.with(|slot| {
            // SAFETY: the caller owns the slot and it holds an item (above).
            unsafe { (*slot).assume_init_read() }
        })
    }

    /// Registers as an in-flight batch push unless closed (one CAS on the state
    /// word; a failure means another pusher or the closer changed it).
    /// `false`: closed, nothing registered.
    #[inline]
    fn register(&self) -> bool {
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            if state & CLOSED != 0 {
                return false;
            }
            match self.state.compare_exchange_weak(
                state,
                state + PUSHER,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return true,
                Err(current) => state = current,
            }
        }
    }

    /// Pushes items taken from `items`, in order, until it is exhausted,
    /// the ring is full, or the ring is closed; returns how many it pushed.
    ///
    /// Every item this call takes out of `items` is pushed: items it could
    /// not push stay in the iterator, in their order (to push at most `k`,
    /// pass `&mut items.by_ref().take(k)`). The items enter in order and no
    /// later item of the batch overtakes an earlier one, so per-producer
    /// FIFO holds across single and batch pushes. Each round of up to
    /// [`MAX_BATCH`] items (sized by `items.size_hint()`) takes its slots
    /// from *free* with one fetch-add and publishes them into *used* with
    /// one more. Never blocks or waits for another thread.
    ///
    /// If `items.next()` panics, the items already taken are still pushed
    /// and the ring stays consistent.
    ///
    /// # Errors
    ///
    /// [`BatchPushError::Full`] when no slot was free for the next item,
    /// [`BatchPushError::Closed`] after [`close`](Self::close); both say how
    /// many items were pushed first.
    pub fn push_batch<I>(&self, items: &mut I) -> Result<usize, BatchPushError>
    where
        I: Iterator<Item = S::Item>,
    {
        if !self.register() {
            return Err(BatchPushError::Closed { pushed: 0 });
        }
        // Deregisters on every exit, unwinding included.
        let _registered = Registered(self);
        let mut pushed = 0;
        loop {
            let want = match items.size_hint() {
                (_, Some(0)) => return Ok(pushed),
                (_, Some(upper)) => upper,
                (lower, None) => lower.max(1),
            }
            .min(MAX_BATCH);
            let mut round = PushRound {
                ring: self,
                indices: [0; MAX_BATCH],
                claimed: 0,
                written: 0,
            };
            round.claimed = self.free.dequeue_batch(
                self.shape,
                self.free_entries(),
                &mut round.indices[..want],
            );
            if round.claimed == 0 {
                return Err(BatchPushError::Full { pushed });
            }
            while round.written < round.claimed {
                let Some(item) = items.next() else { break };
                let index = round.indices[round.written];
                // SAFETY: `index` came out of the free ring: a slot number.
                let cell = unsafe { self.slot(index) };
                cell.0.with_mut(|slot| {
                    // SAFETY: `index` came out of the free ring, so no other
                    // thread holds it: the slot is ours alone until the round
                    // publishes it, and it holds no item.
                    unsafe { (*slot).write(item) };
                });
                round.written += 1;
            }
            let exhausted = round.written < round.claimed;
            pushed += round.written;
            // Publishes what was written, returns the rest to *free*.
            drop(round);
            if exhausted {
                return Ok(pushed);
            }
        }
    }

    /// Removes up to `max` of the oldest items, oldest first, handing each
    /// to `sink`; returns how many.
    ///
    /// Each round of up to [`MAX_BATCH`] items claims its entries of *used*
    /// with one fetch-add and returns their slots to *free* with one more,
    /// after `sink` has taken their items. The items are those single pops
    /// at the same tickets would have returned, in the same order. Stops
    /// early when the ring runs out. Never blocks or waits for another
    /// thread (but holds the round's slots while `sink` runs).
    ///
    /// If `sink` panics, the round's remaining items are dropped and their
    /// slots returned.
    ///
    /// # Errors
    ///
    /// When no item was popped: [`PopError::Empty`] or [`PopError::Closed`],
    /// exactly as [`pop`](Self::pop) would say. `max == 0` returns `Ok(0)`.
    pub fn pop_batch<F>(&self, max: usize, mut sink: F) -> Result<usize, PopError>
    where
        F: FnMut(S::Item),
    {
        if max == 0 {
            return Ok(0);
        }
        let mut popped = 0;
        while popped < max {
            let want = (max - popped).min(MAX_BATCH);
            let mut round = PopRound {
                ring: self,
                indices: [0; MAX_BATCH],
                taken: 0,
                read: 0,
            };
            round.taken = self.used.dequeue_batch(
                self.shape,
                self.used_entries(),
                &mut round.indices[..want],
            );
            let taken = round.taken;
            while round.read < round.taken {
                let index = round.indices[round.read];
                round.read += 1;
                // SAFETY: `index` came out of the used ring in this round,
                // and `read` moved past it first, so nothing else reads it.
                sink(unsafe { self.read_slot(index) });
            }
            // Returns the round's slots to *free*.
            drop(round);
            popped += taken;
            if taken < want {
                break;
            }
        }
        if popped > 0 {
            return Ok(popped);
        }
        if !self.drained_or_open() {
            return Err(PopError::Empty);
        }
        // As in `pop`: one dequeue that only the ring's state ends.
        let item = self.take_closed().ok_or(PopError::Closed)?;
        sink(item);
        Ok(1)
    }

    /// Closes the ring, as Go's `close(ch)`: every later push fails with
    /// `Closed` and hands its item back; pops still drain every item pushed
    /// before; then they return [`PopError::Closed`]. Returns `true` if this
    /// call closed it, `false` if it was already closed.
    pub fn close(&self) -> bool {
        // First `state` (no batch push registers after this), then the bit
        // that single pushes meet in their ticket.
        let first = self.state.fetch_or(CLOSED, Ordering::AcqRel) & CLOSED == 0;
        self.used.close();
        first
    }

    /// Whether [`close`](Self::close) has taken effect: once this returns
    /// `true`, every later single push fails. It reads the bit that `close`
    /// sets last (the used ring's tail), not `state`'s flag, which `close`
    /// sets first: between the two a single push still succeeds, and a
    /// caller that saw "closed" and then "nothing pending" (the embedded
    /// pool's end-of-stream rule) would miss that item. Batch pushes that
    /// registered before the close may still complete after it; they were
    /// admitted before it, so such a caller sees them as pending.
    pub fn is_closed(&self) -> bool {
        self.used.is_closed()
    }

    /// Items in the ring: exact when no operation is in flight, otherwise a
    /// snapshot in `0..=capacity`. After a `close` that raced single pushes,
    /// a refused push's ticket may be counted until the next pop burns it.
    pub fn len(&self) -> usize {
        self.used.len(self.shape).min(self.capacity)
    }

    /// Whether [`len`](Self::len) is zero.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most items the ring holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

/// A push registration, released on drop (a batch's exit or unwind).
struct Registered<'a, S: Storage>(&'a GenericRing<S>);

impl<S: Storage> Drop for Registered<'_, S> {
    fn drop(&mut self) {
        self.0.state.fetch_sub(PUSHER, Ordering::Release);
    }
}

/// One round of [`GenericRing::push_batch`]: slots `indices[..claimed]`
/// taken from *free*, the first `written` of them filled. Dropping it
/// publishes the written ones into *used* (in order) and returns the rest
/// to *free*, on the normal path and on unwind alike.
struct PushRound<'a, S: Storage> {
    ring: &'a GenericRing<S>,
    indices: [usize; MAX_BATCH],
    claimed: usize,
    written: usize,
}

impl<S: Storage> Drop for PushRound<'_, S> {
    fn drop(&mut self) {
        let ring = self.ring;
        let (written, unused) = self.indices[..self.claimed].split_at(self.written);
        ring.used
            .enqueue_batch(ring.shape, ring.used_entries(), written);
        ring.free
            .enqueue_batch(ring.shape, ring.free_entries(), unused);
    }
}

/// One round of [`GenericRing::pop_batch`]: slots `indices[..taken]` taken
/// from *used*, the items of the first `read` of them moved out. Dropping it
/// drops the unread items (only after a panic of the sink) and returns every
/// slot to *free*.
struct PopRound<'a, S: Storage> {
    ring: &'a GenericRing<S>,
    indices: [usize; MAX_BATCH],
    taken: usize,
    read: usize,
}

impl<S: Storage> Drop for PopRound<'_, S> {
    fn drop(&mut self) {
        let ring = self.ring;
        while self.read < self.taken {
            let index = self.indices[self.read];
            self.read += 1;
            // SAFETY: `index` came out of the used ring in this round and
            // was not read yet; `read` moved past it first.
            drop(unsafe { ring.read_slot(index) });
        }
        ring.free
            .enqueue_batch(ring.shape, ring.free_entries(), &self.indices[..self.taken]);
    }
}

impl<S: Storage> Drop for GenericRing<S> {
    fn drop(&mut self) {
        // Drop every remaining item exactly once.
        while self.take().is_some() {}
    }
}

impl<S: Storage> fmt::Debug for GenericRing<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ring")
            .field("len", &self.len())
            .field("capacity", &self.capacity)
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}
