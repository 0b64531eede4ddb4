//! Scoped pools: [`scope`] and [`scope_fallible`] run a pool whose jobs,
//! results and handler may borrow from the caller's stack, as
//! [`std::thread::scope`] does for threads. Every worker is joined before
//! the call returns, whatever happens inside.
//!
//! The rules, the soundness argument and compile-fail examples are in the
//! docs of [`scope`](fn@scope), where users read them; the two places where
//! lifetimes are erased are `lend` below and the private `worker::body`.

use crate::builder::Builder;
use crate::error::BuildError;
use crate::job::{Handler, JobContext, JobResult, drop_quietly};
use crate::pool::Pool;
use crate::receiver::Results;
use std::convert::Infallible;
use std::marker::PhantomData;
use std::ops::Deref;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::time::Duration;

/// Runs `f` with a pool whose jobs, results and `handler` may borrow from
/// the caller's stack; every worker is joined before it returns.
///
/// `builder` sets the pool up as for [`Builder::build`] (its
/// `drop_timeout` aside: a scope never gives up on its workers). When `f`
/// returns, the pool is closed, every accepted job runs, the workers are
/// joined, and `f`'s value is returned.
///
/// ```
/// use std::sync::Mutex;
///
/// let data: Vec<u64> = (1..=1000).collect();
/// let largest = Mutex::new(0u64); // the handler writes here
/// let sum = ringpool::scope(
///     ringpool::Pool::builder().workers(2).queue_capacity(4),
///     |_, chunk: &[u64]| {
///         let max = chunk.iter().copied().max().unwrap_or(0);
///         let mut largest = largest.lock().unwrap();
///         *largest = (*largest).max(max);
///         chunk.iter().sum::<u64>()
///     },
///     |pool| {
///         let results = pool.results().unwrap();
///         std::thread::scope(|s| {
///             let drainer = s.spawn(|| results.map(|r| r.outcome.unwrap()).sum::<u64>());
///             for chunk in data.chunks(100) {
///                 pool.submit(chunk).unwrap(); // a job borrowing `data`
///             }
///             pool.close();
///             drainer.join().unwrap()
///         })
///     },
/// )
/// .unwrap();
/// assert_eq!(sum, 500_500);
/// assert_eq!(largest.into_inner().unwrap(), 1000);
/// ```
///
/// # Shape
///
/// The settings are the ordinary [`Builder`]; the handler is given apart,
/// because it may borrow; the closure gets a `&`[`ScopedPool`], which
/// dereferences to [`Pool`], so every method of a pool (submit, the batch
/// submits, wait, close, stop-now, resize, metrics, ...) is the pool's own
/// code, not a copy. Only [`ScopedPool::results`] differs: it returns a
/// [`ScopedResults`], a [`Results`] tied to the scope. `shutdown` and
/// `shutdown_timeout` take a pool by value, so they cannot be called on the
/// borrowed handle: the scope ends the pool itself. The builder's
/// `drop_timeout` does not apply: a scope never gives up on its workers.
///
/// When the closure returns, the scope closes the pool (resuming it if
/// the closure left it paused), lets every job accepted so far run (as `std::thread::scope` waits for its threads),
/// joins every worker thread, drops the pool with any results nobody
/// received, drops the handler, and returns the closure's value. When the
/// closure panics, the scope does the same except that jobs not yet started
/// are dropped unrun ([`Pool::stop_now`]); then the panic continues from
/// the [`scope`] call. A handler's panic is, as in any pool, that job's
/// [`JobError::Panicked`](crate::JobError::Panicked). Like
/// `std::thread::scope`, a scope cannot return while a job runs: a job that
/// never ends keeps the scope waiting.
///
/// Inside the scope the handler cannot reach its own pool (it is made before
/// the pool), and a job's type is fixed before the closure runs, so jobs
/// cannot carry the pool either: jobs do not submit jobs here (with
/// [`Pool`] they may).
///
/// # Soundness
///
/// The pool's threads are ordinary threads; what makes borrowing sound is
/// that they never outlive `'env` (whatever the jobs, results and handler
/// borrow) and that nothing borrowed is touched after the scope returns.
///
/// * **Lifetimes are erased in two places, nowhere else.** A worker's body
///   (the private `worker::body`, which every spawn of every pool goes
///   through: at build, on `resize` and on autoscale growth) is boxed and
///   its `'env` erased to `'static`, as `std::thread::Builder::spawn_unchecked`
///   does; and the handler is lent to the pool as a boxed shim around a raw
///   pointer to the handler, which stays in the scope's frame. Both rely on
///   the join below. A pool with a non-`'static` job, result or error type
///   can only be made here: [`Builder::build`], [`Builder::build_fallible`]
///   and [`Pool::new`] still require `'static`.
/// * **Every worker is joined before the scope returns.** The pool lives in
///   the scope's frame; the closure only borrows it. After the closure (its
///   panic caught), the scope closes the pool and joins, with no deadline,
///   every thread the crew ever spawned for it, those started later by
///   `resize` or autoscale included: they are all in the crew's slots, and
///   no spawn can race the join, because nobody else can reach the pool
///   then (the closure has returned; the handler and the jobs cannot hold
///   it, see above). The only ways a pool stops waiting for its workers are
///   `shutdown_timeout` (by value: unreachable through `&`) and Drop's
///   `drop_timeout` (a scope builds with none), so detaching cannot happen.
///   The same holds when building fails half-way: the workers already
///   started are joined before the error returns.
/// * **Nothing escapes the scope with a borrow.** The closure gets
///   `&'scope ScopedPool<'scope, ..>` for a `'scope` it cannot name
///   (`for<'scope>`), invariant, so neither the handle nor a
///   [`ScopedResults`] (same `'scope`) can be returned, stored outside, or
///   moved into a `'static` thread: the examples below do not compile. Job,
///   result and error types keep their own lifetimes everywhere, so the
///   type checker bounds what carries them.
/// * **`mem::forget` cannot skip the join.** The closure owns nothing whose
///   forgetting matters: the pool and the handler belong to the scope's
///   frame, which joins and drops them itself. Forgetting a
///   [`ScopedResults`] only leaks the pool's shared state (and the results
///   in it), which is safe; the join does not depend on it.
/// * **Jobs and the handler are dropped inside the scope.** After the join
///   the queue is closed and empty: every accepted job ran (or, after a
///   panic, was handed back by stop-now and dropped here), and no job can be
///   queued or taken any more. The handler is dropped by the scope after the
///   join. What may outlive the scope is the pool's shared state, kept by a
///   [`Results`] taken through `Pool::results(&pool)` (the unscoped method,
///   reachable through the dereference): it holds no job, the results in it
///   are of types whose lifetimes the checker tracks, and its copy of the
///   handler is the shim, whose pointer is used only to run a job (none can
///   be taken again) and whose drop touches nothing. So that receiver is
///   sound too (`tests/scope.rs` reads one after its scope under miri); the
///   scope's own [`ScopedPool::results`] is the one to use.
///
/// The handler needs only `Sync` (not `Send`): the workers share it by
/// reference and the scope's own thread drops it.
///
/// ```compile_fail,E0597
/// // A job may not borrow a local of the closure: it could be queued (or
/// // running) after that local dies.
/// ringpool::scope(ringpool::Pool::builder(), |_, job: &[u8]| job.len(), |pool| {
///     let local = vec![1u8, 2, 3];
///     pool.submit(&local[..]).unwrap();
/// })
/// .unwrap();
/// ```
///
/// ```compile_fail,E0521
/// // The handle cannot leave the scope: stored outside, ...
/// let mut outside = None;
/// ringpool::scope(ringpool::Pool::builder(), |_, job: u32| job, |pool| {
///     outside = Some(pool);
/// })
/// .unwrap();
/// ```
///
/// ```compile_fail
/// // ... or returned (error: lifetime may not live long enough).
/// let pool = ringpool::scope(ringpool::Pool::builder(), |_, job: u32| job, |pool| pool).unwrap();
/// ```
///
/// ```compile_fail
/// // Nor can its receiver, though the result type is 'static (error:
/// // lifetime may not live long enough) ...
/// let results = ringpool::scope(ringpool::Pool::builder(), |_, job: u32| job, |pool| {
///     pool.results().unwrap()
/// })
/// .unwrap();
/// ```
///
/// ```compile_fail,E0521
/// // ... nor go to a thread that may outlive the scope.
/// ringpool::scope(ringpool::Pool::builder(), |_, job: u32| job, |pool| {
///     let results = pool.results().unwrap();
///     std::thread::spawn(move || results.count());
/// })
/// .unwrap();
/// ```
///
/// ```compile_fail,E0521
/// // Not even to a thread of a `std::thread::scope` around the call: that
/// // thread may run after this scope has ended.
/// std::thread::scope(|s| {
///     ringpool::scope(ringpool::Pool::builder(), |_, job: u32| job, |pool| {
///         s.spawn(move || pool.submit(1));
///     })
///     .unwrap();
/// });
/// ```
///
/// ```compile_fail,E0502
/// // The handler's borrow lasts the whole call: the closure cannot change
/// // what the handler reads.
/// let mut table = vec![10u32, 20, 30];
/// ringpool::scope(ringpool::Pool::builder(), |_, i: usize| table[i], |pool| {
///     table.push(40);
///     pool.submit(3).unwrap();
/// })
/// .unwrap();
/// ```
///
/// ```compile_fail,E0507
/// // The scope ends the pool; the closure cannot shut it down (and so
/// // cannot detach its workers).
/// ringpool::scope(ringpool::Pool::builder(), |_, job: u32| job, |pool| {
///     pool.shutdown();
/// })
/// .unwrap();
/// ```
///
///
/// # Errors
///
/// The [`BuildError`] of [`Builder::build`]; `f` then does not run.
///
/// # Panics
///
/// If `f` panics, the jobs not yet started are dropped, running jobs
/// finish, every worker is joined, and the panic then continues from here.
/// A panic in user `Drop` code run by the scope's end (the handler's, or
/// that of results nobody received) also comes out of here, after the join.
///
/// # Examples
///
/// ```
/// let words = ["scoped", "pools", "borrow"];
/// let lengths = ringpool::scope(
///     ringpool::Pool::builder().workers(2),
///     |_, word: &str| word.len(), // a job borrowing `words`
///     |pool| {
///         for word in words {
///             pool.submit(word).unwrap();
///         }
///         pool.wait().unwrap();
///         pool.metrics().succeeded
///     },
/// )
/// .unwrap();
/// assert_eq!(lengths, 3);
/// ```
pub fn scope<J, R, H, F, T>(builder: Builder, handler: H, f: F) -> Result<T, BuildError>
where
    J: Send,
    R: Send,
    H: Fn(JobContext, J) -> R + Sync,
    F: for<'scope> FnOnce(&'scope ScopedPool<'scope, J, R, Infallible>) -> T,
{
    scope_fallible(builder, move |ctx, job| Ok(handler(ctx, job)), f)
}

