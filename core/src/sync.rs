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
