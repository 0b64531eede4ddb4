//! Lending a parked worker's slot: the protocol that lets a thread blocked
//! in the pool (a receiver, a waiter, a submitter on a full queue) run a
//! queued job itself *as* a parked worker, so that no OS wake-up sits
//! between a job and its result, while the pool still never runs more
//! handlers at once than it has workers (the helping wait, `Builder::helping`;
//! the turn itself is in [`crate::help`]).
//!
//! A worker slot (worker id `slot + 1`, its statistics) is the right to run
//! one handler at a time. With helping on, each slot has a state word:
//!
//! ```text
//!            worker parks                  a helper borrows
//!  RUNNING ───────────────► PARKED ──────────────────────────► BORROWED
//!     ▲   ◄─────────────────  │  ▲ ◄──────────────────────────────┘  │
//!     │    worker wakes (CAS) │  └─── helper gives back (CAS) ──┘     │
//!     │                                                               │ worker wakes
//!     │                                                               ▼ (CAS)
//!     └──────────────── helper gives back: hands over ──────────── WANTED
//! ```
//!
//! * **RUNNING** — the worker thread owns its slot (it may run a job, look
//!   for one, retire). The default: a slot never lent, a new worker's slot,
//!   and every slot of a pool without helping.
//! * **PARKED** — the worker is about to sleep or sleeping on `job_ready`
//!   and runs nothing until it has taken the slot back. Only now may a
//!   helper take it. The worker stores PARKED (release: its statistics
//!   writes happen before any borrower's) after its last look for work and
//!   just before it waits.
//! * **BORROWED** — a helper took the slot with a CAS from PARKED (acquire)
//!   and runs one turn of the worker's own loop under it (take, run,
//!   deliver, finish). Two helpers cannot both win the CAS, so a slot has at
//!   most one borrower.
//! * **WANTED** — the worker woke (a job, a close, a resize, a timeout)
//!   while its slot was borrowed; it marked the slot wanted with a CAS and
//!   sleeps on [`Lending::returned`] until the borrower hands it over.
//!
//! **Waking** (worker, [`Lending::reclaim`]): CAS PARKED→RUNNING; if the
//! slot is borrowed, spin a moment (the pool's `spin_before_park`) for the
//! borrow to end, then CAS BORROWED→WANTED and wait for RUNNING. Either CAS
//! failing means the state moved under it (a borrow began or ended): it
//! looks again. So the worker runs nothing while a borrower holds its slot,
//! and runs again only after the borrower's last write to the slot's
//! statistics (acquire on RUNNING or PARKED, released by the borrower).
//!
//! **Giving back** (helper, [`Lending::give_back`]): CAS BORROWED→PARKED,
//! the worker still asleep. If that fails the worker wants the slot: store
//! RUNNING (it is the worker's again, at once, so no other helper can take
//! it first and the worker is never starved) and notify `returned`. The
//! eventcount ([`Event`]) makes that notify unmissable.
//!
//! Why the rest of the pool stays correct: retirement (resize down,
//! autoscale's idle timeout, the end of a closed pool) happens only in the
//! worker's own loop, after it reclaimed its slot, so a retired or reused
//! slot is never borrowed and a worker never retires with a job running
//! under its id; a pool joined at shutdown waits for a borrowed slot's
//! worker, which waits for the borrower, so join waits for the borrowed job
//! like any running one; `stop_now` and close act on the queue, which a
//! borrower reaches only through the worker's own take. A borrower never
//! holds a slot across a sleep of its own: it borrows only after a look
//! found a job queued, gives the slot back as soon as its one turn ends, and
//! only then parks as it would have.
//!
//! The state words are allocated only for a pool built with helping; the
//! worker's calls are then no-ops.
//!
//! loom models: `loom-tests/tests/pool_help.rs`.

use crate::backoff::BeforePark;
use crate::error::BuildError;
use crate::event::Event;
use crate::ring::filled_box;
use crate::sync::{AtomicUsize, Ordering};

/// The worker owns its slot.
const RUNNING: usize = 0;
/// The worker sleeps; the slot may be borrowed.
const PARKED: usize = 1;
/// A helper runs a turn under the slot; the worker sleeps.
const BORROWED: usize = 2;
/// A helper runs a turn under the slot; the worker woke and waits for it.
const WANTED: usize = 3;

