//! Worker threads: the loop that takes jobs, the spin-then-park idle wait,
//! and the rules for starting and retiring workers.
//!
//! A worker looks for a job through a short spin-then-yield phase
//! ([`BeforePark`](crate::backoff::BeforePark), `spin_before_park` rounds),
//! then parks on the `job_ready` [`Event`](crate::event::Event)
//! using its listen / re-check / wait protocol, so an idle pool uses no CPU
//! and no submitted job is left waiting for a sleeping worker.
//!
//! Retiring happens only between jobs: a worker whose slot is surplus
//! (`live > target`) leaves after finishing its current job, so scaling
//! down never loses or repeats a job. `live`, `target` and the slot table
//! change together under the `workers` mutex.

use crate::backoff::BeforePark;
use crate::error::BuildError;
use crate::shared::{Envelope, Shared};
use ringpool_core::PopError;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

/// What a worker does next.
enum Next<J> {
    Run(Envelope<J>),
    Exit,
}

/// Starts a worker in a free slot. The caller holds the `workers` lock and
/// has checked that `live < max_workers`.
pub(crate) fn spawn<J, R, E>(
    shared: &Arc<Shared<J, R, E>>,
    set: &mut crate::shared::WorkerSet,
) -> Result<(), BuildError>
where
    J: Send + 'static,
    R: Send + 'static,
    E: Send + 'static,
{
    let Some(slot) = set.in_use.iter().position(|used| !used) else {
        return Err(BuildError::TooManyWorkers {
            requested: shared.settings.max_workers + 1,
            max: shared.settings.max_workers,
        });
    };
    // The slot's previous thread (if any) has left its loop; reap it.
    if let Some(old) = set.threads[slot].take() {
        let _ = old.join();
    }
    shared.stats(slot);
    let worker_shared = Arc::clone(shared);
    shared.running_threads.fetch_add(1, Ordering::AcqRel);
    // `Builder::spawn` panics on a name with a NUL byte (the builder
    // refuses those first) and on some platform failures: a panic here
    // becomes an error, with the thread count put back.
    let spawned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        std::thread::Builder::new()
            .name(format!("{}-{}", shared.settings.thread_name, slot + 1))
            .spawn(move || work(&worker_shared, slot))
    }))
    .unwrap_or_else(|_| {
        Err(std::io::Error::other(
            "std::thread::Builder::spawn panicked",
        ))
    });
    match spawned {
        Ok(handle) => {
            set.threads[slot] = Some(handle);
            set.in_use[slot] = true;
            shared.live.fetch_add(1, Ordering::AcqRel);
            Ok(())
        }
        Err(e) => {
            shared.running_threads.fetch_sub(1, Ordering::AcqRel);
            Err(BuildError::Spawn(e.to_string()))
        }
    }
}

thread_local! {
    /// The address of the `Shared` of the pool this thread works for, or 0:
    /// set once when a worker thread starts (no per-job cost). A worker
    /// thread runs only its pool's loop and handler, so a call into a pool
    /// from a thread marked with that pool is a call from its own handler.
    static WORKER_OF: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Whether the calling thread is one of `shared`'s workers: a pool call
/// made there comes from inside the pool's own handler.
pub(crate) fn inside_handler_of<J, R, E>(shared: &Shared<J, R, E>) -> bool {
    WORKER_OF.get() == std::ptr::from_ref(shared).addr()
}

/// The worker thread's body.
fn work<J, R, E>(shared: &Shared<J, R, E>, slot: usize) {
    WORKER_OF.set(std::ptr::from_ref(shared).addr());
    while let Next::Run(envelope) = next_job(shared, slot) {
        // A queue slot is free now: wake a blocked submitter.
        shared.slot_free.notify_one();
        shared.run(slot, envelope);
    }
    shared.running_threads.fetch_sub(1, Ordering::AcqRel);
    shared.worker_exit.notify_all();
}

/// Finds the next job, or decides to exit.
fn next_job<J, R, E>(shared: &Shared<J, R, E>, slot: usize) -> Next<J> {
    let mut before_park = BeforePark::new(shared.settings.spin_before_park);
    loop {
        if surplus(shared) && retire(shared, slot, |live, target| live > target) {
            return Next::Exit;
        }
        match shared.jobs.pop() {
            Ok(envelope) => return Next::Run(envelope),
            Err(PopError::Closed) => return exit_closed(shared, slot),
            Err(PopError::Empty) => {}
        }
        // Spin with read-only looks: an empty pop is several read-modify-
        // writes on the lines submitters write (benches/notes), a look at
        // the ring's length only two loads. The last look before parking
        // below is a real pop.
        while before_park.snooze() {
            if !shared.jobs.is_empty() || shared.jobs.is_closed() || surplus(shared) {
                break;
            }
        }
        if !before_park.exhausted() {
            continue;
        }
        // Park: announce, look again, then sleep.
        let listener = shared.job_ready.listen();
        if surplus(shared) {
            shared.job_ready.cancel(listener);
            continue;
        }
        match shared.jobs.pop() {
            Ok(envelope) => {
                shared.job_ready.cancel(listener);
                return Next::Run(envelope);
            }
            Err(PopError::Closed) => {
                shared.job_ready.cancel(listener);
                return exit_closed(shared, slot);
            }
            Err(PopError::Empty) => {}
        }
        // Only a surplus worker needs a deadline: at `min_workers` the pool
        // parks for good, so an idle pool uses no CPU. An idle timeout past
        // the end of the clock means no deadline (never retire for being
        // idle), never an overflow.
        let deadline = shared
            .settings
            .autoscale
            .filter(|a| shared.live.load(Ordering::Acquire) > a.min_workers)
            .and_then(|a| Instant::now().checked_add(a.idle_timeout));
        let woken = shared.job_ready.wait(listener, deadline);
        if !woken
            && let Some(autoscale) = shared.settings.autoscale
            && retire(shared, slot, |live, _| live > autoscale.min_workers)
        {
            return Next::Exit;
        }
        before_park = BeforePark::new(shared.settings.spin_before_park);
    }
}

/// Whether more workers are alive than wanted (a cheap look).
fn surplus<J, R, E>(shared: &Shared<J, R, E>) -> bool {
    shared.live.load(Ordering::Acquire) > shared.target.load(Ordering::Acquire)
}

/// Retires this worker if `should(live, target)` holds under the lock.
fn retire<J, R, E>(
    shared: &Shared<J, R, E>,
    slot: usize,
    should: impl Fn(usize, usize) -> bool,
) -> bool {
    let mut set = crate::pool::lock(&shared.workers);
    let live = shared.live.load(Ordering::Acquire);
    let target = shared.target.load(Ordering::Acquire);
    if !should(live, target) {
        return false;
    }
    shared.live.store(live - 1, Ordering::Release);
    if target >= live {
        // An idle retirement (autoscale): the pool now wants one fewer.
        shared.target.store(live - 1, Ordering::Release);
    }
    set.in_use[slot] = false;
    true
}

/// The queue is closed and drained: leave, freeing the slot.
fn exit_closed<J, R, E>(shared: &Shared<J, R, E>, slot: usize) -> Next<J> {
    retire(shared, slot, |_, _| true);
    Next::Exit
}