/// As [`scope`], for a handler that returns `Result<R, E>` (see
/// [`Builder::build_fallible`]).
///
/// # Errors
///
/// As [`scope`].
///
/// # Panics
///
/// As [`scope`].
///
/// # Examples
///
/// ```
/// use ringpool::JobError;
///
/// let inputs = ["1", "x", "3"];
/// let mut parsed: Vec<_> = ringpool::scope_fallible(
///     ringpool::Pool::builder().workers(2),
///     |_, text: &str| text.parse::<i32>().map_err(|_| text), // the error borrows too
///     |pool| {
///         let results = pool.results().unwrap();
///         for text in inputs {
///             pool.submit(text).unwrap();
///         }
///         pool.close();
///         results.map(|r| r.outcome).collect()
///     },
/// )
/// .unwrap();
/// parsed.sort_by_key(|outcome| format!("{outcome:?}"));
/// assert_eq!(parsed, [Err(JobError::Failed("x")), Ok(1), Ok(3)]);
/// ```
pub fn scope_fallible<J, R, E, H, F, T>(builder: Builder, handler: H, f: F) -> Result<T, BuildError>
where
    J: Send,
    R: Send,
    E: Send,
    H: Fn(JobContext, J) -> Result<R, E> + Sync,
    F: for<'scope> FnOnce(&'scope ScopedPool<'scope, J, R, E>) -> T,
{
    // No Drop deadline: the pool must never detach its workers (a
    // `Duration::MAX` past the end of the clock means none).
    let settings = builder.drop_timeout(Duration::MAX).validate()?;
    // `handler` stays here, unmoved, until every worker is joined.
    // SAFETY: `handler` is neither moved nor dropped until after
    // `ScopedPool::end` below has joined every worker (a failed start joins
    // its workers in the pool's Drop, before `start` returns); the queue is
    // then closed and empty, so no job can be taken and the shim is never
    // called again.
    let lent = unsafe { lend(&handler) };
    let scoped = ScopedPool {
        pool: Pool::start(settings, lent)?,
        scope: PhantomData,
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| f(&scoped)));
    scoped.end(outcome.is_err());
    // `scoped` (the pool: its results not received) and then `handler` are
    // dropped on the way out, in that order, on either path.
    match outcome {
        Ok(value) => Ok(value),
        Err(payload) => resume_unwind(payload),
    }
}

