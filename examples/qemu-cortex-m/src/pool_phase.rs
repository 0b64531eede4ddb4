//! Phase C: `ringpool_core::pool::Pool` run the way a firmware runs it.
//!
//! * **Submitters**: the SysTick handler (jobs `0, 2, 4, …`, up to
//!   [`TICK_SUBMITS`] per tick) and the main loop (jobs `1, 3, 5, …`, one per
//!   turn). A job the pool hands back (`Full`) is kept and offered again
//!   next time: nothing is dropped or submitted twice.
//! * **Workers**: the main loop (worker [`MAIN_WORKER`], one `run_one` per
//!   turn) and a lower-priority interrupt, [`WORKER_IRQ`], that SysTick
//!   pends on every tick (worker [`IRQ_WORKER`], `run_pending` with a budget
//!   of [`IRQ_BUDGET`]). SysTick preempts both; the worker interrupt
//!   preempts the main loop, including in the middle of its `run_one`.
//! * **Receiver**: the main loop, which drains results into a
//!   `heapless::Vec` only every [`DRAIN_EVERY`] turns, so the result ring
//!   fills and runs see `ResultsFull` (no job taken, nothing lost).
//!
//! Once both submitters are done the main loop closes the pool, keeps
//! running and receiving until `recv` reports `Ended`, and checks: every
//! job's result received exactly once (a bitmap) with the right value, the
//! books (accepted, pending, idle), `Closed` and `Ended` final, both workers
//! ran jobs, and that the preemptions the phase is about really happened
//! (counted, with minimums).

use core::sync::atomic::{AtomicBool, AtomicU32, Ordering::Relaxed};

use cortex_m::peripheral::NVIC;
use cortex_m::peripheral::scb::SystemHandler;
use cortex_m_semihosting::hprintln;
use ringpool_core::pool::{JobContext, JobResult, Pool, RecvError, RunError, SubmitError};

use crate::{DONE, bump, fail, work};

/// Jobs each submitter (SysTick, main loop) submits.
pub const PER_SUBMITTER: u32 = 15_000;
/// Worker id of the main loop.
pub const MAIN_WORKER: usize = 1;
/// Worker id of the worker interrupt.
pub const IRQ_WORKER: usize = 2;
/// Jobs SysTick offers per tick, at most.
const TICK_SUBMITS: u32 = 2;
/// Jobs the worker interrupt runs per activation, at most.
const IRQ_BUDGET: usize = 3;
/// Main-loop turns between two drains of the result ring.
const DRAIN_EVERY: u32 = 16;
/// Least count of each kind of preemption the phase must show.
const MIN_PREEMPTIONS: u32 = 100;

/// A job: its number in; its number and its work out.
type Outcome = (u32, u32);

fn run_job(_: JobContext, job: u32) -> Outcome {
    (job, work(job))
}

/// The pool: 16 queued jobs, 16 undelivered results.
pub static POOL: Pool<u32, Outcome, 16, 16> = Pool::new(run_job);

/// The interrupt the pool's second worker runs in: IRQ 1 (GPIO port B on
/// the LM3S6965, whose pins nothing drives here), pended by SysTick.
#[derive(Clone, Copy)]
pub struct WorkerIrq;

/// IRQ number of [`WorkerIrq`].
pub const WORKER_IRQ: u16 = 1;

// SAFETY: `number` returns a valid IRQ number of this device (the LM3S6965
// has 64 interrupt lines in QEMU's model), always the same.
unsafe impl cortex_m::interrupt::InterruptNumber for WorkerIrq {
    fn number(self) -> u16 {
        WORKER_IRQ
    }
}

/// Jobs SysTick has submitted (its next job is `2 * TICK_NEXT`).
static TICK_NEXT: AtomicU32 = AtomicU32::new(0);
/// The main loop is inside `run_one` (set around the call).
static MAIN_IN_RUN: AtomicBool = AtomicBool::new(false);
/// The worker interrupt is inside `run_pending`.
static IRQ_IN_RUN: AtomicBool = AtomicBool::new(false);

