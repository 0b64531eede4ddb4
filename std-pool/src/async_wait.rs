//! [`Pool::wait_async`]: Go's `WaitGroup.Wait` from async code, and its
//! future, [`WaitFuture`].
//!
//! The future takes its batch (the jobs in flight) when it is made, as
//! [`Pool::wait`] does when called, and each poll looks at the books with
//! the same `poll` (which may close the counter's current phase, so jobs
//! accepted later do not hold it up), waiting between polls on the pool's
//! `idle` event through an [`AsyncListener`].

use crate::async_listen::AsyncListener;
use crate::error::WaitError;
use crate::pool::Pool;
use ringpool_core::PhasedBatch;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

impl<J, R, E> Pool<J, R, E> {
    /// Waits, without blocking the executor's thread, until every job
    /// accepted before this call has finished (as [`wait`](Self::wait));
    /// does not close the pool. Jobs accepted while it waits do not hold it
    /// up. The batch is taken when this is called, not when the future is
    /// first polled.
    ///
    /// # Errors
    ///
    /// [`WaitError::WouldDeadlock`] from inside the pool's own handler.
    ///
    /// # Cancel safety
    ///
    /// Waiting changes nothing but the counter's phase (as
    /// [`wait`](Self::wait) does): dropping the future is always safe, and
    /// a wake-up meant for it is passed on to the next waiter.
    ///
    /// # Examples
    ///
    /// ```
    /// use ringpool::Pool;
    ///
    /// let pool = Pool::builder()
    ///     .workers(2)
    ///     .queue_capacity(4)
    ///     .discard_results()
    ///     .build(|_, job: u64| {
    ///         std::hint::black_box((0..job).sum::<u64>());
    ///     })
    ///     .unwrap();
    /// pollster::block_on(async {
    ///     for job in 0..16 {
    ///         pool.submit_async(job * 1000).await.unwrap();
    ///     }
    ///     pool.wait_async().await.unwrap();
    /// });
    /// assert_eq!(pool.pending(), 0);
    /// assert_eq!(pool.metrics().succeeded, 16);
    /// ```
    pub fn wait_async(&self) -> WaitFuture<'_, J, R, E> {
        WaitFuture {
            pool: self,
            batch: self.shared.ledger.batch(),
            listener: AsyncListener::new(),
        }
    }
}

/// The future of [`Pool::wait_async`]: resolves once every job accepted
/// before it was made has finished.
#[must_use = "futures do nothing unless polled"]
pub struct WaitFuture<'a, J, R, E> {
    pool: &'a Pool<J, R, E>,
    batch: PhasedBatch,
    listener: AsyncListener,
}

impl<J, R, E> Future for WaitFuture<'_, J, R, E> {
    type Output = Result<(), WaitError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let shared = &*this.pool.shared;
        if shared.inside_handler() {
            return Poll::Ready(Err(WaitError::WouldDeadlock));
        }
        let batch = this.batch;
        this.listener.poll_until(&shared.idle, cx, || {
            shared.ledger.poll(batch).then_some(Ok(()))
        })
    }
}

impl<J, R, E> Drop for WaitFuture<'_, J, R, E> {
    fn drop(&mut self) {
        self.listener.abandon(&self.pool.shared.idle);
    }
}

impl<J, R, E> std::fmt::Debug for WaitFuture<'_, J, R, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WaitFuture").finish_non_exhaustive()
    }
}
