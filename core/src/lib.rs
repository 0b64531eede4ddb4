//! # ringpool-core
//!
//! The allocation-free heart of ringpool: a bounded, **lock-free**
//! multi-producer multi-consumer ring and a completion counter. `#![no_std]`,
//! no `alloc`, constructible in a `static`, model-checked with loom.
//!
//! * [`Ring<T, N>`]: `N` items inline (`N` a power of two), `const fn new`,
//!   usable from interrupt handlers. [`GenericRing::with_storage`] gives any
//!   capacity chosen at run time over storage handed over once
//!   ([`BorrowedStorage`], or a [`Storage`] of your own). One algorithm
//!   serves both.
//! * Go-style close: after [`GenericRing::close`], every push fails with
//!   [`PushError::Closed`] and hands the item back, pops drain what was
//!   accepted, then report [`PopError::Closed`] forever.
//! * [`CompletionCounter`]: `WaitGroup` semantics for jobs with misuse as
//!   errors and waits that are safe across reuse.
//! * [`pool::Pool`]: the worker pool itself, for contexts without threads
//!   (interrupt handlers, a main loop, a second core), in a `static`.
//!
//! ## Progress
//!
//! The ring is Nikolaev's SCQ (DISC 2019): every operation completes in a
//! finite number of its own steps whatever other threads do, except that it
//! may retry because another operation succeeded. A thread stalled anywhere
//! inside `push` or `pop` (preempted, or interrupted by a handler using the
//! same ring) never makes another call wait, spin, or fail while a free slot
//! or a published item exists; the exact rules for `Full`, `Empty` and
//! `Closed`, the linearization points and the ABA margins are in the docs of
//! [`GenericRing`]'s module (`ring.rs`) and the index ring (`index_ring.rs`).
//!
//! On targets without compare-and-swap (`thumbv6m-none-eabi`), the
//! `portable-atomic` feature supplies the atomics; their read-modify-write
//! operations then run inside a short critical section (interrupts masked),
//! so there the ring is interrupt-safe but no longer lock-free in the
//! formal sense.
#![no_std]
#![deny(missing_docs)]

#[cfg(feature = "bench-internals")]
#[doc(hidden)]
pub mod bench_internals;
mod counter;
mod error;
mod index_ring;
pub mod pool;
mod ring;
mod storage;
mod sync;

pub use counter::{Batch, CompletionCounter, PhasedBatch, PhasedCounter, Ticket};
pub use error::{BatchPushError, CapacityError, CounterError, PopError, PushError};
pub use index_ring::Entry;
pub use ring::{GenericRing, MAX_BATCH, MAX_CAPACITY, Ring};
pub use storage::{BorrowedStorage, InlineStorage, Slot, Storage, entries_for};
