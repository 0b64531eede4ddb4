//! Error types. Every error that refuses an item carries the item back.

use core::fmt;

/// Why [`push`](crate::GenericRing::push) refused an item; the item is inside.
#[derive(PartialEq, Eq, Clone, Copy)]
pub enum PushError<T> {
    /// Every slot holds an item or is held by an operation in flight
    /// (see the crate docs for the exact rule).
    Full(T),
    /// The ring was closed before this push took effect.
    Closed(T),
}

impl<T> PushError<T> {
    /// Takes the refused item back.
    ///
    /// ```
    /// use ringpool_core::{PushError, Ring};
    /// let ring: Ring<&str, 1> = Ring::new();
    /// ring.push("a").unwrap();
    /// assert_eq!(ring.push("b").unwrap_err().into_inner(), "b");
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            Self::Full(item) | Self::Closed(item) => item,
        }
    }

    /// `true` for [`PushError::Full`].
    pub fn is_full(&self) -> bool {
        matches!(self, Self::Full(_))
    }

    /// `true` for [`PushError::Closed`].
    pub fn is_closed(&self) -> bool {
        matches!(self, Self::Closed(_))
    }
}

impl<T> fmt::Debug for PushError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full(_) => f.write_str("Full(..)"),
            Self::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}

impl<T> fmt::Display for PushError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full(_) => f.write_str("ring is full; the item was handed back"),
            Self::Closed(_) => f.write_str("ring is closed; the item was handed back"),
        }
    }
}

impl<T> core::error::Error for PushError<T> {}

/// Why [`push_batch`](crate::GenericRing::push_batch) stopped before its
/// iterator was exhausted. The items it did not push are still in the
/// iterator, in their order; `pushed` says how many went in before.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum BatchPushError {
    /// No slot was free for the next item (the rule of [`PushError::Full`]).
    Full {
        /// Items of this call that were pushed before.
        pushed: usize,
    },
    /// The ring was closed before the next item could be pushed.
    Closed {
        /// Items of this call that were pushed before.
        pushed: usize,
    },
}

impl BatchPushError {
    /// How many items of the call were pushed.
    pub fn pushed(&self) -> usize {
        match *self {
            Self::Full { pushed } | Self::Closed { pushed } => pushed,
        }
    }
}

impl fmt::Display for BatchPushError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Full { pushed } => write!(
                f,
                "ring is full after {pushed} items; the rest stay with the caller"
            ),
            Self::Closed { pushed } => write!(
                f,
                "ring is closed after {pushed} items; the rest stay with the caller"
            ),
        }
    }
}

impl core::error::Error for BatchPushError {}

/// Why [`pop`](crate::GenericRing::pop) returned no item.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum PopError {
    /// Nothing to pop right now; an item may still arrive.
    Empty,
    /// The ring is closed and drained: no item will ever arrive again.
    Closed,
}

impl fmt::Display for PopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("ring is empty"),
            Self::Closed => f.write_str("ring is closed and drained"),
        }
    }
}

impl core::error::Error for PopError {}

/// A capacity or storage that a ring cannot use.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum CapacityError {
    /// A capacity of zero.
    Zero,
    /// A capacity above [`MAX_CAPACITY`](crate::MAX_CAPACITY).
    TooLarge {
        /// The capacity asked for.
        requested: usize,
        /// The largest capacity this target supports.
        max: usize,
    },
    /// The storage is too small for the capacity.
    StorageTooSmall {
        /// What the storage must provide: slots, then entries.
        needed_slots: usize,
        /// Entries needed ([`entries_for`](crate::entries_for)).
        needed_entries: usize,
        /// Slots provided.
        slots: usize,
        /// Entries provided.
        entries: usize,
    },
}

impl fmt::Display for CapacityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Zero => f.write_str("capacity must be at least 1"),
            Self::TooLarge { requested, max } => {
                write!(
                    f,
                    "capacity {requested} exceeds the maximum of {max} on this target"
                )
            }
            Self::StorageTooSmall {
                needed_slots,
                needed_entries,
                slots,
                entries,
            } => write!(
                f,
                "storage too small: needs {needed_slots} slots and {needed_entries} entries, \
                 has {slots} slots and {entries} entries"
            ),
        }
    }
}

impl core::error::Error for CapacityError {}

/// Misuse of a [`CompletionCounter`](crate::CompletionCounter).
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum CounterError {
    /// `add` would take the pending count past
    /// [`CompletionCounter::MAX_PENDING`](crate::CompletionCounter::MAX_PENDING).
    Overflow {
        /// Pending before the call.
        pending: usize,
        /// The amount that did not fit.
        added: usize,
    },
    /// `done` with nothing pending: more completions than additions.
    Underflow,
}

impl fmt::Display for CounterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Overflow { pending, added } => {
                write!(
                    f,
                    "adding {added} to {pending} pending jobs overflows the counter"
                )
            }
            Self::Underflow => f.write_str("done() called with no job pending"),
        }
    }
}

impl core::error::Error for CounterError {}
