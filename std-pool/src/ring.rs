//! A core ring with its storage on the heap: the pool's one allocation per
//! queue, made at construction.

use ringpool_core::{CapacityError, Entry, GenericRing, Slot, Storage, entries_for};

/// Slots and entries in two boxed slices, allocated once.
#[derive(Debug)]
pub(crate) struct HeapStorage<T> {
    slots: Box<[Slot<T>]>,
    entries: Box<[Entry]>,
}

// SAFETY: both slices are owned boxes that are never replaced or resized, so
// every call returns the same address and length while `self` lives, and
// nothing outside `self` can reach them.
unsafe impl<T> Storage for HeapStorage<T> {
    type Item = T;

    fn slots(&self) -> &[Slot<T>] {
        &self.slots
    }

    fn entries(&self) -> &[Entry] {
        &self.entries
    }
}

/// A lock-free ring of `capacity` items on the heap.
pub(crate) type HeapRing<T> = GenericRing<HeapStorage<T>>;

/// Allocates a ring of `capacity` items (validated by the builder first, so
/// a bad capacity never allocates).
pub(crate) fn heap_ring<T>(capacity: usize) -> Result<HeapRing<T>, CapacityError> {
    let storage = HeapStorage {
        slots: (0..capacity).map(|_| Slot::new()).collect(),
        entries: (0..entries_for(capacity)).map(|_| Entry::new()).collect(),
    };
    GenericRing::with_storage(storage, capacity)
}
