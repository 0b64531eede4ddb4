//! # ringpool-core's pool across two cores, under QEMU
//!
//! This image runs on QEMU's `mps2-an521`: an Arm SSE-200 subsystem with
//! two Cortex-M33 cores sharing memory. CPU 0 boots, starts CPU 1 (see the
//! `core1` module), and from then on both cores share one
//! `static` [`Pool`]: no allocator, no locks, no core-to-core messages
//! other than the pool itself.
//!
//! Eight contexts use it at the same time, four per core:
//!
//! | context | submits | runs jobs as | receives |
//! |---|---|---|---|
//! | core `c`'s main loop | jobs `4k + c` | worker `c + 1` | yes |
//! | core `c`'s SysTick (every [`RELOAD`] cycles) | jobs `4k + 2 + c` | — | — |
//! | core `c`'s worker interrupt (IRQ [`WORKER_IRQ`], pended by its SysTick, lower priority) | — | worker `c + 3` | — |
//!
//! [`PER_SUBMITTER`] jobs from each of the four submitters: 40 000 jobs.
//! A job handed back (`Full`) is kept and offered again; a run that finds
//! the result ring full takes no job (`ResultsFull`). When every submitter
//! is done, CPU 0 closes the pool; both main loops keep running and
//! receiving until `recv` reports `Ended`.
//!
//! QEMU runs with multi-threaded TCG (`-accel tcg,thread=multi`): each core
//! is a host thread, so the two cores' ring operations really overlap (the
//! firmware counts how often the other core's main loop moved on during one
//! of this core's `run_one` calls). Time is the host's: the run is not
//! deterministic (QEMU's `-icount` cannot be combined with multi-threaded
//! TCG), so the checks are the ones that hold under every interleaving.
//!
//! # What is checked (exit 1 through semihosting on the first violation)
//!
//! * every job's result is received exactly once (an atomic bitmap shared
//!   by the two receivers) and is right;
//! * the pool's books: 40 000 accepted, nothing pending, `Ended` and
//!   `Closed` final after the close;
//! * every context did its part: each submitter submitted all its jobs,
//!   each of the four workers ran jobs;
//! * a watchdog in CPU 0's SysTick fails the run after [`MAX_TICKS`] ticks;
//!   `ci/qemu.sh` adds a wall-clock `timeout` around QEMU.
#![no_std]
#![no_main]

mod core1;

use core::fmt;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use cortex_m::interrupt::InterruptNumber;
use cortex_m::peripheral::scb::SystemHandler;
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::{NVIC, SCB, SYST};
use cortex_m_rt::{entry, exception};
use cortex_m_semihosting::{debug, hprintln};
use panic_semihosting as _;
use ringpool_core::pool::{JobContext, JobResult, Pool, RecvError, RunError, SubmitError};

/// Jobs from each of the four submitters.
const PER_SUBMITTER: u32 = 10_000;
/// All jobs.
const JOBS: u32 = 4 * PER_SUBMITTER;
/// SysTick reload: core cycles between ticks (100 µs at the AN521's 20 MHz).
const RELOAD: u32 = 2_000;
/// Jobs a SysTick offers per tick, at most.
const TICK_SUBMITS: u32 = 2;
/// Jobs a worker interrupt runs per activation, at most.
const IRQ_BUDGET: usize = 4;
/// Watchdog: CPU 0 ticks after which the run fails (20 s of guest time; a
/// run needs about 5 500, since the SysTick submitters pace it).
const MAX_TICKS: u32 = 200_000;
/// The worker interrupt's number (an SSE-200 line no device drives here).
const WORKER_IRQ: u16 = 20;

/// A job: its number in; its number and its work out.
type Outcome = (u32, u32);

/// The pool every context shares: 16 queued jobs, 16 undelivered results.
static POOL: Pool<u32, Outcome, 16, 16> = Pool::new(run_job);

/// One bit per job, set when its result is received.
static DONE: [AtomicU32; (JOBS / 32) as usize] =
    [const { AtomicU32::new(0) }; (JOBS / 32) as usize];
