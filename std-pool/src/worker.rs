//! One worker thread's life: take jobs from the queue, run the handler,
//! deliver the result, finish the job in the books; park when idle;
//! retire when the crew has a surplus or the pool is closed and drained.
//!
//! **Wake-up.** An idle worker spins a moment with read-only looks, then
//! parks on `job_ready` by the eventcount protocol ([`Event`]): listen,
//! look again (surplus? a job? closed?), and only then wait. A submit
//! notifies after its push, close and resize notify all, so a job or a
//! close is never missed by a sleeping worker.
//!
//! **Retirement.** A surplus (`live > target`, after a resize down) is
//! looked for before each pop, so a worker retires between jobs, never
//! holding one. With autoscale, a worker above `min_workers` parks with a
//! deadline of `idle_timeout` and retires if it runs out unwoken.
//!
//! [`Event`]: crate::event::Event

use crate::backoff::BeforePark;
use crate::clock::between;
use crate::crew::Slots;
use crate::error::{BuildError, JobError};
use crate::job::{Envelope, JobContext, JobResult, drop_quietly, panic_message};
use crate::metrics::Ending;
use crate::shared::Shared;
use ringpool_core::PopError;
use std::sync::Arc;
use std::time::Instant;

/// What a worker does next.
enum Next<J> {
    Run(Envelope<J>),
    Exit,
}

/// The body of a new worker thread for `shared`'s pool, to hand to the
/// crew's spawn.
pub(crate) fn body<J, R, E>(shared: &Arc<Shared<J, R, E>>) -> impl FnOnce(usize) + Send + 'static
where
    J: Send + 'static,
    R: Send + 'static,
    E: Send + 'static,
{
    let shared = Arc::clone(shared);
    move |slot| work(&shared, slot)
}

/// Starts one worker in a free slot (the caller holds the crew's lock).
pub(crate) fn start<J, R, E>(
    shared: &Arc<Shared<J, R, E>>,
    slots: &mut Slots,
) -> Result<(), BuildError>
where
    J: Send + 'static,
    R: Send + 'static,
    E: Send + 'static,
{
    shared.crew.spawn(slots, body(shared))
}

/// The worker thread's body.
fn work<J, R, E>(shared: &Shared<J, R, E>, slot: usize) {
    shared.mark_worker();
    while let Next::Run(envelope) = next_job(shared, slot) {
        // A queue slot is free now: wake a blocked submitter.
        shared.slot_free.notify_one();
        run(shared, slot, envelope);
    }
    shared.crew.left();
}

/// Runs one job in worker slot `slot`, delivers its outcome, and finishes
/// it in the books (after the delivery: the ledger's rule 3).
fn run<J, R, E>(shared: &Shared<J, R, E>, slot: usize, envelope: Envelope<J>) {
    let stats = shared.crew.stats(slot);
    let started_at = shared.clock.now();
    let queue_wait = between(envelope.submitted_at, started_at);
    stats.started(queue_wait);
    let context = JobContext {
        worker_id: slot + 1,
        job_id: envelope.id,
    };
    let handler = &shared.handler;
    let job = envelope.job;
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler(context, job)));
    let run_time = between(started_at, shared.clock.now());
    let (outcome, ending) = match outcome {
        Ok(Ok(value)) => (Ok(value), Ending::Succeeded),
        Ok(Err(error)) => (Err(JobError::Failed(error)), Ending::Failed),
        Err(payload) => {
            let message = panic_message(payload.as_ref());
            // The payload is user code's: its Drop may panic too.
            drop_quietly(payload);
            (Err(JobError::Panicked(message)), Ending::Panicked)
        }
    };
    stats.finished(run_time, ending);
    shared.results.deliver(JobResult {
        job_id: envelope.id,
        worker_id: slot + 1,
        outcome,
        queue_wait: queue_wait.unwrap_or_default(),
        run_time: run_time.unwrap_or_default(),
    });
    shared.job_over(envelope.ticket);
}

/// Finds the next job, or decides to exit.
fn next_job<J, R, E>(shared: &Shared<J, R, E>, slot: usize) -> Next<J> {
    let crew = &shared.crew;
    let mut before_park = BeforePark::new(shared.settings.spin_before_park);
    loop {
        if crew.surplus() && crew.retire(slot, |live, target| live > target) {
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
            if !shared.jobs.is_empty() || shared.jobs.is_closed() || crew.surplus() {
                break;
            }
        }
        if !before_park.exhausted() {
            continue;
        }
        // Park: announce, look again, then sleep.
        let listener = shared.job_ready.listen();
        if crew.surplus() {
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
            .filter(|a| crew.live() > a.min_workers)
            .and_then(|a| Instant::now().checked_add(a.idle_timeout));
        let woken = shared.job_ready.wait(listener, deadline);
        if !woken
            && let Some(autoscale) = shared.settings.autoscale
            && crew.retire(slot, |live, _| live > autoscale.min_workers)
        {
            return Next::Exit;
        }
        before_park = BeforePark::new(shared.settings.spin_before_park);
    }
}

/// The queue is closed and drained: leave, freeing the slot.
fn exit_closed<J, R, E>(shared: &Shared<J, R, E>, slot: usize) -> Next<J> {
    shared.crew.retire(slot, |_, _| true);
    Next::Exit
}
