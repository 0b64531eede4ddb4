//! The helping wait: a thread about to block in the pool (`Results::recv`,
//! `recv_timeout`, `recv_many`, `Pool::wait`, `wait_timeout`, a blocking
//! `submit` on a full queue) that finds jobs queued and a worker parked runs
//! one turn of that worker's loop itself, under the worker's identity,
//! instead of sleeping while the worker is woken by the OS. Go's scheduler
//! does the same for a channel's receiver. Opt-in: `Builder::helping`.
//!
//! A turn ([`help`]):
//!
//! 1. look: helping is on, the caller is not inside this pool's handler,
//!    a job is queued, no worker is surplus (a resize down wants fewer
//!    handlers, not a helper);
//! 2. borrow a parked worker's slot ([`Lending::borrow`](crate::lend::Lending::borrow), the protocol in
//!    [`crate::lend`]); none parked: no turn (every worker is awake and
//!    will find the job);
//! 3. mark the thread as inside the pool's handler (the thread-local of
//!    [`crate::crew`]), so a call from the handler back into the pool gets
//!    the same answers as on a worker (`WouldDeadlock`, a submit that does
//!    not wait for room) and never helps again;
//! 4. run the worker's own turn ([`worker::turn`]: its `take`, so every
//!    rule of taking a job holds for helpers too; `run`, which catches a
//!    handler's panic; the delivery and the books);
//! 5. restore the mark and give the slot back, also if anything in 4
//!    unwinds (a guard's Drop).
//!
//! The caller then looks for what it waits for again, and parks only if a
//! turn did not happen. So a helper holds a slot for one turn (one job, or
//! a batch with `take_batch`) and never across a sleep of its own; the
//! handler count never exceeds the workers, since each running handler
//! holds a distinct slot.

use crate::control::worth_a_look;
use crate::crew::swap_worker_mark;
use crate::shared::Shared;
use crate::sync::deadline_passed;
use crate::worker;
use std::time::Instant;

/// Runs one turn of a parked worker's loop on the calling thread, if
/// helping is on, a job is queued and a worker is parked (module docs).
/// Returns whether a job ran.
pub(crate) fn help<J, R, E>(shared: &Shared<J, R, E>) -> bool {
    if !shared.settings.helping
        // Nothing to take (no level has a job, or takes are paused).
        || !worth_a_look(&shared.control, &shared.jobs)
        || shared.crew.surplus()
        || shared.inside_handler()
    {
        return false;
    }
    let Some(slot) = shared.lending.borrow() else {
        return false;
    };
    let _borrowed = Borrowed {
        shared,
        slot,
        mark: swap_worker_mark(shared.address()),
    };
    worker::turn(shared, slot)
}

/// As [`help`], unless `deadline` has passed.
pub(crate) fn help_until<J, R, E>(shared: &Shared<J, R, E>, deadline: Option<Instant>) -> bool {
    deadline.is_none_or(|deadline| !deadline_passed(deadline)) && help(shared)
}

/// A borrowed slot and the thread's mark before the borrow: both put back
/// on drop, also when the turn unwinds.
struct Borrowed<'a, J, R, E> {
    shared: &'a Shared<J, R, E>,
    slot: usize,
    mark: usize,
}

impl<J, R, E> Drop for Borrowed<'_, J, R, E> {
    fn drop(&mut self) {
        swap_worker_mark(self.mark);
        self.shared.lending.give_back(self.slot);
    }
}
