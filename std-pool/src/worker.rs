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
//! **Batches** (opt-in, `Builder::take_batch`). A worker that finds the
//! queue deep takes its share of it, up to [`MAX_TAKE`] jobs with one ring operation, runs them in order,
//! publishes their results together and finishes them in the books with
//! one counter step per counter phase (see [`crate::take`]).
//!
//! [`Event`]: crate::event::Event
//! [`MAX_TAKE`]: crate::take::MAX_TAKE

use crate::backoff::BeforePark;
use crate::cancel::Running;
use crate::clock::between;
use crate::control::{expired, pop_next, worth_a_look};
use crate::crew::Slots;
use crate::error::{BuildError, JobError};
use crate::job::{Envelope, JobContext, JobResult, drop_quietly, panic_message};
use crate::metrics::Ending;
use crate::shared::Shared;
use crate::take::{Taken, share};
use ringpool_core::{PopError, Ticket};
use std::sync::Arc;
use std::time::Instant;

/// What a worker does next.
#[derive(PartialEq, Eq)]
enum Next {
    /// Run the jobs just taken.
    Run,
    Exit,
}

/// The body of a new worker thread for `shared`'s pool, to hand to the
/// crew's spawn.
///
/// The crew spawns `'static` bodies only. A scoped pool's `J`, `R` and
/// `E` may borrow for `'a` (see [`scope`](fn@crate::scope)), so the body
/// is boxed and its lifetime erased here, the one place where worker bodies
/// are made: every pool (scoped or not) starts all its workers, at build,
/// on resize and on autoscale growth, through this function.
pub(crate) fn body<'a, J, R, E>(
    shared: &Arc<Shared<J, R, E>>,
) -> impl FnOnce(usize) + Send + 'static
where
    J: Send + 'a,
    R: Send + 'a,
    E: Send + 'a,
{
    let shared = Arc::clone(shared);
    let body: Box<dyn FnOnce(usize) + Send + 'a> = Box::new(move |slot| work(&shared, slot));
    // SAFETY: only the lifetime changes (same type, same layout). The body
    // reaches data borrowed for 'a (jobs, results, errors), so the thread
    // running it must end before 'a does. For a 'static pool there is
    // nothing to uphold. A pool whose J, R or E is not 'static is made only
    // by `scope::scope_fallible` (`Builder::build*` and `Pool::new` require
    // 'static; `Pool::start` is crate-private), which owns the pool in its
    // own frame, lends the caller only `&ScopedPool`, and before it returns,
    // panic or not, joins every thread the crew ever spawned for the pool
    // (`Crew::join(None)`: no deadline), those started later by resize and
    // autoscale included. The pool cannot be detached instead: the
    // shutdowns that detach take it by value, and a scope builds it with no
    // Drop deadline (see the docs of `scope()`, "Soundness").
    unsafe {
        std::mem::transmute::<Box<dyn FnOnce(usize) + Send + 'a>, Box<dyn FnOnce(usize) + Send>>(
            body,
        )
    }
}

/// Starts one worker in a free slot (the caller holds the crew's lock).
pub(crate) fn start<J, R, E>(
    shared: &Arc<Shared<J, R, E>>,
    slots: &mut Slots,
) -> Result<(), BuildError>
where
    J: Send,
    R: Send,
    E: Send,
{
    shared.crew.spawn(slots, body(shared))
}

/// The worker thread's body.
fn work<J, R, E>(shared: &Shared<J, R, E>, slot: usize) {
    shared.mark_worker();
    let mut jobs = Taken::new();
    let mut results = Taken::new();
    while next_job(shared, slot, &mut jobs) == Next::Run {
        // Queue slots are free now: wake blocked submitters.
        if jobs.len() == 1 {
            shared.slot_free.notify_one();
        } else {
            shared.slot_free.notify_all();
        }
        run_batch(shared, slot, &mut jobs, &mut results);
    }
    shared.crew.left();
}

/// One turn of the worker loop in `slot` without the waiting: takes the
/// next jobs if any are queued (the same [`take`] as the worker), frees
/// their queue slots, runs, delivers and finishes them. Returns whether a
/// job ran. A helper runs this under a borrowed slot ([`crate::help`]).
pub(crate) fn turn<J, R, E>(shared: &Shared<J, R, E>, slot: usize) -> bool {
    let mut jobs = Taken::new();
    if take(shared, slot, &mut jobs).is_err() {
        return false;
    }
    if jobs.len() == 1 {
        shared.slot_free.notify_one();
    } else {
        shared.slot_free.notify_all();
    }
    run_batch(shared, slot, &mut jobs, &mut Taken::new());
    true
}