/// Results received, by both receivers.
static RECEIVED: AtomicU32 = AtomicU32::new(0);
/// Jobs submitted by each submitter (main 0, main 1, tick 0, tick 1).
static SUBMITTED: [AtomicU32; 4] = [const { AtomicU32::new(0) }; 4];
/// Jobs run by each worker (ids 1..=4), counted from received results.
static RAN_BY: [AtomicU32; 4] = [const { AtomicU32::new(0) }; 4];
/// `Full` answers to each submitter.
static FULL: [AtomicU32; 4] = [const { AtomicU32::new(0) }; 4];
/// `ResultsFull` answers to each worker.
static RESULTS_FULL: [AtomicU32; 4] = [const { AtomicU32::new(0) }; 4];
/// Main-loop turns of each core.
static TURNS: [AtomicU32; 2] = [const { AtomicU32::new(0) }; 2];
/// Turns of core `c`'s main loop during whose `run_one` and `recv` the
/// other core's main loop finished a turn: the cores ran at the same time.
/// (With one host thread for both cores, QEMU switches cores only every
/// so many instructions, and this stays near zero.)
static OVERLAPS: [AtomicU32; 2] = [const { AtomicU32::new(0) }; 2];
/// Ticks of each core.
static TICKS: [AtomicU32; 2] = [const { AtomicU32::new(0) }; 2];
/// CPU 1 has started / has seen the stream end.
static CORE1_STARTED: AtomicBool = AtomicBool::new(false);
static CORE1_DONE: AtomicBool = AtomicBool::new(false);

/// The handler: some xorshift rounds, more for some jobs.
fn work(job: u32) -> u32 {
    let rounds = if job % 64 == 63 { 2_000 } else { 1 + job % 8 };
    let mut x = job ^ 0x9E37_79B9;
    for _ in 0..rounds {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
    }
    x
}

fn run_job(_: JobContext, job: u32) -> Outcome {
    (job, work(job))
}

/// Reports a violation and exits QEMU with a failure status.
fn fail(what: fmt::Arguments) -> ! {
    hprintln!("FAIL: {}", what);
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}

/// `check!(condition, "format", args…)`: fail with the message unless it holds.
macro_rules! check {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            fail(format_args!($($msg)+))
        }
    };
}

/// Adds one to a counter only its owner context writes.
fn bump(counter: &AtomicU32) {
    counter.store(
        counter.load(Ordering::Relaxed).wrapping_add(1),
        Ordering::Relaxed,
    );
}

/// The worker interrupt, as seen by the NVIC API.
#[derive(Clone, Copy)]
struct WorkerIrq;

// SAFETY: a valid, fixed interrupt number of the SSE-200's NVICs.
unsafe impl InterruptNumber for WorkerIrq {
    fn number(self) -> u16 {
        WORKER_IRQ
    }
}

/// Offers submitter `who`'s next job; `true` if it was accepted or the
/// submitter is done.
fn offer(who: usize) -> bool {
    let next = SUBMITTED[who].load(Ordering::Relaxed);
    if next == PER_SUBMITTER {
        return true;
    }
    match POOL.try_submit(4 * next + who as u32) {
        Ok(_) => {
            SUBMITTED[who].store(next + 1, Ordering::Relaxed);
            true
        }
        Err(SubmitError::Full(_)) => {
            bump(&FULL[who]);
            false
        }
        Err(SubmitError::Closed(job)) => fail(format_args!("job {job}: pool closed early")),
    }
}

/// Core `core`'s SysTick: submit, pend the worker interrupt.
fn tick(core: usize) {
    let ticks = TICKS[core].load(Ordering::Relaxed).wrapping_add(1);
    TICKS[core].store(ticks, Ordering::Relaxed);
    if core == 0 {
        check!(
            ticks < MAX_TICKS,
            "watchdog: {ticks} ticks; received {} of {JOBS}",
            RECEIVED.load(Ordering::Relaxed)
        );
    }
    for _ in 0..TICK_SUBMITS {
        if !offer(2 + core) {
            break;
        }
    }
    NVIC::pend(WorkerIrq);
}

/// Core `core`'s worker interrupt.
fn worker_irq(core: usize) {
    let report = POOL.run_pending(3 + core, IRQ_BUDGET);
    if report.stopped == Some(RunError::ResultsFull) {
        bump(&RESULTS_FULL[2 + core]);
    }
}

