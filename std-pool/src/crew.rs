//! The crew: the pool's worker threads as a group. It owns the worker
//! slots (which are taken, the threads that ran in them), the live and
//! target counts, each slot's statistics, and the protocols that change
//! them: spawn, retire, join, and autoscale growth. It knows nothing of
//! jobs: what a worker thread runs is the body its caller hands to
//! [`Crew::spawn`] (the pool's worker loop, in `worker`).
//!
//! **Counts.** `live` is the number of workers that have not retired; it
//! changes only under the slots lock (spawn adds one, a retirement takes
//! one), so a decision made under the lock sees it exact. `target` is the
//! number wanted: a worker whose look finds `live > target` retires (under
//! the lock, re-checked there), so a resize down retires exactly the
//! surplus, each worker between two jobs. `running` counts threads that
//! have not left their body yet; [`Crew::join`] waits for it to reach zero
//! (on the `exited` event) and then joins them.

use crate::error::BuildError;
use crate::event::Event;
use crate::metrics::WorkerStats;
use crate::ring::filled_box;
use crate::sync::thread::{Builder, JoinHandle, usize_thread_local};
use crate::sync::{AtomicBool, AtomicUsize, Mutex, MutexGuard, Ordering, lock};
use std::sync::OnceLock;
use std::time::Instant;

/// Which worker slots are taken, and the threads that ran in them.
#[derive(Debug)]
pub(crate) struct Slots {
    /// One entry per slot (`max_workers`); `Some` while a thread that used
    /// the slot has not been joined.
    threads: Box<[Option<JoinHandle<()>>]>,
    /// Slots whose worker is alive (has not retired).
    in_use: Box<[bool]>,
}

/// The pool's workers; see the module docs.
pub(crate) struct Crew {
    slots: Mutex<Slots>,
    /// Workers alive (not retired); changed only under `slots`.
    live: AtomicUsize,
    /// Workers wanted; a worker retires while `live > target`.
    target: AtomicUsize,
    /// Worker threads that have not left their body yet.
    running: AtomicUsize,
    /// A worker thread left its body.
    exited: Event,
    /// Set when a shutdown timed out and detached the workers: Drop then
    /// does not wait for them again.
    detached: AtomicBool,
    /// Each slot's statistics, made when the slot is first used.
    stats: Box<[OnceLock<Box<WorkerStats>>]>,
    thread_name: String,
}

impl Crew {
    /// A crew of up to `max` workers (none started) that wants `target`.
    pub(crate) fn new(max: usize, target: usize, thread_name: String) -> Result<Self, BuildError> {
        // Sized by the caller: allocated fallibly, so a size this machine
        // cannot hold is an error, not an abort.
        let out_of_memory = |_| BuildError::OutOfMemory {
            which: "workers",
            len: max,
        };
        let threads = filled_box(max, || None).map_err(out_of_memory)?;
        let in_use = filled_box(max, || false).map_err(out_of_memory)?;
        let stats = filled_box(max, OnceLock::new).map_err(out_of_memory)?;
        Ok(Self {
            slots: Mutex::new(Slots { threads, in_use }),
            live: AtomicUsize::new(0),
            target: AtomicUsize::new(target),
            running: AtomicUsize::new(0),
            exited: Event::new(),
            detached: AtomicBool::new(false),
            stats,
            thread_name,
        })
    }