/// Runs the jobs taken, in order, publishes their results together, then
/// finishes them in the books, one counter step per run of jobs counted in
/// the same phase (after the delivery: the ledger's rule 3).
// Inlined into the worker loop as when it had one caller (callgrind: a
// call here costs the loop ~26 instructions per job; `turn` is the other).
#[inline(always)]
fn run_batch<J, R, E>(
    shared: &Shared<J, R, E>,
    slot: usize,
    jobs: &mut Taken<Envelope<J>>,
    results: &mut Taken<JobResult<R, E>>,
) {
    if jobs.len() == 1 {
        // The common case (always, without `take_batch`): no lists.
        for envelope in jobs.drain() {
            let ticket = envelope.ticket;
            let result = run(shared, slot, envelope);
            shared.results.deliver(result);
            shared.job_over(ticket);
        }
        return;
    }
    let mut tickets = Taken::new();
    for envelope in jobs.drain() {
        // Both lists hold as many as `jobs` did: never full here.
        let _ = tickets.push(envelope.ticket);
        let _ = results.push(run(shared, slot, envelope));
    }
    shared.results.deliver_many(results);
    let mut run_of: Option<(Ticket, usize)> = None;
    for ticket in tickets.drain() {
        run_of = match run_of {
            Some((same, n)) if same == ticket => Some((same, n + 1)),
            Some((other, n)) => {
                shared.jobs_over(other, n);
                Some((ticket, 1))
            }
            None => Some((ticket, 1)),
        };
    }
    if let Some((ticket, n)) = run_of {
        shared.jobs_over(ticket, n);
    }
}

/// Runs one job in worker slot `slot` and returns its outcome.
fn run<J, R, E>(shared: &Shared<J, R, E>, slot: usize, envelope: Envelope<J>) -> JobResult<R, E> {
    let stats = shared.crew.stats(slot);
    let started_at = shared.clock.now();
    let queue_wait = between(envelope.submitted_at, started_at);
    if expired(&envelope) {
        // Not run: the job is kept for `take_expired`, the result says so.
        shared.control.hand_back_expired(envelope.id, envelope.job);
        return JobResult {
            job_id: envelope.id,
            worker_id: slot + 1,
            outcome: Err(JobError::Expired),
            queue_wait: queue_wait.unwrap_or_default(),
            run_time: std::time::Duration::ZERO,
        };
    }
    stats.started(queue_wait);
    let context = JobContext {
        worker_id: slot + 1,
        job_id: envelope.id,
    };
    let handler = &shared.handler;
    // A cancellable pool: the job's running word, for `cancel` and
    // `JobContext::is_cancelled`, until the handler returns.
    let _running = shared
        .control
        .running(slot)
        .map(|word| Running::enter(word, envelope.id));
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
    JobResult {
        job_id: envelope.id,
        worker_id: slot + 1,
        outcome,
        queue_wait: queue_wait.unwrap_or_default(),
        run_time: run_time.unwrap_or_default(),
    }
}

/// Takes this worker's share of the queue into `jobs` (see
/// [`crate::take`]): one job with a plain pop, more with one batch pop.
fn take<J, R, E>(
    shared: &Shared<J, R, E>,
    slot: usize,
    jobs: &mut Taken<Envelope<J>>,
) -> Result<(), PopError> {
    let limit = shared.settings.take_batch;
    // Paused or with levels: one job at a time, by `crate::control`'s rules.
    let batched = limit > 1 && shared.control.plain() && !shared.control.is_paused();
    let want = if batched {
        share(shared.jobs.len(), shared.crew.live()).min(limit)
    } else {
        1
    };
    if want == 1 {
        let envelope = pop_next(&shared.control, &shared.jobs, slot, &shared.slot_free)?;
        // `jobs` is empty between batches.
        let _ = jobs.push(envelope);
        return Ok(());
    }
    shared.jobs.pop_batch(want, |envelope| {
        // At most `want <= MAX_TAKE` items into an empty list: all fit.
        let _ = jobs.push(envelope);
    })?;
    Ok(())
}

/// Takes the next jobs into `jobs`, or decides to exit.
fn next_job<J, R, E>(shared: &Shared<J, R, E>, slot: usize, jobs: &mut Taken<Envelope<J>>) -> Next {
    let crew = &shared.crew;
    let mut before_park = BeforePark::new(shared.settings.spin_before_park);
    loop {
        if crew.surplus() && crew.retire(slot, |live, target| live > target) {
            return Next::Exit;
        }
        match take(shared, slot, jobs) {
            Ok(()) => return Next::Run,
            Err(PopError::Closed) => return exit_closed(shared, slot),
            Err(PopError::Empty) => {}
        }
        // Spin with read-only looks: an empty pop is several read-modify-
        // writes on the lines submitters write (benches/notes), a look at
        // the ring's length only two loads. The last look before parking
        // below is a real pop.
        while before_park.snooze() {
            if worth_a_look(&shared.control, &shared.jobs) || crew.surplus() {
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
        match pop_next(&shared.control, &shared.jobs, slot, &shared.slot_free) {
            Ok(envelope) => {
                shared.job_ready.cancel(listener);
                // `jobs` is empty between batches.
                let _ = jobs.push(envelope);
                return Next::Run;
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
        // With helping, the slot may be lent while the worker sleeps; it
        // runs nothing before it has the slot back (`crate::lend`).
        shared.lending.park(slot);
        let woken = shared.job_ready.wait(listener, deadline);
        shared.lending.reclaim(slot);
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
fn exit_closed<J, R, E>(shared: &Shared<J, R, E>, slot: usize) -> Next {
    shared.crew.retire(slot, |_, _| true);
    Next::Exit
}
