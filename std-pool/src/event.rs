//! `Event`: the one sleep/wake primitive of the pool (an "eventcount").
//!
//! Every blocking call in the pool waits for some condition on lock-free
//! state (a job in the ring, a free slot, the completion counter at zero, a
//! result to drain). Checking the condition and going to sleep cannot be one
//! atomic step, so the waiter announces itself first and checks again:
//!
//! ```text
//! waiter                                  notifier
//! let key = event.listen();  // waiters+1 make the condition true
//! if condition() { event.cancel(); }     event.notify_*();  // reads waiters
//! else { event.wait(key, deadline); }
//! ```
//!
//! `listen` increments `waiters` and then issues a `SeqCst` fence before the
//! waiter's re-check; `notify_*` issues a `SeqCst` fence after the
//! notifier's change and before it reads `waiters`. The two fences are
//! totally ordered, so either the notifier sees `waiters > 0` (and wakes the
//! waiter) or the waiter's re-check sees the change (and does not sleep):
//! no lost wake-up. This is Dekker's pattern; `loom-tests` models it.
//!
//! When nobody waits, a notify is one fence and one load: the hot path of a
//! busy pool never takes the mutex. A wake-up is recorded as an increment of
//! `epoch` made under the mutex, and `wait` sleeps only while the epoch it
//! read in `listen` is current, so a notify between `listen` and `wait` is
//! never missed either.
//!
//! **Async waiters** (the futures of [`crate::async_listen`]) keep the same
//! protocol with a [`Waker`] in place of a sleep: `listen_async` counts the
//! future in `waiters` and registers its waker in `wakers` (a
//! [`WakerList`]), then the same fence; the future re-checks and returns
//! `Pending`. A notify that found waiters also wakes wakers: `notify_one`
//! the oldest, `notify_all` every one. With no waiter at all nothing
//! changes on the notify path (still one fence and one load).
//!
//! Under loom a timed `wait` does not sleep (see [`crate::sync`]): it
//! returns as timed out unless a notify already came.

use crate::sync::{AtomicUsize, Condvar, Mutex, Ordering, deadline_passed, fence, lock};
use crate::waker_list::{WakerKey, WakerList};
use std::task::Waker;
use std::time::Instant;

/// A wait/notify point; see the module docs for the protocol.
#[derive(Debug, Default)]
pub struct Event {
    /// Threads between `listen` and the end of `wait`/`cancel`.
    waiters: AtomicUsize,
    /// Bumped by every notify that found a waiter; guarded by the mutex.
    epoch: Mutex<u64>,
    condvar: Condvar,
    /// Async waiters (each also counted in `waiters`).
    wakers: WakerList,
}

/// What a waiter read in [`Event::listen`]; pass it to [`Event::wait`].
#[derive(Debug, Clone, Copy)]
#[must_use = "a listen must be followed by wait or cancel"]
pub struct Listener {
    epoch: u64,
}

impl Event {
    /// A new event with no waiters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Announces a waiter. The caller must re-check its condition after
    /// this, then call [`wait`](Self::wait) or [`cancel`](Self::cancel).
    pub fn listen(&self) -> Listener {
        self.waiters.fetch_add(1, Ordering::SeqCst);
        let epoch = *lock(&self.epoch);
        fence(Ordering::SeqCst);
        Listener { epoch }
    }

    /// Withdraws a [`listen`](Self::listen) whose re-check succeeded.
    pub fn cancel(&self, _listener: Listener) {
        self.waiters.fetch_sub(1, Ordering::SeqCst);
    }

    /// Sleeps until a notify after `listener` was taken, or until
    /// `deadline`. Returns `false` on timeout. May return early (spurious
    /// wake-up); callers loop on their condition.
    pub fn wait(&self, listener: Listener, deadline: Option<Instant>) -> bool {
        let mut epoch = lock(&self.epoch);
        let mut notified = true;
        while *epoch == listener.epoch {
            match deadline {
                None => epoch = crate::sync::wait(&self.condvar, epoch),
                Some(deadline) => match crate::sync::wait_until(&self.condvar, epoch, deadline) {
                    Ok(guard) => epoch = guard,
                    Err(guard) => {
                        epoch = guard;
                        notified = false;
                        break;
                    }
                },
            }
        }
        drop(epoch);
        self.waiters.fetch_sub(1, Ordering::SeqCst);
        notified
    }

    /// The whole waiter's side of the protocol: returns what `ready`
    /// returns once it returns `Some`, checking it, then announcing, then
    /// checking again before each sleep. `None` once `deadline` has passed
    /// (after a last check).
    pub fn wait_until<T>(
        &self,
        deadline: Option<Instant>,
        mut ready: impl FnMut() -> Option<T>,
    ) -> Option<T> {
        loop {
            if let Some(value) = ready() {
                return Some(value);
            }
            let listener = self.listen();
            if let Some(value) = ready() {
                self.cancel(listener);
                return Some(value);
            }
            if !self.wait(listener, deadline) && deadline.is_some_and(deadline_passed) {
                return ready();
            }
        }
    }

    /// Wakes one waiter, if any. Call after making a condition true.
    pub fn notify_one(&self) {
        if self.has_waiters() {
            *lock(&self.epoch) += 1;
            self.condvar.notify_one();
            self.wakers.wake_one();
        }
    }

    /// Wakes every waiter, if any. Call after making a condition true.
    pub fn notify_all(&self) {
        if self.has_waiters() {
            *lock(&self.epoch) += 1;
            self.condvar.notify_all();
            self.wakers.wake_all();
        }
    }

    /// An async waiter's announce: counts it and registers `waker` (first
    /// time, into `key`), or re-arms its entry, then the fence. The caller
    /// re-checks its condition after this, and returns `Pending` or calls
    /// [`cancel_async`](Self::cancel_async).
    pub(crate) fn listen_async(&self, key: &mut Option<WakerKey>, waker: &Waker) {
        match key {
            Some(key) => self.wakers.rearm(key, waker),
            None => {
                self.waiters.fetch_add(1, Ordering::SeqCst);
                *key = Some(self.wakers.register(waker));
            }
        }
        fence(Ordering::SeqCst);
    }

    /// Withdraws an async waiter (if `key` holds one). Returns whether a
    /// notify had picked it since it last looked.
    pub(crate) fn cancel_async(&self, key: &mut Option<WakerKey>) -> bool {
        let Some(key) = key.take() else {
            return false;
        };
        let notified = self.wakers.remove(key);
        self.waiters.fetch_sub(1, Ordering::SeqCst);
        notified
    }

    fn has_waiters(&self) -> bool {
        fence(Ordering::SeqCst);
        self.waiters.load(Ordering::SeqCst) != 0
    }
}