/// Counts of what happened (written by one context each).
struct Counts {
    tick_full: AtomicU32,
    main_full: AtomicU32,
    results_full: AtomicU32,
    /// Worker-interrupt runs that ran a job while the main loop's `run_one`
    /// was suspended under them.
    irq_over_main_run: AtomicU32,
    /// Ticks that submitted while the worker interrupt was inside
    /// `run_pending`.
    tick_over_irq_run: AtomicU32,
    /// Ticks that submitted while the main loop was inside `run_one`.
    tick_over_main_run: AtomicU32,
    by_main: AtomicU32,
    by_irq: AtomicU32,
}

static COUNTS: Counts = Counts {
    tick_full: AtomicU32::new(0),
    main_full: AtomicU32::new(0),
    results_full: AtomicU32::new(0),
    irq_over_main_run: AtomicU32::new(0),
    tick_over_irq_run: AtomicU32::new(0),
    tick_over_main_run: AtomicU32::new(0),
    by_main: AtomicU32::new(0),
    by_irq: AtomicU32::new(0),
};

/// SysTick's share: offer up to [`TICK_SUBMITS`] jobs, then pend the
/// worker interrupt.
pub fn tick() {
    let mut submitted = false;
    for _ in 0..TICK_SUBMITS {
        let next = TICK_NEXT.load(Relaxed);
        if next == PER_SUBMITTER {
            break;
        }
        match POOL.try_submit(2 * next) {
            Ok(_) => {
                TICK_NEXT.store(next + 1, Relaxed);
                submitted = true;
            }
            Err(SubmitError::Full(_)) => {
                bump(&COUNTS.tick_full);
                break;
            }
            Err(SubmitError::Closed(job)) => fail(format_args!("job {job}: pool closed early")),
        }
    }
    if submitted {
        if IRQ_IN_RUN.load(Relaxed) {
            bump(&COUNTS.tick_over_irq_run);
        }
        if MAIN_IN_RUN.load(Relaxed) {
            bump(&COUNTS.tick_over_main_run);
        }
    }
    NVIC::pend(WorkerIrq);
}

/// The worker interrupt's body.
pub fn worker_irq() {
    let main_suspended_in_run = MAIN_IN_RUN.load(Relaxed);
    IRQ_IN_RUN.store(true, Relaxed);
    let report = POOL.run_pending(IRQ_WORKER, IRQ_BUDGET);
    IRQ_IN_RUN.store(false, Relaxed);
    if report.stopped == Some(RunError::ResultsFull) {
        bump(&COUNTS.results_full);
    }
    if main_suspended_in_run && report.ran > 0 {
        bump(&COUNTS.irq_over_main_run);
    }
}

/// Checks one received result and marks its job done.
fn record(result: &JobResult<Outcome>) {
    let (job, value) = result.outcome;
    check!(
        job < 2 * PER_SUBMITTER,
        "result for job {job}, never submitted"
    );
    check!(value == work(job), "job {job}: wrong result {value:#x}");
    let (word, bit) = ((job / 32) as usize, 1 << (job % 32));
    let before = DONE[word].load(Relaxed);
    check!(before & bit == 0, "job {job}: result received twice");
    DONE[word].store(before | bit, Relaxed);
    match result.worker_id {
        MAIN_WORKER => bump(&COUNTS.by_main),
        IRQ_WORKER => bump(&COUNTS.by_irq),
        other => fail(format_args!("job {job} run by unknown worker {other}")),
    }
}