/// A pool inside [`scope`]: dereferences to [`Pool`], whose methods it
/// offers unchanged, but for [`results`](Self::results). `'scope` is the
/// scope's lifetime: the handle and its receivers cannot outlive it.
///
/// ```
/// let seen = std::sync::atomic::AtomicU32::new(0);
/// ringpool::scope(
///     ringpool::Pool::builder().workers(1).max_workers(3),
///     |_, n: u32| seen.fetch_add(n, std::sync::atomic::Ordering::Relaxed),
///     |pool| {
///         pool.resize(3).unwrap(); // workers started later are joined too
///         let mut jobs = 1..=4;
///         pool.submit_many(&mut jobs).unwrap();
///         pool.wait().unwrap();
///         assert_eq!(pool.metrics().succeeded, 4);
///     },
/// )
/// .unwrap();
/// assert_eq!(seen.into_inner(), 10);
/// ```
pub struct ScopedPool<'scope, J, R = (), E = Infallible> {
    pool: Pool<J, R, E>,
    /// Invariant in `'scope`, as `std::thread::Scope` is.
    scope: PhantomData<&'scope mut &'scope ()>,
}

impl<'scope, J, R, E> ScopedPool<'scope, J, R, E>
where
    J: Send,
    R: Send,
    E: Send,
{
    /// A receiver for the results, tied to the scope, or `None` if the
    /// builder said [`discard_results`](Builder::discard_results). As
    /// [`Pool::results`] otherwise: receivers may be many, cloned, and
    /// shared with threads of a [`std::thread::scope`] inside the closure.
    ///
    /// ```
    /// let squares = ringpool::scope(
    ///     ringpool::Pool::builder().workers(2),
    ///     |_, n: u64| n * n,
    ///     |pool| {
    ///         let results = pool.results().unwrap();
    ///         for n in 1..=4 {
    ///             pool.submit(n).unwrap();
    ///         }
    ///         pool.close();
    ///         results.map(|r| r.outcome.unwrap()).sum::<u64>()
    ///     },
    /// )
    /// .unwrap();
    /// assert_eq!(squares, 30);
    /// ```
    pub fn results(&self) -> Option<ScopedResults<'scope, J, R, E>> {
        self.pool.results().map(|results| ScopedResults {
            results,
            scope: PhantomData,
        })
    }

    /// The end of the scope: close (or, after a panic, stop-now, dropping
    /// the unstarted jobs here), then join every worker thread the pool
    /// ever started, with no deadline.
    fn end(&self, panicked: bool) {
        if panicked {
            // A job's Drop is user code: its panic must not skip the join.
            drop_quietly(self.pool.stop_now());
        }
        // Closes (again, after a stop-now: harmless) and resumes a pool the
        // closure left paused, as shutdown does.
        self.pool.shared.close_to_end();
        // Workers leave once the queue is closed and drained.
        self.pool.shared.crew.join(None);
    }
}

