//! Where a ring keeps its items and index entries.
//!
//! A ring of capacity `n` needs `n` [`Slot`]s for items and
//! [`entries_for(n)`](entries_for) [`Entry`] words for its two index rings
//! (`2 * size` with `size = 2 * n.next_power_of_two()`). The storage is handed
//! over once, at construction; the ring never asks for memory again.
//!
//! * [`InlineStorage`] keeps everything inside the ring value, for
//!   [`Ring<T, N>`](crate::Ring) in a `static` (`N` a power of two).
//! * [`BorrowedStorage`] uses slices lent for the ring's lifetime, for a
//!   capacity chosen at run time without an allocator.
//! * Any other owner (a `Box<[Slot<T>]>` in the std crate) implements the
//!   unsafe [`Storage`] trait.

use crate::index_ring::Entry;
#[cfg(not(loom))]
use crate::index_ring::Shape;
use crate::sync::{UnsafeCell, const_if_not_loom};
use core::mem::MaybeUninit;

/// One item's place in a ring. Created empty with [`Slot::new`]; only the
/// ring reads or writes it.
#[derive(Debug)]
pub struct Slot<T>(pub(crate) UnsafeCell<MaybeUninit<T>>);

impl<T> Slot<T> {
    const_if_not_loom! {
        /// An empty slot.
        pub fn new() -> Self {
            Self(UnsafeCell::new(MaybeUninit::uninit()))
        }
    }
}

// SAFETY: a slot's contents are reachable only through the ring that owns
// it, which lets exactly one thread at a time (the holder of its index) touch
// them, and only moves whole items in and out: `T: Send` is enough.
unsafe impl<T: Send> Sync for Slot<T> {}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// Number of [`Entry`] words a ring of `capacity` items needs.
///
/// ```
/// assert_eq!(ringpool_core::entries_for(16), 64);
/// assert_eq!(ringpool_core::entries_for(10), 64);
/// ```
pub const fn entries_for(capacity: usize) -> usize {
    2 * index_ring_size(capacity)
}

/// Entries in one of the two index rings: twice the capacity rounded up to a
/// power of two (SCQ holds at most half its entries).
pub(crate) const fn index_ring_size(capacity: usize) -> usize {
    2 * capacity.next_power_of_two()
}

/// Memory a ring can use for its items and index entries.
///
/// # Safety
///
/// An implementation must return the same slices (same address, same
/// length) from every call on the same value, for as long as the value
/// lives, and no other code may access them: the ring reads items it wrote
/// into [`slots`](Storage::slots) earlier, so a different slice would hand
/// out uninitialised memory.
pub unsafe trait Storage {
    /// The item type.
    type Item;

    /// At least `capacity` item slots.
    fn slots(&self) -> &[Slot<Self::Item>];

    /// At least [`entries_for(capacity)`](entries_for) entries. Their old
    /// contents do not matter: the ring sets them at construction.
    fn entries(&self) -> &[Entry];
}

/// Storage inside the ring value: `N` slots and `4 * N` entries (`N` must be
/// a power of two, so that `4 * N` is exactly what the rings need).
#[derive(Debug)]
pub struct InlineStorage<T, const N: usize> {
    slots: [Slot<T>; N],
    entries: [[Entry; 4]; N],
}

impl<T, const N: usize> InlineStorage<T, N> {
    /// Storage whose free ring already holds slot indices `0..N` in order,
    /// as [`GenericRing::with_storage`](crate::GenericRing::with_storage)
    /// would leave it, computed at compile time.
    #[cfg(not(loom))]
    pub(crate) const fn prefilled(shape: Shape) -> Self {
        let mut entries = [const { [const { Entry::new() }; 4] }; N];
        let mut index = 0;
        while index < N {
            let position = shape.position(index);
            entries[position / 4][position % 4] = Entry::holding(shape.entry_for(index, index));
            index += 1;
        }
        Self {
            slots: [const { Slot::new() }; N],
            entries,
        }
    }

    /// Fresh storage; the ring fills its free ring at construction.
    #[cfg(loom)]
    pub(crate) fn fresh() -> Self {
        Self {
            slots: core::array::from_fn(|_| Slot::new()),
            entries: core::array::from_fn(|_| core::array::from_fn(|_| Entry::new())),
        }
    }
}

// SAFETY: both slices are fields of `self`: the same address and length on
// every call for as long as `self` lives, reachable only through `self`.
unsafe impl<T, const N: usize> Storage for InlineStorage<T, N> {
    type Item = T;

    fn slots(&self) -> &[Slot<T>] {
        &self.slots
    }

    fn entries(&self) -> &[Entry] {
        self.entries.as_flattened()
    }
}

/// Storage lent to a ring for its lifetime: a capacity chosen at run time
/// with no allocator.
///
/// ```
/// use ringpool_core::{BorrowedStorage, Entry, GenericRing, Slot, entries_for};
/// let mut slots: [Slot<u32>; 10] = core::array::from_fn(|_| Slot::new());
/// let mut entries: [Entry; entries_for(10)] = core::array::from_fn(|_| Entry::new());
/// let ring = GenericRing::with_storage(BorrowedStorage::new(&mut slots, &mut entries), 10).unwrap();
/// ring.push(7).unwrap();
/// assert_eq!(ring.pop(), Ok(7));
/// ```
#[derive(Debug)]
pub struct BorrowedStorage<'a, T> {
    slots: &'a mut [Slot<T>],
    entries: &'a mut [Entry],
}

impl<'a, T> BorrowedStorage<'a, T> {
    /// Lends `slots` and `entries` to one ring.
    pub fn new(slots: &'a mut [Slot<T>], entries: &'a mut [Entry]) -> Self {
        Self { slots, entries }
    }
}

// SAFETY: the slices are exclusive borrows held for the value's lifetime, so
// they are the same on every call and nobody else can reach them.
unsafe impl<T> Storage for BorrowedStorage<'_, T> {
    type Item = T;

    fn slots(&self) -> &[Slot<T>] {
        self.slots
    }

    fn entries(&self) -> &[Entry] {
        self.entries
    }
}