    /// Locks the slots: spawning and retiring happen under this lock.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Slots> {
        lock(&self.slots)
    }

    /// Starts a worker thread running `body(slot)` in a free slot. The
    /// caller holds the slots lock (`slots`). `body` must end with
    /// [`left`](Self::left).
    pub(crate) fn spawn(
        &self,
        slots: &mut Slots,
        body: impl FnOnce(usize) + Send + 'static,
    ) -> Result<(), BuildError> {
        let Some(slot) = slots.in_use.iter().position(|used| !used) else {
            return Err(BuildError::TooManyWorkers {
                requested: slots.in_use.len() + 1,
                max: slots.in_use.len(),
            });
        };
        // The slot's previous thread (if any) has left its loop; reap it.
        if let Some(old) = slots.threads[slot].take() {
            let _ = old.join();
        }
        self.stats(slot);
        self.running.fetch_add(1, Ordering::AcqRel);
        // `Builder::spawn` panics on a name with a NUL byte (the builder
        // refuses those first) and on some platform failures: a panic here
        // becomes an error, with the thread count put back.
        let spawned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            Builder::new()
                .name(format!("{}-{}", self.thread_name, slot + 1))
                .spawn(move || body(slot))
        }))
        .unwrap_or_else(|_| {
            Err(std::io::Error::other(
                "std::thread::Builder::spawn panicked",
            ))
        });
        match spawned {
            Ok(handle) => {
                slots.threads[slot] = Some(handle);
                slots.in_use[slot] = true;
                self.live.fetch_add(1, Ordering::AcqRel);
                Ok(())
            }
            Err(e) => {
                self.running.fetch_sub(1, Ordering::AcqRel);
                Err(BuildError::Spawn(e.to_string()))
            }
        }
    }

    /// Sets the number of workers wanted to `workers` and starts workers
    /// (each running `body()`) until that many are live; the surplus, if
    /// any, retires on its own (the caller wakes idle workers).
    pub(crate) fn resize<B>(
        &self,
        workers: usize,
        mut body: impl FnMut() -> B,
    ) -> Result<(), BuildError>
    where
        B: FnOnce(usize) + Send + 'static,
    {
        let mut slots = self.lock();
        self.target.store(workers, Ordering::Release);
        while self.live.load(Ordering::Acquire) < workers {
            self.spawn(&mut slots, body())?;
        }
        Ok(())
    }

    /// Autoscale growth: one more worker (running `body`) if fewer than
    /// `max` are live, wanted from now on.
    pub(crate) fn grow(&self, max: usize, body: impl FnOnce(usize) + Send + 'static) {
        if self.live.load(Ordering::Acquire) >= max {
            return;
        }
        let mut slots = self.lock();
        let live = self.live.load(Ordering::Acquire);
        if live < max && self.spawn(&mut slots, body).is_ok() {
            self.target.store(live + 1, Ordering::Release);
        }
    }

    /// Whether more workers are alive than wanted (a cheap look).
    pub(crate) fn surplus(&self) -> bool {
        self.live.load(Ordering::Acquire) > self.target.load(Ordering::Acquire)
    }

    /// Retires the worker in `slot` if `should(live, target)` holds under
    /// the lock. A retirement that leaves `target` at or above `live` (an
    /// idle retirement: autoscale, or the end of the pool) lowers `target`
    /// with it.
    pub(crate) fn retire(&self, slot: usize, should: impl Fn(usize, usize) -> bool) -> bool {
        let mut slots = self.lock();
        let live = self.live.load(Ordering::Acquire);
        let target = self.target.load(Ordering::Acquire);
        if !should(live, target) {
            return false;
        }
        self.live.store(live - 1, Ordering::Release);
        if target >= live {
            // An idle retirement: the pool now wants one fewer.
            self.target.store(live - 1, Ordering::Release);
        }
        slots.in_use[slot] = false;
        true
    }

    /// The last step of a worker thread's body.
    pub(crate) fn left(&self) {
        self.running.fetch_sub(1, Ordering::AcqRel);
        self.exited.notify_all();
    }

    /// Waits (until `deadline`) for every worker thread to leave its body,
    /// then joins them all. Returns `false` on timeout.
    pub(crate) fn join(&self, deadline: Option<Instant>) -> bool {
        let exited = || (self.running.load(Ordering::Acquire) == 0).then_some(());
        if self.exited.wait_until(deadline, exited).is_none() {
            return false;
        }
        let mut slots = self.lock();
        for thread in slots.threads.iter_mut().filter_map(Option::take) {
            let _ = thread.join();
        }
        true
    }

    /// Gives up on joining: the workers finish on their own.
    pub(crate) fn detach(&self) {
        self.detached.store(true, Ordering::Release);
    }

    /// Whether [`detach`](Self::detach) happened.
    pub(crate) fn is_detached(&self) -> bool {
        self.detached.load(Ordering::Acquire)
    }

    /// Workers alive (not retired).
    pub(crate) fn live(&self) -> usize {
        self.live.load(Ordering::Acquire)
    }

    /// The statistics of `slot`.
    pub(crate) fn stats(&self, slot: usize) -> &WorkerStats {
        self.stats[slot].get_or_init(|| Box::new(WorkerStats::new()))
    }

    /// The statistics of every slot used so far.
    pub(crate) fn all_stats(&self) -> impl Iterator<Item = &WorkerStats> {
        self.stats.iter().filter_map(|s| s.get().map(|b| &**b))
    }
}

usize_thread_local! {
    /// The address of the pool state this thread works for, or 0: set once
    /// when a worker thread starts (no per-job cost). A worker thread runs
    /// only its pool's loop and handler, so a call into a pool from a thread
    /// marked with that pool is a call from its own handler.
    static WORKER_OF;
}

/// Marks the calling thread as a worker of the pool whose state is at
/// `pool` (an address).
pub(crate) fn mark_worker_of(pool: usize) {
    WORKER_OF.with(|cell| cell.set(pool));
}

/// Marks the calling thread as a worker of the pool whose state is at
/// `pool` (0: of none) and returns its previous mark: a helper wears a
/// pool's mark for one turn and then puts its own back.
pub(crate) fn swap_worker_mark(pool: usize) -> usize {
    WORKER_OF.with(|cell| cell.replace(pool))
}

/// Whether the calling thread is a worker of the pool whose state is at
/// `pool`.
pub(crate) fn is_worker_of(pool: usize) -> bool {
    WORKER_OF.with(std::cell::Cell::get) == pool
}
