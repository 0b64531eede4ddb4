//! `AsyncListener`: the waiter's side of the eventcount protocol
//! ([`Event`]) for a future, the one piece every future of the pool
//! (`submit_async`, `recv_async`, the result stream, `wait_async`) polls
//! through.
//!
//! One poll is the blocking waiter's loop body with `Pending` in place of
//! the sleep:
//!
//! ```text
//! poll:  if ready() { withdraw; Ready }
//!        listen_async (register or re-arm the waker; SeqCst fence)
//!        if ready() { withdraw; Ready }
//!        Pending
//! ```
//!
//! The notifier makes the condition true, then fences and reads `waiters`
//! ([`Event::notify_one`]). Either its fence comes first, and the re-check
//! after `listen_async`'s fence sees the change; or the waiter's comes
//! first, and the notifier sees the waiter counted and its waker
//! registered, and wakes it (the waker was registered before that fence).
//! No lost wake-up, as for threads (modelled in
//! `loom-tests/tests/pool_async.rs` over the pool's real futures).
//!
//! **No yielding before registering.** A blocking caller spins a moment
//! before it parks; a future registers at once. Yielding to the executor
//! first (waking its own task and returning `Pending`, up to the pool's
//! `spin_before_park` times) was tried and measured slower on tokio: 0.80x
//! and 0.83x of registering at once (tiny jobs, queues of 1024 and 16,
//! `benches/notes/async-2026-11-30.md`), a self-wake there costing about
//! what a registration and a wake-up do.
//!
//! **Dropped while notified.** A `notify_one` picks one waiter. If that
//! waiter is a future dropped before it looked again (a `select!` that
//! took another branch, a timeout), the wake-up would die with it while
//! another waiter sleeps on a condition that is true. So a future dropped
//! while its entry is notified passes the wake-up on with a `notify_one`
//! of its own ([`abandon`](AsyncListener::abandon)): at worst a spurious
//! wake-up, never a lost one.

use crate::event::Event;
use crate::waker_list::WakerKey;
use std::task::{Context, Poll};

/// One future's registration with one [`Event`]; see the module docs.
#[derive(Debug, Default)]
pub(crate) struct AsyncListener {
    key: Option<WakerKey>,
}

impl AsyncListener {
    /// Not registered yet.
    pub(crate) const fn new() -> Self {
        Self { key: None }
    }

    /// One poll of a wait on `event` for `ready` (see the module docs).
    /// `Ready` once `ready` returns `Some`; the registration is withdrawn
    /// then, and the listener may be polled again for a new wait (a
    /// stream's next item).
    pub(crate) fn poll_until<T>(
        &mut self,
        event: &Event,
        cx: &mut Context<'_>,
        mut ready: impl FnMut() -> Option<T>,
    ) -> Poll<T> {
        if let Some(value) = ready() {
            self.finish(event);
            return Poll::Ready(value);
        }
        event.listen_async(&mut self.key, cx.waker());
        if let Some(value) = ready() {
            self.finish(event);
            return Poll::Ready(value);
        }
        Poll::Pending
    }

    /// The wait is over (the caller saw its condition): withdraws the
    /// registration, if any.
    fn finish(&mut self, event: &Event) {
        // A notify that picked this waiter was consumed by the look that
        // found the condition true.
        let _ = event.cancel_async(&mut self.key);
    }

    /// The future is dropped or gives up without having seen its
    /// condition: withdraws the registration and, if a notify had picked
    /// it, passes that wake-up on.
    pub(crate) fn abandon(&mut self, event: &Event) {
        if event.cancel_async(&mut self.key) {
            event.notify_one();
        }
    }
}