/// Sets up the worker interrupt (priority below SysTick's) and runs the
/// phase; SysTick must be ticking in phase C.
pub fn run(scb: &mut cortex_m::peripheral::SCB, nvic: &mut NVIC) {
    for word in &DONE {
        word.store(0, Relaxed);
    }
    // SAFETY: changing priorities cannot break a priority-based critical
    // section here: this firmware has none. SysTick outranks the worker
    // interrupt, which outranks thread mode.
    unsafe {
        scb.set_priority(SystemHandler::SysTick, 0x20);
        nvic.set_priority(WorkerIrq, 0xC0);
        NVIC::unmask(WorkerIrq);
    }
    let mut mine = 0; // main loop's jobs submitted
    let mut turn: u32 = 0;
    let mut drained = heapless::Vec::<JobResult<Outcome>, 8>::new();
    loop {
        turn = turn.wrapping_add(1);
        if mine < PER_SUBMITTER {
            match POOL.try_submit(2 * mine + 1) {
                Ok(_) => mine += 1,
                Err(SubmitError::Full(_)) => bump(&COUNTS.main_full),
                Err(SubmitError::Closed(job)) => fail(format_args!("job {job}: pool closed early")),
            }
        } else if TICK_NEXT.load(Relaxed) == PER_SUBMITTER && !POOL.is_closed() {
            POOL.close();
        }
        MAIN_IN_RUN.store(true, Relaxed);
        let ran = POOL.run_one(MAIN_WORKER);
        MAIN_IN_RUN.store(false, Relaxed);
        if ran == Err(RunError::ResultsFull) {
            bump(&COUNTS.results_full);
        }
        if turn % DRAIN_EVERY == 0 || POOL.is_closed() {
            POOL.drain_into(&mut drained);
            for result in drained.iter() {
                record(result);
            }
            drained.clear();
            if POOL.is_closed() {
                match POOL.recv() {
                    Ok(result) => record(&result),
                    Err(RecvError::Ended) => break,
                    Err(RecvError::Empty) => {}
                }
            }
        }
    }
    NVIC::mask(WorkerIrq);
    verify();
}

/// End-of-phase checks and the report.
fn verify() {
    let total = 2 * PER_SUBMITTER;
    for job in 0..total {
        let bit = DONE[(job / 32) as usize].load(Relaxed) & (1 << (job % 32));
        check!(bit != 0, "job {job}: no result received");
    }
    let books = POOL.ledger();
    check!(
        books.accepted() == total as usize && books.is_idle(),
        "books: {} accepted, {} pending",
        books.accepted(),
        books.pending()
    );
    check!(POOL.recv() == Err(RecvError::Ended), "Ended is not final");
    check!(
        POOL.run_one(MAIN_WORKER) == Err(RunError::Closed),
        "run after close"
    );
    check!(
        matches!(POOL.try_submit(0), Err(SubmitError::Closed(0))),
        "submit after close"
    );
    let c = &COUNTS;
    let count = |counter: &AtomicU32| counter.load(Relaxed);
    hprintln!("phase C: ringpool_core::pool::Pool<u32, (u32, u32), 16, 16>");
    hprintln!(
        "  {} jobs (SysTick {} + main loop {}), each result received exactly once and right; books idle",
        total,
        PER_SUBMITTER,
        PER_SUBMITTER
    );
    hprintln!(
        "  run by the main loop {} / by the worker interrupt {}; Full to SysTick {}, to main {}; ResultsFull {}",
        count(&c.by_main),
        count(&c.by_irq),
        count(&c.tick_full),
        count(&c.main_full),
        count(&c.results_full)
    );
    hprintln!(
        "  preemptions: worker irq ran jobs over main's run_one {}; ticks submitted over the irq's run {}, over main's run_one {}",
        count(&c.irq_over_main_run),
        count(&c.tick_over_irq_run),
        count(&c.tick_over_main_run)
    );
    for (what, counter) in [
        ("jobs run by the main loop", &c.by_main),
        ("jobs run by the worker interrupt", &c.by_irq),
        ("worker-irq runs over main's run_one", &c.irq_over_main_run),
        ("ticks over the irq's run", &c.tick_over_irq_run),
        ("ticks over main's run_one", &c.tick_over_main_run),
        ("ResultsFull answers", &c.results_full),
    ] {
        check!(
            count(counter) >= MIN_PREEMPTIONS,
            "phase C: only {} {what} (want >= {MIN_PREEMPTIONS})",
            count(counter)
        );
    }
}
