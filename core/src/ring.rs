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
//! * `push(x)`: register as an in-flight pusher (fails with `Closed` if the
//!   ring is closed); take a slot index from *free* (none: `Full`); write `x`
//!   into the slot; append the index to *used*; deregister.
//! * `pop()`: take an index from *used* (none: see "Empty and Closed"); move
//!   the item out of its slot; append the index to *free*.
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
//! * `close`: its fetch-or on `state`; a push that registered before it may
//!   still complete, and is ordered before the close;
//! * `Closed` from push: its failed registration;
//! * `Closed` from pop: its second empty dequeue from *used*.
//!
//! # Exactly when `Full`, `Empty` and `Closed` are returned
//!
//! * `push` returns `Full(x)` when *free* is empty: every one of the
//!   `capacity` slots holds an item, or is held by a push that has taken it
//!   and not yet published it, or by a pop that has taken its item and not
//!   yet returned the slot. A thread stalled inside an operation therefore
//!   holds at most one slot, and never stops anyone else.
//! * `push` returns `Closed(x)` when `close` took effect before it
//!   registered.
//! * `pop` returns `Err(Empty)` when *used* holds no index, unless the
//!   closed-and-drained rule below applies.
//! * `pop` returns `Err(Closed)` when *used* is empty, the ring is closed,
//!   and no push is in flight, checked in that order and then confirmed by a
//!   second look at *used*. After that no push can ever succeed again, so
//!   every later pop also returns `Closed`: nothing is stranded.
//!
//! `state` packs the closed flag (bit 0) and the count of registered pushers
//! (the rest), so registering and closing are ordered by the word's single
//! modification order: no fence pairs to get wrong.
//!
//! # ABA margin
//!
//! That of the index rings: `2^(W-2)` operations on one ring while a thread
//! is stalled inside an operation (`2^30` on 32-bit targets, `2^62` on 64-bit
//! ones). The pusher count never exceeds the number of threads.

use crate::error::{CapacityError, PopError, PushError};
use crate::index_ring::{IndexRing, Shape};
use crate::storage::{InlineStorage, Storage, index_ring_size};
use crate::sync::{AtomicUsize, Ordering};
use core::fmt;
use crossbeam_utils::CachePadded;

/// Largest capacity on this target: `2^(W/2 - 1)` items (32 768 on 32-bit
/// targets, 2 147 483 648 on 64-bit ones), which leaves every index ring at
/// least `W/2 - 1` cycle bits.
pub const MAX_CAPACITY: usize = 1 << (usize::BITS / 2 - 1);

/// `state` bit 0: closed.
const CLOSED: usize = 1;
/// `state` increment for one registered pusher.
const PUSHER: usize = 2;

/// A bounded MPMC ring over some [`Storage`].
///
/// Most users want [`Ring<T, N>`](Ring) (storage inline, `const fn new`) or
/// [`GenericRing::with_storage`] (capacity chosen at run time).
pub struct GenericRing<S: Storage> {
    free: IndexRing,
    used: IndexRing,
    /// Closed flag (bit 0) and registered pushers (`PUSHER` each).
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
        &self.storage.entries()[..self.shape.size()]
    }

    #[inline]
    fn used_entries(&self) -> &[crate::Entry] {
        &self.storage.entries()[self.shape.size()..2 * self.shape.size()]
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
        // Register as a pusher unless closed (one CAS on the state word; a
        // failure means another pusher or the closer changed it).
        let mut state = self.state.load(Ordering::Acquire);
        loop {
            if state & CLOSED != 0 {
                return Err(PushError::Closed(item));
            }
            match self.state.compare_exchange_weak(
                state,
                state + PUSHER,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break,
                Err(current) => state = current,
            }
        }
        let result = match self.free.dequeue(self.shape, self.free_entries()) {
            None => Err(PushError::Full(item)),
            Some(index) => {
                self.storage.slots()[index].0.with_mut(|slot| {
                    // SAFETY: `index` came out of the free ring, so no other
                    // thread holds it: the slot is ours alone until we publish
                    // it in the used ring, and it holds no item (its last item,
                    // if any, was moved out before the index was freed).
                    unsafe { (*slot).write(item) };
                });
                self.used.enqueue(self.shape, self.used_entries(), index);
                Ok(())
            }
        };
        // Deregister; a closer waiting for in-flight pushes may now see zero.
        self.state.fetch_sub(PUSHER, Ordering::Release);
        result
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
        let state = self.state.load(Ordering::Acquire);
        if state != CLOSED {
            // Open, or a push that registered before the close is in flight.
            return Err(PopError::Empty);
        }
        // Closed with no pusher left: what is in `used` now is all there will
        // ever be. Look once more; an empty answer is final.
        self.take().ok_or(PopError::Closed)
    }

    /// One dequeue from *used*: the item, or `None` if empty.
    fn take(&self) -> Option<S::Item> {
        let index = self.used.dequeue(self.shape, self.used_entries())?;
        let item = self.storage.slots()[index].0.with(|slot| {
            // SAFETY: `index` came out of the used ring exactly once (the
            // fetch-or consumed it), so we alone own the slot, and the push
            // that published it wrote an item there first (release/acquire
            // through the ring's entry).
            unsafe { (*slot).assume_init_read() }
        });
        self.free.enqueue(self.shape, self.free_entries(), index);
        Some(item)
    }

    /// Closes the ring, as Go's `close(ch)`: every later push fails with
    /// `Closed` and hands its item back; pops still drain every item pushed
    /// before; then they return [`PopError::Closed`]. Returns `true` if this
    /// call closed it, `false` if it was already closed.
    pub fn close(&self) -> bool {
        self.state.fetch_or(CLOSED, Ordering::AcqRel) & CLOSED == 0
    }

    /// Whether [`close`](Self::close) has been called.
    pub fn is_closed(&self) -> bool {
        self.state.load(Ordering::Acquire) & CLOSED != 0
    }

    /// Items in the ring: exact when no operation is in flight, otherwise a
    /// snapshot in `0..=capacity`.
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