/// Checks one received result and marks its job.
fn record(result: &JobResult<Outcome>) {
    let (job, value) = result.outcome;
    check!(job < JOBS, "result for job {job}, never submitted");
    check!(value == work(job), "job {job}: wrong result {value:#x}");
    let bit = 1 << (job % 32);
    let before = DONE[(job / 32) as usize].fetch_or(bit, Ordering::Relaxed);
    check!(before & bit == 0, "job {job}: result received twice");
    check!(
        (1..=4).contains(&result.worker_id),
        "job {job}: unknown worker {}",
        result.worker_id
    );
    RAN_BY[result.worker_id - 1].fetch_add(1, Ordering::Relaxed);
    RECEIVED.fetch_add(1, Ordering::Relaxed);
}

/// Sets up core `core`'s SysTick and worker interrupt.
fn start_interrupts(syst: &mut SYST, scb: &mut SCB, nvic: &mut NVIC) {
    // SAFETY: no priority-based critical sections exist in this firmware;
    // SysTick outranks the worker interrupt, which outranks the main loop.
    unsafe {
        scb.set_priority(SystemHandler::SysTick, 0x20);
        nvic.set_priority(WorkerIrq, 0xC0);
        NVIC::unmask(WorkerIrq);
    }
    syst.set_reload(RELOAD);
    syst.clear_current();
    syst.set_clock_source(SystClkSource::Core);
    syst.enable_interrupt();
    syst.enable_counter();
}

/// Core `core`'s main loop: submit, run, receive, until the stream ends.
fn main_loop(core: usize) {
    let other = 1 - core;
    let mut drained = heapless::Vec::<JobResult<Outcome>, 8>::new();
    loop {
        let turn = TURNS[core].load(Ordering::Relaxed).wrapping_add(1);
        TURNS[core].store(turn, Ordering::Relaxed);
        offer(core);
        if core == 0
            && !POOL.is_closed()
            && SUBMITTED
                .iter()
                .all(|s| s.load(Ordering::Relaxed) == PER_SUBMITTER)
        {
            POOL.close();
        }
        let other_before = TURNS[other].load(Ordering::Relaxed);
        let ran = POOL.run_one(core + 1);
        if ran == Err(RunError::ResultsFull) {
            bump(&RESULTS_FULL[core]);
        }
        if turn % 4 == 0 {
            POOL.drain_into(&mut drained);
            for result in &drained {
                record(result);
            }
            drained.clear();
        }
        let received = POOL.recv();
        if TURNS[other].load(Ordering::Relaxed) != other_before {
            bump(&OVERLAPS[core]);
        }
        match received {
            Ok(result) => record(&result),
            Err(RecvError::Ended) => return,
            Err(RecvError::Empty) => {}
        }
    }
}

#[exception]
fn SysTick() {
    tick(0);
}

/// CPU 0's interrupts without a handler of their own: its worker
/// interrupt, or a failure.
#[exception]
unsafe fn DefaultHandler(irqn: i16) {
    if irqn == WORKER_IRQ as i16 {
        worker_irq(0);
    } else {
        fail(format_args!("unexpected exception or interrupt {irqn}"));
    }
}

extern "C" fn core1_systick() {
    tick(1);
}

extern "C" fn core1_worker_irq() {
    worker_irq(1);
}

/// CPU 1's reset handler: its stack pointer is set from its vector table;
/// memory was initialised by CPU 0 before the release.
///
/// # Safety
///
/// Only CPU 1's reset may call it, once (it takes CPU 1's private
/// peripherals).
unsafe extern "C" fn core1_reset() -> ! {
    // SAFETY: each core has its own private peripheral bus (SysTick, NVIC,
    // SCB at the same addresses), and CPU 1 takes only its own, once;
    // `take()` cannot be used because CPU 0 already took the singleton.
    let mut p = unsafe { cortex_m::Peripherals::steal() };
    CORE1_STARTED.store(true, Ordering::Release);
    start_interrupts(&mut p.SYST, &mut p.SCB, &mut p.NVIC);
    main_loop(1);
    p.SYST.disable_interrupt();
    CORE1_DONE.store(true, Ordering::Release);
    loop {
        cortex_m::asm::wfi();
    }
}

