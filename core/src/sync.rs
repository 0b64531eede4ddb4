//! The one place where the core picks its synchronisation primitives.
//!
//! Every atomic, every `UnsafeCell` and every spin hint in this crate comes
//! from here, so that one switch decides what the algorithm runs on:
//!
//! * `--cfg loom`: the [loom](https://docs.rs/loom) model checker's types, so
//!   that `loom-tests` explores every interleaving and memory-order outcome.
//!   A spin hint yields to loom's scheduler, or loom would never see the
//!   spinning thread make room for the one it waits on.
//! * feature `portable-atomic`: the portable-atomic crate's types, for
//!   targets without compare-and-swap (`thumbv6m-none-eabi`).
//! * otherwise: `core::sync::atomic` and `core::cell::UnsafeCell`.
//!
//! loom's constructors are not `const`, so the crate's `const fn new`
//! constructors exist only without `--cfg loom` (the same trick as
//! crossbeam's `const_fn!`); the [`const_if_not_loom!`] macro writes both.

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};

#[cfg(all(not(loom), feature = "portable-atomic"))]
pub(crate) use portable_atomic::{AtomicIsize, AtomicUsize, Ordering};

#[cfg(all(not(loom), not(feature = "portable-atomic")))]
pub(crate) use core::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};

/// `atomic.store(value, order)` for a word that other threads change with
/// read-modify-write operations at the same time (the index ring's
/// `threshold`: enqueuers store to it, dequeuers `fetch_sub` it).
///
/// Under loom this is a `swap` whose result is dropped: loom 0.7 may place a
/// plain store between the read and the write of a concurrent
/// read-modify-write in the modification order, which breaks RMW atomicity
/// and lets later loads see the RMW's value as if the store had never
/// happened (tokio-rs/loom#254, #389). A swap is ordered by loom like any
/// other RMW. Its read half is `Relaxed` for a `Release` store, so it adds no
/// synchronisation the store would not have: the model stays faithful.
#[inline]
pub(crate) fn store_isize(atomic: &AtomicIsize, value: isize, order: Ordering) {
    #[cfg(loom)]
    atomic.swap(value, order);
    #[cfg(not(loom))]
    atomic.store(value, order);
}

/// A hint that the caller is busy-waiting; under loom, a yield.
#[inline]
pub(crate) fn spin_loop() {
    #[cfg(loom)]
    loom::thread::yield_now();
    #[cfg(not(loom))]
    core::hint::spin_loop();
}

#[cfg(loom)]
pub(crate) use loom::cell::UnsafeCell;

/// `core::cell::UnsafeCell` behind loom's closure-based API, so the same
/// code compiles against both (the habit of tokio's `loom` module).
#[cfg(not(loom))]
#[derive(Debug)]
#[repr(transparent)]
pub(crate) struct UnsafeCell<T>(core::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    #[inline]
    pub(crate) const fn new(value: T) -> Self {
        Self(core::cell::UnsafeCell::new(value))
    }

    /// Runs `f` with a shared raw pointer to the contents.
    #[inline]
    pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    /// Runs `f` with an exclusive raw pointer to the contents.
    #[inline]
    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}

/// Writes a constructor as a `const fn` in normal builds and as a plain `fn`
/// under `--cfg loom`, whose types cannot be built in const context.
macro_rules! const_if_not_loom {
    ($(#[$attr:meta])* $vis:vis fn $name:ident $($rest:tt)*) => {
        #[cfg(not(loom))]
        $(#[$attr])* $vis const fn $name $($rest)*
        #[cfg(loom)]
        $(#[$attr])* $vis fn $name $($rest)*
    };
}
pub(crate) use const_if_not_loom;
