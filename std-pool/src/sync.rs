//! The one place where the std crate picks its synchronisation primitives,
//! its threads and its notion of "a deadline has passed".
//!
//! Every atomic, mutex, condvar, worker thread and thread-local of the pool
//! comes from here, so that one switch decides what the pool runs on (the
//! habit of core's `sync` module, crossbeam-epoch's `primitive` and tokio's
//! `loom` module):
//!
//! * normally: `std::sync`, `std::thread`, `std::time`;
//! * under `--cfg loom`: the [loom](https://docs.rs/loom) model checker's
//!   types, so that `loom-tests` runs the pool's real code (its worker loop,
//!   result path, crew and submit) over every interleaving.
//!
//! **Time under loom.** loom has no clock, and its `Condvar::wait_timeout`
//! waits like `wait`. So under loom a timed wait ([`Event::wait`] with a
//! deadline) does not sleep: if no notify has come it returns at once as
//! timed out, and [`deadline_passed`] is always true. That is one of the
//! behaviours of the real code (a thread preempted for the whole timeout sees
//! exactly this), so a model that passes covers every caller's timeout path;
//! what it does not explore is a notify that lands *during* a timed sleep,
//! which the untimed waits of the same protocol cover. Deadlines are still
//! computed from `std::time::Instant`, which is harmless under loom.
//!
//! **Statistics.** The per-worker counters and histograms of
//! [`metrics`](crate::metrics) order nothing (every access is `Relaxed`, and
//! no decision of the pool reads them), so [`StatCounter`] is the std atomic
//! even under loom: modelling them would only multiply the interleavings.
//! Likewise the `OnceLock` that holds a worker slot's statistics is std's:
//! it is filled under the crew's lock before the slot's thread starts, and
//! only read afterwards.
//!
//! `Arc` is std's in both builds: its count orders only its own drop.
//!
//! [`Event::wait`]: crate::event::Event::wait

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering, fence};
#[cfg(loom)]
pub(crate) use loom::sync::{Condvar, Mutex, MutexGuard};

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering, fence};
#[cfg(not(loom))]
pub(crate) use std::sync::{Condvar, Mutex, MutexGuard};

/// A statistics counter: the std atomic in every build (see the module
/// docs).
pub(crate) type StatCounter = std::sync::atomic::AtomicU64;

/// Locks `mutex`, ignoring poison: no code of the pool panics while holding
/// one of its locks (user code never runs under them), so a poisoned lock
/// guards consistent data.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Waits on `condvar`, ignoring poison (see [`lock`]).
pub(crate) fn wait<'a, T>(condvar: &Condvar, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
    condvar
        .wait(guard)
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Waits on `condvar` until `deadline` at most, ignoring poison. Returns
/// `None` once `deadline` has passed (without waiting); the caller then
/// treats the wait as timed out. Under loom it never sleeps: it returns
/// `None` at once (see the module docs).
pub(crate) fn wait_until<'a, T>(
    condvar: &Condvar,
    guard: MutexGuard<'a, T>,
    deadline: std::time::Instant,
) -> Result<MutexGuard<'a, T>, MutexGuard<'a, T>> {
    #[cfg(loom)]
    {
        let _ = (condvar, deadline);
        Err(guard)
    }
    #[cfg(not(loom))]
    {
        let now = std::time::Instant::now();
        if now >= deadline {
            return Err(guard);
        }
        Ok(condvar
            .wait_timeout(guard, deadline - now)
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .0)
    }
}

/// Whether `deadline` has passed; under loom always (see the module docs).
pub(crate) fn deadline_passed(deadline: std::time::Instant) -> bool {
    #[cfg(loom)]
    {
        let _ = deadline;
        true
    }
    #[cfg(not(loom))]
    {
        std::time::Instant::now() >= deadline
    }
}

/// A moment of a busy wait: a CPU spin hint normally (through
/// crossbeam-utils' `Backoff`, see [`backoff`](crate::backoff)); under loom
/// a yield, or loom would never run the thread being waited for.
#[cfg(loom)]
pub(crate) fn yield_now() {
    loom::thread::yield_now();
}

/// Worker threads.
pub(crate) mod thread {
    #[cfg(loom)]
    pub(crate) use loom::thread::{Builder, JoinHandle};
    #[cfg(not(loom))]
    pub(crate) use std::thread::{Builder, JoinHandle};

    /// Declares a thread-local `Cell<usize>`, starting at 0 (loom's
    /// thread-locals are per model thread; std's would be shared by every
    /// model thread, which loom runs on one OS thread).
    macro_rules! usize_thread_local {
        ($(#[$attr:meta])* static $name:ident;) => {
            #[cfg(not(loom))]
            std::thread_local! {
                $(#[$attr])*
                static $name: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
            }
            #[cfg(loom)]
            loom::thread_local! {
                $(#[$attr])*
                static $name: std::cell::Cell<usize> = std::cell::Cell::new(0);
            }
        };
    }
    pub(crate) use usize_thread_local;
}

/// The job cells of a cancellable pool (`crate::cancel`): loom's
/// `UnsafeCell` under loom (it checks every access), else std's behind the
/// same closure API.
#[cfg(loom)]
pub(crate) use loom::cell::UnsafeCell;

/// `std::cell::UnsafeCell` behind loom's closure-based API.
#[cfg(not(loom))]
#[derive(Debug)]
pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    pub(crate) fn new(value: T) -> Self {
        Self(std::cell::UnsafeCell::new(value))
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