#[entry]
fn main() -> ! {
    let Some(mut p) = cortex_m::Peripherals::take() else {
        fail(format_args!("core peripherals already taken"))
    };
    hprintln!(
        "ringpool-core pool on two Cortex-M33 (QEMU mps2-an521, SSE-200): {} jobs from 4 submitters, 4 workers, 2 receivers",
        JOBS
    );
    core1::start(
        &p.SCB,
        &core1::Core1Handlers {
            reset: core1_reset,
            systick: core1_systick,
            irq: (WORKER_IRQ, core1_worker_irq),
        },
    );
    start_interrupts(&mut p.SYST, &mut p.SCB, &mut p.NVIC);
    main_loop(0);
    // The watchdog in SysTick bounds this wait.
    while !CORE1_DONE.load(Ordering::Acquire) {
        cortex_m::asm::nop();
    }
    p.SYST.disable_interrupt();
    NVIC::mask(WorkerIrq);
    verify();
    debug::exit(debug::EXIT_SUCCESS);
    loop {
        cortex_m::asm::wfi();
    }
}

/// `part` as a whole percentage of `whole`.
fn percent(part: u32, whole: u32) -> u64 {
    u64::from(part) * 100 / u64::from(whole.max(1))
}

/// End-of-run checks and the report.
fn verify() {
    check!(CORE1_STARTED.load(Ordering::Acquire), "CPU 1 never started");
    for job in 0..JOBS {
        let bit = DONE[(job / 32) as usize].load(Ordering::Relaxed) & (1 << (job % 32));
        check!(bit != 0, "job {job}: no result received");
    }
    check!(
        RECEIVED.load(Ordering::Relaxed) == JOBS,
        "{} results received",
        RECEIVED.load(Ordering::Relaxed)
    );
    let books = POOL.ledger();
    check!(
        books.accepted() == JOBS as usize && books.is_idle(),
        "books: {} accepted, {} pending",
        books.accepted(),
        books.pending()
    );
    check!(POOL.recv() == Err(RecvError::Ended), "Ended is not final");
    check!(POOL.run_one(1) == Err(RunError::Closed), "run after close");
    let load = |a: &AtomicU32| a.load(Ordering::Relaxed);
    let ran: [u32; 4] = core::array::from_fn(|i| load(&RAN_BY[i]));
    hprintln!(
        "  {} jobs, each result received exactly once and right; books idle; Ended after close",
        JOBS
    );
    hprintln!(
        "  run by: core 0 main {} / core 1 main {} / core 0 irq {} / core 1 irq {}",
        ran[0],
        ran[1],
        ran[2],
        ran[3]
    );
    hprintln!(
        "  Full to submitters (main 0, main 1, tick 0, tick 1): {} {} {} {}; ResultsFull to workers: {} {} {} {}",
        load(&FULL[0]),
        load(&FULL[1]),
        load(&FULL[2]),
        load(&FULL[3]),
        load(&RESULTS_FULL[0]),
        load(&RESULTS_FULL[1]),
        load(&RESULTS_FULL[2]),
        load(&RESULTS_FULL[3])
    );
    hprintln!(
        "  ticks: core 0 {}, core 1 {}; main-loop turns: core 0 {}, core 1 {}",
        load(&TICKS[0]),
        load(&TICKS[1]),
        load(&TURNS[0]),
        load(&TURNS[1])
    );
    hprintln!(
        "  turns during whose run_one + recv the other core's main loop moved on: core 0 {} ({}%), core 1 {} ({}%)",
        load(&OVERLAPS[0]),
        percent(load(&OVERLAPS[0]), load(&TURNS[0])),
        load(&OVERLAPS[1]),
        percent(load(&OVERLAPS[1]), load(&TURNS[1]))
    );
    for (worker, count) in ran.iter().enumerate() {
        check!(*count > 0, "worker {} ran no job", worker + 1);
    }
    check!(
        load(&OVERLAPS[0]) + load(&OVERLAPS[1]) > 0,
        "the two cores never ran at the same time"
    );
    hprintln!("PASS");
}
