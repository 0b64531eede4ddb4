//! Receiving results from async code: [`Results::recv_async`] (its future,
//! [`RecvFuture`]) and [`ResultStream`], a receiver that is a
//! `futures_core::Stream` with the `stream` cargo feature.
//!
//! Both wait on the result path's `ready` event through an
//! [`AsyncListener`]: a worker that delivers a result wakes one waiter,
//! thread or task; the stream's end (closed, every accepted job finished)
//! and close wake them all. A result is taken from the ring only inside a
//! poll that returns it, so dropping a future or a stream between polls
//! never loses one.

use crate::async_listen::AsyncListener;
use crate::error::RecvError;
use crate::job::JobResult;
use crate::receiver::Results;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

impl<J, R, E> Results<J, R, E> {
    /// The next result, from async code: the future waits, without blocking
    /// the executor's thread, and resolves to `Some(result)`, or to `None`
    /// once the stream has ended (the pool is closed, every accepted job
    /// finished and every result was received), as [`recv`](Self::recv).
    ///
    /// From inside the pool's own handler it never waits: the next result
    /// if one is ready, else `None` (as [`recv`](Self::recv)).
    ///
    /// # Cancel safety
    ///
    /// A result is taken only by the poll that returns it: dropping the
    /// future before it resolved loses nothing (the next receive gets that
    /// result), and a wake-up meant for it is passed on to the next waiter.
    ///
    /// # Examples
    ///
    /// ```
    /// use ringpool::Pool;
    ///
    /// let pool = Pool::new(2, 8, |_, job: u32| job + 1).unwrap();
    /// let results = pool.results().unwrap();
    /// pollster::block_on(async {
    ///     pool.submit_async(41).await.unwrap();
    ///     assert_eq!(results.recv_async().await.unwrap().outcome, Ok(42));
    ///     pool.close();
    ///     assert!(results.recv_async().await.is_none()); // ended
    /// });
    /// ```
    pub fn recv_async(&self) -> RecvFuture<'_, J, R, E> {
        RecvFuture {
            results: self,
            listener: AsyncListener::new(),
        }
    }

    /// Turns this receiver into a [`ResultStream`]: the same results, as an
    /// async stream (a `futures_core::Stream` with the `stream` feature).
    pub fn into_stream(self) -> ResultStream<J, R, E> {
        ResultStream {
            results: self,
            listener: AsyncListener::new(),
        }
    }

    /// One poll of a receive: `Some` once a result is ready, `None` once
    /// the stream has ended.
    fn poll_recv_with(
        &self,
        listener: &mut AsyncListener,
        cx: &mut Context<'_>,
    ) -> Poll<Option<JobResult<R, E>>> {
        let shared = &*self.shared;
        let look = || match self.try_recv() {
            Ok(result) => Some(Some(result)),
            Err(RecvError::Empty) => None,
            Err(_) => Some(None),
        };
        if shared.inside_handler() {
            // Never wait inside the handler (see `recv`).
            return Poll::Ready(look().flatten());
        }
        listener.poll_until(shared.results.ready(), cx, look)
    }
}

/// The future of [`Results::recv_async`]: the next result, or `None` once
/// the stream has ended. Dropping it loses no result.
#[must_use = "futures do nothing unless polled"]
pub struct RecvFuture<'a, J, R, E> {
    results: &'a Results<J, R, E>,
    listener: AsyncListener,
}

impl<J, R, E> Future for RecvFuture<'_, J, R, E> {
    type Output = Option<JobResult<R, E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        this.results.poll_recv_with(&mut this.listener, cx)
    }
}

impl<J, R, E> Drop for RecvFuture<'_, J, R, E> {
    fn drop(&mut self) {
        self.listener.abandon(self.results.shared.results.ready());
    }
}

impl<J, R, E> std::fmt::Debug for RecvFuture<'_, J, R, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecvFuture").finish_non_exhaustive()
    }
}

/// A result receiver as an async stream: each poll of
/// [`poll_recv`](Self::poll_recv) (or, with the `stream` cargo feature,
/// `futures_core::Stream::poll_next`) yields the next result, and `None`
/// once the stream has ended. Made by [`Results::into_stream`]; many
/// streams and receivers may share one pool, each result going to exactly
/// one. It keeps its place among the waiters from poll to poll, so a
/// stream that is drained steadily allocates nothing per result.
///
/// ```
/// use ringpool::Pool;
/// use std::future::poll_fn;
///
/// let pool = Pool::new(2, 8, |_, job: u32| job * 3).unwrap();
/// let mut stream = pool.results().unwrap().into_stream();
/// for job in 1..=4 {
///     pool.submit(job).unwrap();
/// }
/// pool.close();
/// let sum = pollster::block_on(async {
///     let mut sum = 0;
///     while let Some(result) = poll_fn(|cx| stream.poll_recv(cx)).await {
///         sum += result.outcome.unwrap();
///     }
///     sum
/// });
/// assert_eq!(sum, 30);
/// ```
///
/// With the `stream` feature, the same through any `Stream` combinator
/// crate (`futures::StreamExt::next`, `tokio_stream::StreamExt::next`).
pub struct ResultStream<J, R, E> {
    results: Results<J, R, E>,
    listener: AsyncListener,
}

impl<J, R, E> ResultStream<J, R, E> {
    /// Polls for the next result: `Ready(Some(result))`, `Ready(None)` once
    /// the stream has ended, or `Pending` (the task is woken when a result
    /// comes or the stream ends). From inside the pool's own handler it
    /// never returns `Pending` (as [`Results::recv`]).
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<JobResult<R, E>>> {
        self.results.poll_recv_with(&mut self.listener, cx)
    }

    /// The receiver back (a wait in progress is withdrawn; no result is
    /// lost).
    pub fn into_inner(mut self) -> Results<J, R, E> {
        self.listener.abandon(self.results.shared.results.ready());
        // `Drop` would abandon again: harmless, but move out instead.
        let results = self.results.clone();
        drop(self);
        results
    }
}

impl<J, R, E> Drop for ResultStream<J, R, E> {
    fn drop(&mut self) {
        self.listener.abandon(self.results.shared.results.ready());
    }
}

#[cfg(feature = "stream")]
impl<J, R, E> futures_core::Stream for ResultStream<J, R, E> {
    type Item = JobResult<R, E>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_recv(cx)
    }
}

impl<J, R, E> std::fmt::Debug for ResultStream<J, R, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResultStream").finish_non_exhaustive()
    }
}
