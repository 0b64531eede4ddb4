//! A worker pool without threads or an allocator: the Go pattern (submit
//! jobs, workers run them, results come back, wait for completion) for a
//! microcontroller, where the "workers" are whatever contexts call
//! [`Pool::run_one`] / [`Pool::run_pending`]: the main loop, a low-priority
//! interrupt handler, an RTOS task, a second core.
//!
//! ```text
//!  submit (any context) ─► JOBS ring ─► run_one(worker) ─► handler ─► RESULTS ring ─► recv
//!           │                              │ reserves a result slot first    │
//!           └── Ledger: admit ─────────────┴── finish (after the result) ────┘
//! ```
//!
//! [`Pool<J, R, JOBS, RESULTS>`](Pool) holds everything inline: a
//! [`Ring`](crate::Ring) of `JOBS` queued jobs, a ring of `RESULTS`
//! results, a count of free result slots, and a [`Ledger`] (the books shared
//! with the std pool: a [`CompletionCounter`](crate::CompletionCounter), job
//! ids, accepted and refused counts). `const fn new` builds it in a
//! `static`; the handler is a plain `fn(JobContext, J) -> R`.
//!
//! # Algorithm
//!
//! * **submit** (`try_submit`, or `submit` with a bounded number of retries):
//!   if closed, refuse. Otherwise [`Ledger::admit`] (count the job in
//!   flight, draw its id), push `(id, job)` into the job ring. On `Full` or
//!   `Closed` the admission is undone ([`Ledger::withdraw`]) and the job
//!   handed back in [`SubmitError`].
//! * **run_one(worker)**: (1) reserve a result slot: decrement `room` if it
//!   is above zero (a CAS loop), else return [`RunError::ResultsFull`]
//!   without touching the job queue; (2) pop a job; none: give the
//!   reservation back and return [`RunError::Empty`] or
//!   [`RunError::Closed`]; (3) run the handler with a [`JobContext`];
//!   (4) push the result into the result ring, which cannot be full (below);
//!   (5) [`Ledger::finish`].
//! * **recv**: pop a result, then give its slot back to `room` (after the
//!   pop has returned, so the slot is back in the ring's free list). If there
//!   is none: the stream has ended when the pool is closed, read first, and
//!   the books are idle, read second, and a last look at the result ring
//!   still finds nothing; otherwise it is merely empty.
//! * **close**: closes the job ring (Go's `close`): later submits are
//!   refused, queued jobs still run, then `run_one` reports `Closed`.
//!
//! # Where a result goes when the result ring is full
//!
//! Nowhere, because a job is never taken unless its result has a reserved
//! slot: step (1) before step (2). Invariant (every step keeps it):
//! `room + reservations + results queued or held by a recv in flight =
//! RESULTS`. A run holding a reservation therefore finds, at its push, at
//! least one slot that is neither queued nor held (the ring's `Full` needs
//! every slot queued or held by an operation in flight, and every other
//! operation in flight holds its own reservation or has not yet returned
//! its slot's count), so the push succeeds at its first try. So the rule
//! that loses nothing is *backpressure at the worker*: with no room for
//! results, workers take no jobs, jobs stay queued, and submitters see
//! `Full`. Nothing is ever dropped, and no worker ever holds a finished
//! result it cannot deliver. A pool built with [`Pool::discarding`] keeps no
//! results and reserves nothing.
//!
//! # Exactly once
//!
//! * A job enters the job ring at most once (a refused push hands it back);
//!   the ring hands each queued item to exactly one pop; from that pop until
//!   its result is pushed the job lives only in the locals of the context
//!   that popped it. A context preempted anywhere (by an interrupt, by the
//!   other core) still owns its job when it resumes, and nobody else can
//!   see it: no job is lost or run twice. The result push cannot fail (see
//!   above), so the result is delivered exactly once.
//! * `finish` comes after the result push: a waiter whose batch reads
//!   finished, or a receiver that sees the stream end, finds every result
//!   of those jobs already in the ring.
//! * An accepted job keeps the books non-idle from before its push until
//!   after its result is queued, and a push after close fails; so "closed,
//!   then idle, then no result" means no result can ever appear again.
//!
//! # Progress
//!
//! Every call is lock-free: the rings are SCQ (lock-free), the ledger and
//! the reservation count are single compare-and-swap loops that fail only
//! when another call succeeded, and the result push succeeds at its first
//! try. No call waits for another context: a context stalled inside any
//! call (an interrupted main loop, a halted core) holds at most one job and
//! one result reservation, and never stops the others. Such a stall can
//! make others see `ResultsFull` only if at least `RESULTS` reservations
//! are held by stalled runs: give `RESULTS` more slots than contexts that
//! run jobs. The handler itself is the caller's code: it runs in the
//! calling context, and a `no_std` panic in it goes to the panic handler
//! (there is no unwinding to catch on a microcontroller).
//!
//! Waiting is a bounded check ([`Pool::is_finished`]) plus
//! [`Pool::spin_wait`], which retries it a bounded number of times with a
//! [`spin::relax::RelaxStrategy`] between tries (the `spin` crate's `Spin`
//! by default; any other with [`Pool::spin_wait_with`]). A context waiting
//! on jobs that only it can run never finishes: the main loop waits with
//! `run_pending` in its loop, not `spin_wait` alone.
//!
//! [`Pool::drain_into`] moves queued results into a fixed-capacity
//! `heapless::Vec`, the no-allocation collection for "receive a batch of
//! results". The queues themselves are [`Ring`](crate::Ring)s, not
//! `heapless` queues, because the rings are lock-free with many producers
//! and consumers, which heapless' queues are not.

mod error;
mod fixed;
mod ledger;

pub use error::{RecvError, RunError, SubmitError};
pub use fixed::{JobResult, Pool, RunReport};
pub use ledger::{Admission, Admissions, JobContext, JobId, Ledger};