impl<J, R, E> Deref for ScopedPool<'_, J, R, E> {
    type Target = Pool<J, R, E>;

    fn deref(&self) -> &Pool<J, R, E> {
        &self.pool
    }
}

impl<J, R, E> std::fmt::Debug for ScopedPool<'_, J, R, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ScopedPool").field(&self.pool).finish()
    }
}

/// A [`Results`] receiver tied to a [`scope`]: from
/// [`ScopedPool::results`]. Dereferences to [`Results`] (`recv`,
/// `try_recv`, `recv_timeout`, `recv_many`) and iterates, by value or by
/// reference, as it does.
///
/// ```
/// use ringpool::RecvError;
///
/// ringpool::scope(
///     ringpool::Pool::builder().workers(1),
///     |_, n: u32| n + 1,
///     |pool| {
///         let results = pool.results().unwrap();
///         let other = results.clone(); // each result goes to one of them
///         pool.submit(1).unwrap();
///         assert_eq!(results.recv().unwrap().outcome, Ok(2));
///         pool.close();
///         assert_eq!(other.try_recv().unwrap_err(), RecvError::Closed);
///     },
/// )
/// .unwrap();
/// ```
pub struct ScopedResults<'scope, J, R, E> {
    results: Results<J, R, E>,
    /// Invariant in `'scope`, as [`ScopedPool`].
    scope: PhantomData<&'scope mut &'scope ()>,
}