/// The slot states of one pool; see the module docs.
pub(crate) struct Lending {
    /// One word per worker slot (none without helping). Not padded: a
    /// word is written only when its worker parks or wakes and when a
    /// helper borrows, all off the busy path, and a pool's default
    /// `max_workers` of 1 024 slots stays at 8 KiB.
    states: Box<[AtomicUsize]>,
    /// One past the highest slot that ever parked: a helper looks at
    /// `states[..high]` only (a pool's `max_workers`, 1 024 by default, is
    /// usually far above the slots in use).
    high: AtomicUsize,
    /// A wanted slot was handed back to its worker.
    returned: Event,
    /// Spin rounds of a waking worker before it asks for its slot back.
    spin_before_park: u32,
}

impl Lending {
    /// States for `slots` worker slots, or none (`slots == 0`: no helping);
    /// a waking worker spins up to `spin_before_park` rounds for a borrow
    /// to end before it asks for a hand-over.
    pub(crate) fn new(slots: usize, spin_before_park: u32) -> Result<Self, BuildError> {
        let states = filled_box(slots, || AtomicUsize::new(RUNNING)).map_err(|_| {
            BuildError::OutOfMemory {
                which: "helping slots",
                len: slots,
            }
        })?;
        Ok(Self {
            states,
            high: AtomicUsize::new(0),
            returned: Event::new(),
            spin_before_park,
        })
    }

    /// The worker in `slot` is about to sleep: its slot may be lent.
    pub(crate) fn park(&self, slot: usize) {
        if let Some(state) = self.states.get(slot) {
            if self.high.load(Ordering::Relaxed) <= slot {
                self.high.fetch_max(slot + 1, Ordering::Relaxed);
            }
            state.store(PARKED, Ordering::Release);
        }
    }

    /// The worker in `slot` woke: takes the slot back, waiting for a
    /// borrower to hand it over if it is lent.
    pub(crate) fn reclaim(&self, slot: usize) {
        let Some(state) = self.states.get(slot) else {
            return;
        };
        loop {
            match state.compare_exchange(PARKED, RUNNING, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return,
                Err(BORROWED) => {}
                // A give-back raced with the failed CAS: look again.
                Err(_) => continue,
            }
            // A turn is often one tiny job: spin a moment (read-only looks)
            // for the plain give-back before asking for a hand-over, which
            // would cost the borrower a wake-up on its way back.
            let mut before_park = BeforePark::new(self.spin_before_park);
            while before_park.snooze() && state.load(Ordering::Relaxed) == BORROWED {}
            if state.load(Ordering::Relaxed) != BORROWED {
                continue;
            }
            if state
                .compare_exchange(BORROWED, WANTED, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                let handed = || (state.load(Ordering::Acquire) == RUNNING).then_some(());
                // No deadline: a borrower's turn is one job.
                let _ = self.returned.wait_until(None, handed);
                return;
            }
        }
    }

    /// Borrows a parked worker's slot, if any: its index. The caller runs
    /// one turn under it and then calls [`give_back`](Self::give_back).
    /// A slot that parked after the look at `high` may be missed: helping
    /// is a chance taken, never owed (its worker wakes for the job anyway).
    pub(crate) fn borrow(&self) -> Option<usize> {
        let high = self.high.load(Ordering::Relaxed).min(self.states.len());
        self.states[..high].iter().position(|state| {
            state.load(Ordering::Relaxed) == PARKED
                && state
                    .compare_exchange(PARKED, BORROWED, Ordering::AcqRel, Ordering::Relaxed)
                    .is_ok()
        })
    }

    /// Ends a borrow of `slot`: parked again, or handed to its worker if
    /// it woke meanwhile.
    pub(crate) fn give_back(&self, slot: usize) {
        let state = &self.states[slot];
        if state
            .compare_exchange(BORROWED, PARKED, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            // WANTED: only the borrower changes it, so a store is enough.
            state.store(RUNNING, Ordering::Release);
            self.returned.notify_all();
        }
    }
}
