//! A core ring with its storage on the heap: the pool's one allocation per
//! queue, made at construction.

use crate::error::BuildError;
use ringpool_core::{Entry, GenericRing, Slot, Storage, entries_for};
use std::collections::TryReserveError;

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
/// a bad capacity never allocates). `which` names the ring in errors.
///
/// # Errors
///
/// [`BuildError::OutOfMemory`] when the allocator refuses the memory (the
/// allocation is fallible: a size the caller chose never aborts the
/// process), [`BuildError::Capacity`] for a capacity the ring refuses.
pub(crate) fn heap_ring<T>(
    which: &'static str,
    capacity: usize,
) -> Result<HeapRing<T>, BuildError> {
    let out_of_memory = |len| move |_| BuildError::OutOfMemory { which, len };
    let entries = entries_for(capacity);
    let storage = HeapStorage {
        slots: filled_box(capacity, Slot::new).map_err(out_of_memory(capacity))?,
        entries: filled_box(entries, Entry::new).map_err(out_of_memory(entries))?,
    };
    GenericRing::with_storage(storage, capacity)
        .map_err(|error| BuildError::Capacity { which, error })
}

/// A boxed slice of `len` values made by `make`, allocated fallibly: an
/// allocation the allocator refuses (or a size past `isize::MAX` bytes) is
/// an error, never an abort.
pub(crate) fn filled_box<T>(
    len: usize,
    make: impl FnMut() -> T,
) -> Result<Box<[T]>, TryReserveError> {
    let mut values = Vec::new();
    values.try_reserve_exact(len)?;
    values.extend(std::iter::repeat_with(make).take(len));
    // Exactly `len` reserved and filled: no reallocation here.
    Ok(values.into_boxed_slice())
}