impl<J, R, E> Deref for ScopedResults<'_, J, R, E> {
    type Target = Results<J, R, E>;

    fn deref(&self) -> &Results<J, R, E> {
        &self.results
    }
}

impl<J, R, E> Iterator for ScopedResults<'_, J, R, E> {
    type Item = JobResult<R, E>;

    fn next(&mut self) -> Option<Self::Item> {
        self.results.recv()
    }
}

impl<J, R, E> Iterator for &ScopedResults<'_, J, R, E> {
    type Item = JobResult<R, E>;

    fn next(&mut self) -> Option<Self::Item> {
        self.results.recv()
    }
}

impl<J, R, E> Clone for ScopedResults<'_, J, R, E> {
    fn clone(&self) -> Self {
        Self {
            results: self.results.clone(),
            scope: PhantomData,
        }
    }
}

impl<J, R, E> std::fmt::Debug for ScopedResults<'_, J, R, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScopedResults").finish_non_exhaustive()
    }
}

/// A pointer to the scope's handler, shared by the workers.
struct HandlerAt<H>(*const H);

// SAFETY: the workers only call `&H` through it, from several threads at
// once: exactly what `H: Sync` allows. `H` itself never moves between
// threads (the scope's thread drops it).
unsafe impl<H: Sync> Send for HandlerAt<H> {}
// SAFETY: as for `Send`: shared use is `&H`, which `H: Sync` allows.
unsafe impl<H: Sync> Sync for HandlerAt<H> {}

impl<H> HandlerAt<H> {
    /// The handler.
    ///
    /// # Safety
    ///
    /// The handler pointed to must still be alive, unmoved (see [`lend`]).
    unsafe fn get(&self) -> &H {
        // SAFETY: the caller's promise.
        unsafe { &*self.0 }
    }
}

/// The pool's handler for a scope: a `'static` box holding only a pointer
/// to `handler`, which the scope keeps.
///
/// # Safety
///
/// `handler` must stay alive, unmoved, until no thread can call the
/// returned handler again: every thread that could run a job of the pool
/// has ended, or the pool's queue is closed and empty for good.
unsafe fn lend<'a, J, R, E, H>(handler: &'a H) -> Handler<J, R, E>
where
    J: 'a,
    R: 'a,
    E: 'a,
    H: Fn(JobContext, J) -> Result<R, E> + Sync,
{
    let at = HandlerAt(std::ptr::from_ref(handler));
    let shim: Box<dyn Fn(JobContext, J) -> Result<R, E> + Send + Sync + 'a> =
        Box::new(move |ctx, job| {
            // SAFETY: a job runs only while the handler is alive (this
            // function's contract).
            let handler = unsafe { at.get() };
            handler(ctx, job)
        });
    // SAFETY: only the lifetime changes (same type, same layout). The box
    // holds a raw pointer and nothing else: dropping it at any time touches
    // nothing borrowed, and calling it is covered by this function's
    // contract.
    unsafe {
        std::mem::transmute::<
            Box<dyn Fn(JobContext, J) -> Result<R, E> + Send + Sync + 'a>,
            Handler<J, R, E>,
        >(shim)
    }
}
