//! One SCQ index ring on its own, for the benchmarks' floor row; enabled by
//! the `bench-internals` feature. Not part of the supported API.
//!
//! [`Ring`](crate::Ring) moves every item through two index rings (a slot
//! index leaves the free ring, the item is written, the index enters the
//! used ring; a pop does the reverse). A queue from the SCQ family can do no
//! less than one index-ring enqueue and one dequeue per item: even a design
//! that carries small items inside the entry word itself (the paper's SCQ2,
//! double-width compare-and-swap) pays that much. [`IndexQueue`] is that
//! floor: the bench report circulates its indices between threads to show
//! how a single index ring compares with Vyukov's queue, which bounds what
//! any SCQ-based ring could reach on the same machine.
//!
//! An index ring must never hold more indices than its capacity, or an
//! enqueue could find no usable entry. [`IndexQueue`] makes that impossible
//! to get wrong: it starts full and only accepts back the [`Held`] tokens its
//! own [`IndexQueue::dequeue`] handed out.

use crate::index_ring::{Entry, IndexRing, Shape};

/// How many indices an [`IndexQueue`] circulates.
pub const CAPACITY: usize = 128;

/// `CAPACITY` indices in `2 * CAPACITY` entries, as in SCQ.
const ENTRIES: usize = 2 * CAPACITY;

/// One SCQ index ring holding the indices `0..CAPACITY`.
#[derive(Debug)]
pub struct IndexQueue {
    ring: IndexRing,
    shape: Shape,
    entries: [Entry; ENTRIES],
}

/// An index taken out of an [`IndexQueue`]; only [`IndexQueue::enqueue`]
/// puts it back, so the ring never holds more than it can.
#[derive(Debug)]
pub struct Held(usize);

impl Held {
    /// The index (`< CAPACITY`).
    pub fn index(&self) -> usize {
        self.0
    }
}

impl IndexQueue {
    /// A ring holding every index `0..CAPACITY`, oldest first.
    pub fn full() -> Self {
        let shape = Shape::new(ENTRIES);
        let entries: [Entry; ENTRIES] = core::array::from_fn(|_| Entry::new());
        for index in 0..CAPACITY {
            entries[shape.position(index)].set(shape.entry_for(index, index));
        }
        Self {
            ring: IndexRing::filled(shape, CAPACITY),
            shape,
            entries,
        }
    }

    /// The oldest index, or `None` if every index is held by a caller.
    #[inline]
    pub fn dequeue(&self) -> Option<Held> {
        self.ring.dequeue(self.shape, &self.entries).map(Held)
    }

    /// Puts a taken index back at the tail.
    #[inline]
    pub fn enqueue(&self, held: Held) {
        let placed = self.ring.enqueue(self.shape, &self.entries, held.0);
        debug_assert!(placed, "an IndexQueue is never closed");
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn circulates_every_index_in_order() {
        let queue = IndexQueue::full();
        let taken: [Held; CAPACITY] = core::array::from_fn(|_| queue.dequeue().expect("full"));
        assert!(queue.dequeue().is_none());
        for (expected, held) in taken.iter().enumerate() {
            assert_eq!(held.index(), expected);
        }
        for held in taken.into_iter().rev() {
            queue.enqueue(held);
        }
        for expected in (0..CAPACITY).rev() {
            assert_eq!(queue.dequeue().map(|h| h.index()), Some(expected));
        }
    }
}
