//! # ringpool-core in a Cortex-M3 firmware, fed from an interrupt
//!
//! This image runs on QEMU's `lm3s6965evb` (a Cortex-M3 with 256 KiB of
//! flash and 64 KiB of RAM) and proves that `ringpool-core` works where it
//! is meant to: in `static`s, with no allocator, shared between a main loop
//! and an interrupt handler that preempts it at arbitrary instructions,
//! including in the middle of the main loop's own `push` and `pop`.
//!
//! Two rings of capacity 16 and one completion counter, all `static`:
//!
//! * **Phase A, interrupt produces.** The SysTick handler submits jobs
//!   `0, 1, 2, …` into [`TO_MAIN`] (a few per tick, so the ring fills up),
//!   counting each in [`PENDING`] before its first try. The main loop pops
//!   them, works them, records the result, and marks them done.
//! * **Phase B, main loop produces.** The main loop submits jobs into
//!   [`TO_ISR`] as fast as the ring takes them (retrying on `Full`); the
//!   SysTick handler pops a few per tick, works them, records them, marks
//!   them done. The main loop waits for the batch with
//!   [`CompletionCounter::spin_wait`].
//!
//! * **Phase C, the pool.** [`ringpool_core::pool::Pool`] with jobs
//!   submitted from SysTick and the main loop, run by the main loop and by a
//!   worker interrupt of lower priority, results received by the main loop
//!   (see the `pool_phase` module).
//!
//! The SysTick period is short (a few hundred core cycles), so most ticks
//! land while the main loop is inside a ring operation: phase A's main loop
//! is nearly always inside `pop`, phase B's inside `push`.
//!
//! # A deterministic run
//!
//! The runner starts QEMU with `-icount shift=4`: virtual time advances by
//! 16 ns per instruction executed, not with the host's clock, so SysTick
//! fires after the same instructions on every run, on a loaded machine as
//! on an idle one, and every count this firmware prints is the same on
//! every run. A fixed period would then lock onto one phase of the main
//! loop (some loops never get interrupted half-way), so each tick sets the
//! next period to [`RELOAD`] plus a sweep of `0..SWEEP` cycles: successive
//! ticks land at every offset of the operations.
//!
//! # What is checked
//!
//! For each phase, and the firmware exits non-zero (through semihosting) on
//! the first violation:
//!
//! * every job is done exactly once (a bitmap), in the order the producer
//!   pushed it (each consumer expects `0, 1, 2, …`), and the consumer's
//!   order-sensitive digest of the results equals the digest recomputed at
//!   the end;
//! * the completion counter is idle at the end of each phase, and the batch
//!   the main loop waited on reads finished;
//! * every `Full` is one the core's definition allows. `ring.rs` says push
//!   returns `Full` when every slot holds an item or is held by an operation
//!   in flight (a push that took a slot and has not published it, or a pop
//!   that took its item and has not yet returned the slot). Only the main
//!   loop can be in flight when the handler runs, and only one operation of
//!   it, so:
//!   - a `Full` from the handler's push (phase A) is accepted only if
//!     `items + slots held by the interrupted pop == 16`. The handler knows
//!     `outstanding = pushed − popped`, where `popped` counts pops the main
//!     loop has *finished*. When the main loop is not inside `pop` (its
//!     [`MAIN_OP`] flag says so) that is exactly the item count, so `Full`
//!     needs `outstanding == 16` (and `len() == 16`). When it is inside
//!     `pop`, the interrupted pop has either not taken its item (items =
//!     outstanding, nothing held), or holds its slot (items = outstanding −
//!     1, one held), or has returned the slot (items = outstanding − 1,
//!     nothing held): `Full` needs `outstanding == 16` for the first two and
//!     `outstanding == 17` for the third. `outstanding < 16` is a violation
//!     whatever the main loop was doing: a slot was free and not held.
//!   - a `Full` from the main loop's push (phase B) is accepted only if
//!     `pushed − popped == 16` when the push began: the handler only removes
//!     items, so the ring was full then or never during the call.
//! * `Empty` likewise: phase A's main-loop pop may report `Empty` only if
//!   nothing was outstanding when it began (the handler only adds), and
//!   phase B's handler pop only if nothing the main loop finished pushing is
//!   still unconsumed.
//!
//! # How "inside a ring operation" is measured
//!
//! The main loop stores [`POP`] or [`PUSH`] in [`MAIN_OP`] right before it
//! calls the ring and [`NONE`] right after (its bookkeeping in between), with
//! compiler fences so the ring's own memory accesses stay inside that window.
//! The handler reads the flag on entry: a tick that sees it set landed
//! within the call (give or take the handful of instructions of the call
//! and the bookkeeping). A stricter count comes from the ring's state, and
//! can only be seen if the tick interrupted the operation half-way:
//!
//! * phase A: `TO_MAIN.len()` is below `outstanding` (the interrupted pop
//!   had already taken its ticket from the used ring), or a push of the
//!   handler succeeded with 17 outstanding (the pop had returned its slot
//!   but not yet its item);
//! * phase B: `TO_ISR.len()` is above `outstanding` (the interrupted push
//!   had taken its ticket in the used ring: with one producer and a consumer
//!   that runs to completion, every other ticket there holds an item), or
//!   the handler popped the very item the interrupted push had published
//!   and not yet returned from (its id equals the main loop's `pushed`
//!   count).
//!
//! Both counts are printed and the firmware fails if either is small.
//!
//! # Termination
//!
//! The SysTick handler is also the watchdog: after [`MAX_TICKS`] ticks
//! (far more than a run needs) it reports a failure and exits. `ci/qemu.sh`
//! adds a wall-clock `timeout` around QEMU for the case where the handler
//! itself never runs again.
#![no_std]
#![no_main]

use core::fmt;
use core::sync::atomic::{AtomicU8, AtomicU32, Ordering::Relaxed, compiler_fence};

use cortex_m::peripheral::{SYST, syst::SystClkSource};
use cortex_m_rt::{entry, exception};
use cortex_m_semihosting::{debug, hprintln};
use panic_semihosting as _;
use ringpool_core::{CompletionCounter, PopError, PushError, Ring};

/// Slots in each ring.
const CAPACITY: usize = 16;
/// [`CAPACITY`] as the bookkeeping's type.
const CAP: u32 = CAPACITY as u32;
/// Jobs per phase.
const JOBS: u32 = 30_000;
/// Words of the done-bitmap.
const WORDS: usize = JOBS.div_ceil(32) as usize;
/// SysTick reload value: core clock cycles between ticks, at least (see
/// [`period`]).
const RELOAD: u32 = 400;
/// Width of the sweep of tick periods, in cycles (a prime, longer than one
/// turn of the main loop's ring operations).
const SWEEP: u32 = 97;
/// Jobs the handler pushes (phase A) or pops (phase B) per tick, at most.
const BURST: u32 = 4;
/// Work rounds of every 128th job: long enough for the handler to fill the
/// ring while the main loop is busy with it (phase A's `Full` cases).
const SLOW_ROUNDS: u32 = 20_000;
/// Watchdog: ticks after which the firmware gives up.
const MAX_TICKS: u32 = 200_000;
/// Least number of ticks per phase that must land inside a main-loop ring
/// operation (flag count).
const MIN_IN_OP: u32 = 1_000;
/// Least number of ticks per phase that must catch a main-loop operation
/// provably half-way (ring-state count).
const MIN_MID_OP: u32 = 10;

/// Jobs from the SysTick handler to the main loop (phase A).
static TO_MAIN: Ring<u32, CAPACITY> = Ring::new();
/// Jobs from the main loop to the SysTick handler (phase B).
static TO_ISR: Ring<u32, CAPACITY> = Ring::new();
/// Jobs submitted and not yet done, in both phases.
static PENDING: CompletionCounter = CompletionCounter::new();

/// Which phase the handler serves.
static PHASE: AtomicU8 = AtomicU8::new(IDLE);
const IDLE: u8 = 0;
const ISR_PRODUCES: u8 = 1;
const ISR_CONSUMES: u8 = 2;
const POOL_RUN: u8 = 3;

/// What the main loop is doing: [`NONE`], or inside [`POP`] / [`PUSH`].
static MAIN_OP: AtomicU8 = AtomicU8::new(NONE);
const NONE: u8 = 0;
const POP: u8 = 1;
const PUSH: u8 = 2;

/// Ticks since boot (the watchdog's clock).
static TICKS: AtomicU32 = AtomicU32::new(0);
/// Jobs the producer has pushed successfully (written by the producer only).
static PUSHED: AtomicU32 = AtomicU32::new(0);
/// Jobs the producer has counted in [`PENDING`] (phase A's handler only).
static SUBMITTED: AtomicU32 = AtomicU32::new(0);
/// Jobs the consumer has popped, counted once its pop returned.
static POPPED: AtomicU32 = AtomicU32::new(0);
/// One bit per job done in this phase.
static DONE: [AtomicU32; WORDS] = [const { AtomicU32::new(0) }; WORDS];
/// Order-sensitive digest of the results, kept by the consumer.
static DIGEST: AtomicU32 = AtomicU32::new(0);

/// Per-phase measurements (reset between phases).
struct Stats {
    /// Handler runs during the phase.
    ticks: AtomicU32,
    /// Runs that found the main loop inside a ring operation (flag).
    in_op: AtomicU32,
    /// Runs that caught that operation half-way (ring state).
    mid_op: AtomicU32,
    /// `Full` answers (handler's pushes in A, main loop's in B).
    full: AtomicU32,
    /// Of those, answered while the main loop was inside `pop` (phase A).
    full_in_op: AtomicU32,
    /// Of those, with `len() == 15`: a slot held by the interrupted pop.
    full_slot_held: AtomicU32,
    /// `Empty` answers seen by the consumer.
    empty: AtomicU32,
    /// Times `done()` reported the counter idle.
    idle: AtomicU32,
}

static STATS: Stats = Stats {
    ticks: AtomicU32::new(0),
    in_op: AtomicU32::new(0),
    mid_op: AtomicU32::new(0),
    full: AtomicU32::new(0),
    full_in_op: AtomicU32::new(0),
    full_slot_held: AtomicU32::new(0),
    empty: AtomicU32::new(0),
    idle: AtomicU32::new(0),
};

impl Stats {
    fn reset(&self) {
        for counter in [
            &self.ticks,
            &self.in_op,
            &self.mid_op,
            &self.full,
            &self.full_in_op,
            &self.full_slot_held,
            &self.empty,
            &self.idle,
        ] {
            counter.store(0, Relaxed);
        }
    }
}

/// Adds one to a counter only its owner (main loop or handler) writes.
fn bump(counter: &AtomicU32) {
    counter.store(counter.load(Relaxed).wrapping_add(1), Relaxed);
}

/// Reports a violation and exits QEMU with a failure status.
fn fail(what: fmt::Arguments) -> ! {
    hprintln!("FAIL: {}", what);
    debug::exit(debug::EXIT_FAILURE);
    // Unreachable under QEMU; on hardware without a debugger, halt here.
    loop {
        cortex_m::asm::wfi();
    }
}

/// `check!(condition, "format", args…)`: fail with the message unless it holds.
macro_rules! check {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            crate::fail(format_args!($($msg)+))
        }
    };
}

mod pool_phase;

/// The "work" of a job: a few rounds of xorshift, more for some jobs, so the
/// consumer's pace varies and the ring both fills and drains.
fn work(job: u32) -> u32 {
    let rounds = if job % 128 == 127 {
        SLOW_ROUNDS
    } else {
        1 + job % 8
    };
    let mut x = job ^ 0x9E37_79B9;
    for _ in 0..rounds {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
    }
    x
}

/// Folds one result into an order-sensitive digest.
fn fold(digest: u32, result: u32) -> u32 {
    digest.rotate_left(5) ^ result
}

/// The consumer's side of a job: order, exactly-once, result, completion.
fn complete(job: u32, expected: u32) {
    check!(
        job == expected,
        "job {job} popped where job {expected} was next: order broken"
    );
    let (word, bit) = ((job / 32) as usize, 1 << (job % 32));
    let before = DONE[word].load(Relaxed);
    check!(before & bit == 0, "job {job} done twice");
    DONE[word].store(before | bit, Relaxed);
    DIGEST.store(fold(DIGEST.load(Relaxed), work(job)), Relaxed);
    match PENDING.done() {
        Ok(true) => bump(&STATS.idle),
        Ok(false) => {}
        Err(e) => fail(format_args!("done() for job {job}: {e}")),
    }
}

/// The SysTick period after tick `ticks`: [`RELOAD`] plus a sweep of
/// `0..SWEEP` cycles, so that under QEMU's `-icount` (instruction-counted
/// time, the same every run) successive ticks land at every instruction of
/// the main loop's operations instead of locking onto one phase of its loop.
const fn period(ticks: u32) -> u32 {
    RELOAD + ticks % SWEEP
}

#[exception]
fn SysTick() {
    let ticks = TICKS.load(Relaxed).wrapping_add(1);
    TICKS.store(ticks, Relaxed);
    // SAFETY: SYST is a memory-mapped register block that exists on every
    // Cortex-M; only this handler writes its reload register while ticks
    // run (the main loop writes it only with the interrupt disabled), and a
    // new reload value takes effect at the next wrap.
    unsafe { (*SYST::PTR).rvr.write(period(ticks)) };
    check!(
        ticks < MAX_TICKS,
        "watchdog: {ticks} ticks without finishing (pushed {}, popped {})",
        PUSHED.load(Relaxed),
        POPPED.load(Relaxed)
    );
    // The main loop cannot run while this handler does: one read is the
    // state it was interrupted in.
    let op = MAIN_OP.load(Relaxed);
    match PHASE.load(Relaxed) {
        ISR_PRODUCES => {
            bump(&STATS.ticks);
            tick_produce(op);
        }
        ISR_CONSUMES => {
            bump(&STATS.ticks);
            tick_consume(op);
        }
        POOL_RUN => pool_phase::tick(),
        _ => {}
    }
}

/// Every interrupt without a handler of its own: the pool's worker
/// interrupt, or a failure.
#[exception]
unsafe fn DefaultHandler(irqn: i16) {
    if irqn == pool_phase::WORKER_IRQ as i16 {
        pool_phase::worker_irq();
    } else {
        fail(format_args!("unexpected exception or interrupt {irqn}"));
    }
}

/// Phase A, handler side: push up to [`BURST`] jobs into [`TO_MAIN`].
fn tick_produce(op: u8) {
    check!(op != PUSH, "main loop inside push in phase A");
    let in_pop = op == POP;
    let mut caught_mid_pop = false;
    if in_pop {
        bump(&STATS.in_op);
        let outstanding = PUSHED.load(Relaxed) - POPPED.load(Relaxed);
        // Below `outstanding`: the interrupted pop has taken its ticket.
        caught_mid_pop = (TO_MAIN.len() as u32) < outstanding;
    }
    for _ in 0..BURST {
        let job = PUSHED.load(Relaxed);
        if job == JOBS {
            break;
        }
        if SUBMITTED.load(Relaxed) == job {
            // Count the job before its first try; retries reuse the count.
            if let Err(e) = PENDING.add(1) {
                fail(format_args!("add(1) for job {job}: {e}"));
            }
            SUBMITTED.store(job + 1, Relaxed);
        }
        match TO_MAIN.push(job) {
            Ok(()) => {
                PUSHED.store(job + 1, Relaxed);
                let outstanding = job + 1 - POPPED.load(Relaxed);
                check!(
                    outstanding <= CAP + u32::from(in_pop),
                    "push of job {job} succeeded with {outstanding} outstanding (main in pop: {in_pop})"
                );
                if outstanding == CAP + 1 {
                    // Only possible if the interrupted pop had returned its
                    // slot and not yet its item.
                    caught_mid_pop = true;
                }
            }
            Err(PushError::Full(_)) => {
                check_full_from_isr(job, in_pop);
                break;
            }
            Err(PushError::Closed(_)) => fail(format_args!("TO_MAIN closed during phase A")),
        }
    }
    if caught_mid_pop {
        bump(&STATS.mid_op);
    }
}

/// Phase A: is this `Full` one the core's definition allows?
fn check_full_from_isr(job: u32, in_pop: bool) {
    bump(&STATS.full);
    let outstanding = PUSHED.load(Relaxed) - POPPED.load(Relaxed);
    let len = TO_MAIN.len() as u32;
    if in_pop {
        bump(&STATS.full_in_op);
        if len == CAP - 1 {
            bump(&STATS.full_slot_held);
        }
        check!(
            outstanding == CAP || outstanding == CAP + 1,
            "push of job {job}: Full with {outstanding} outstanding, len {len}, main inside pop"
        );
    } else {
        check!(
            outstanding == CAP && len == CAP,
            "push of job {job}: Full with {outstanding} outstanding, len {len}, no operation in flight"
        );
    }
}

/// Phase B, handler side: pop up to [`BURST`] jobs from [`TO_ISR`].
fn tick_consume(op: u8) {
    check!(op != POP, "main loop inside pop in phase B");
    let in_push = op == PUSH;
    let mut caught_mid_push = false;
    if in_push {
        bump(&STATS.in_op);
        let outstanding = PUSHED.load(Relaxed) - POPPED.load(Relaxed);
        // Above `outstanding`: the interrupted push has taken its ticket in
        // the used ring (with one producer and a consumer that runs to
        // completion, every other ticket there holds an item).
        caught_mid_push = (TO_ISR.len() as u32) > outstanding;
    }
    for _ in 0..BURST {
        let expected = POPPED.load(Relaxed);
        match TO_ISR.pop() {
            Ok(job) => {
                POPPED.store(expected + 1, Relaxed);
                let pushed = PUSHED.load(Relaxed);
                check!(
                    expected < pushed + u32::from(in_push),
                    "popped job {job} but only {pushed} pushed (main in push: {in_push})"
                );
                if expected == pushed {
                    // The item of the push this tick interrupted, published
                    // before that push returned.
                    caught_mid_push = true;
                }
                complete(job, expected);
            }
            Err(PopError::Empty) => {
                bump(&STATS.empty);
                let pushed = PUSHED.load(Relaxed);
                // Nothing the main loop finished pushing may be left; one
                // more may already be gone (the interrupted push's item).
                check!(
                    expected == pushed || (in_push && expected == pushed + 1),
                    "pop: Empty with {pushed} pushed and {expected} popped (main in push: {in_push})"
                );
                break;
            }
            Err(PopError::Closed) => fail(format_args!("TO_ISR closed during phase B")),
        }
    }
    if caught_mid_push {
        bump(&STATS.mid_op);
    }
}

/// Marks the main loop inside a ring operation (see the module docs).
fn enter(op: u8) {
    MAIN_OP.store(op, Relaxed);
    compiler_fence(core::sync::atomic::Ordering::SeqCst);
}

/// Marks the main loop outside any ring operation.
fn leave() {
    compiler_fence(core::sync::atomic::Ordering::SeqCst);
    MAIN_OP.store(NONE, Relaxed);
}

/// Resets the bookkeeping for a new phase (SysTick idle).
fn reset() {
    for word in &DONE {
        word.store(0, Relaxed);
    }
    for counter in [&PUSHED, &SUBMITTED, &POPPED, &DIGEST] {
        counter.store(0, Relaxed);
    }
    STATS.reset();
}

/// Starts SysTick with a short period.
fn start_ticks(syst: &mut SYST, phase: u8) {
    PHASE.store(phase, Relaxed);
    compiler_fence(core::sync::atomic::Ordering::SeqCst);
    syst.set_reload(RELOAD);
    syst.clear_current();
    syst.set_clock_source(SystClkSource::Core);
    syst.enable_interrupt();
    syst.enable_counter();
}

/// Stops SysTick; the handler does nothing after this.
fn stop_ticks(syst: &mut SYST) {
    syst.disable_interrupt();
    syst.disable_counter();
    compiler_fence(core::sync::atomic::Ordering::SeqCst);
    PHASE.store(IDLE, Relaxed);
}

/// Phase A, main side: pop, check, work, record, done.
fn phase_a(syst: &mut SYST) {
    reset();
    start_ticks(syst, ISR_PRODUCES);
    let mut expected = 0;
    while expected < JOBS {
        enter(POP);
        let outstanding_at_entry = PUSHED.load(Relaxed) - POPPED.load(Relaxed);
        compiler_fence(core::sync::atomic::Ordering::SeqCst);
        let popped = TO_MAIN.pop();
        compiler_fence(core::sync::atomic::Ordering::SeqCst);
        if popped.is_ok() {
            POPPED.store(expected + 1, Relaxed);
        }
        leave();
        match popped {
            Ok(job) => {
                complete(job, expected);
                expected += 1;
            }
            Err(PopError::Empty) => {
                bump(&STATS.empty);
                check!(
                    outstanding_at_entry == 0,
                    "pop: Empty with {outstanding_at_entry} items in the ring at entry"
                );
            }
            Err(PopError::Closed) => fail(format_args!("TO_MAIN closed during phase A")),
        }
    }
    stop_ticks(syst);
    check!(
        PENDING.is_idle(),
        "phase A: {} jobs pending",
        PENDING.pending()
    );
    check!(TO_MAIN.is_empty(), "phase A: {} items left", TO_MAIN.len());
    verify("A: interrupt produces, main loop consumes", true);
}

/// Phase B, main side: submit every job, then wait for the batch.
fn phase_b(syst: &mut SYST) {
    reset();
    start_ticks(syst, ISR_CONSUMES);
    for job in 0..JOBS {
        if let Err(e) = PENDING.add(1) {
            fail(format_args!("add(1) for job {job}: {e}"));
        }
        loop {
            enter(PUSH);
            let outstanding_at_entry = job - POPPED.load(Relaxed);
            compiler_fence(core::sync::atomic::Ordering::SeqCst);
            let pushed = TO_ISR.push(job);
            compiler_fence(core::sync::atomic::Ordering::SeqCst);
            if pushed.is_ok() {
                PUSHED.store(job + 1, Relaxed);
            }
            leave();
            match pushed {
                Ok(()) => break,
                Err(PushError::Full(_)) => {
                    bump(&STATS.full);
                    check!(
                        outstanding_at_entry == CAP,
                        "push of job {job}: Full with {outstanding_at_entry} items at entry"
                    );
                }
                Err(PushError::Closed(_)) => fail(format_args!("TO_ISR closed during phase B")),
            }
        }
    }
    // Every job is submitted: wait for the handler to finish them (the
    // watchdog in the handler bounds this).
    let batch = PENDING.batch();
    while !PENDING.spin_wait(batch, 10_000) {}
    stop_ticks(syst);
    check!(PENDING.is_finished(batch), "phase B: batch not finished");
    check!(
        PENDING.is_idle(),
        "phase B: {} jobs pending",
        PENDING.pending()
    );
    check!(TO_ISR.is_empty(), "phase B: {} items left", TO_ISR.len());
    verify("B: main loop produces, interrupt consumes", false);
}

/// End-of-phase checks shared by both directions, and the report.
fn verify(name: &str, isr_produces: bool) {
    check!(
        PUSHED.load(Relaxed) == JOBS && POPPED.load(Relaxed) == JOBS,
        "{name}: pushed {} popped {}",
        PUSHED.load(Relaxed),
        POPPED.load(Relaxed)
    );
    for (i, word) in DONE.iter().enumerate() {
        let want = if (i + 1) * 32 <= JOBS as usize {
            u32::MAX
        } else {
            (1 << (JOBS % 32)) - 1
        };
        let got = word.load(Relaxed);
        check!(
            got == want,
            "{name}: jobs {}..{} not all done: {got:#010x}",
            i * 32,
            i * 32 + 32
        );
    }
    let digest = (0..JOBS).fold(0, |d, job| fold(d, work(job)));
    check!(
        DIGEST.load(Relaxed) == digest,
        "{name}: result digest {:#010x}, expected {digest:#010x}",
        DIGEST.load(Relaxed)
    );
    let s = &STATS;
    let (in_op, mid_op) = (s.in_op.load(Relaxed), s.mid_op.load(Relaxed));
    let (full, empty) = (s.full.load(Relaxed), s.empty.load(Relaxed));
    hprintln!("phase {}", name);
    hprintln!(
        "  {} jobs done exactly once, in pushed order; result digest ok; counter idle (went idle {} times)",
        JOBS,
        s.idle.load(Relaxed)
    );
    let op = if isr_produces { "pop" } else { "push" };
    hprintln!(
        "  ticks {}: {} landed inside the main loop's {}, {} of them caught it half-way",
        s.ticks.load(Relaxed),
        in_op,
        op,
        mid_op
    );
    if isr_produces {
        hprintln!(
            "  handler push Full {} times, each allowed: {} while main was inside pop, {} of those with len() == {} (a slot held by the interrupted pop); main pop Empty {} times",
            full,
            s.full_in_op.load(Relaxed),
            s.full_slot_held.load(Relaxed),
            CAP - 1,
            empty
        );
    } else {
        hprintln!(
            "  main push Full {} times, each with {} items at entry; handler pop Empty {} times",
            full,
            CAP,
            empty
        );
    }
    check!(
        in_op >= MIN_IN_OP,
        "{name}: only {in_op} ticks landed inside a ring operation (want >= {MIN_IN_OP})"
    );
    check!(
        mid_op >= MIN_MID_OP,
        "{name}: only {mid_op} ticks caught an operation half-way (want >= {MIN_MID_OP})"
    );
}

/// After both phases: close is Go's close on both rings.
fn check_close() {
    for ring in [&TO_MAIN, &TO_ISR] {
        check!(ring.close(), "ring closed twice");
        check!(
            matches!(ring.push(7), Err(PushError::Closed(7))),
            "push after close"
        );
        check!(ring.pop() == Err(PopError::Closed), "pop after close");
    }
}

#[entry]
fn main() -> ! {
    let Some(mut peripherals) = cortex_m::Peripherals::take() else {
        fail(format_args!("core peripherals already taken"))
    };
    let syst = &mut peripherals.SYST;
    hprintln!(
        "ringpool-core on a Cortex-M3 (QEMU lm3s6965evb): 2 x Ring<u32, {}>, {} jobs per direction, SysTick every {}..{} cycles (swept)",
        CAPACITY,
        JOBS,
        RELOAD,
        RELOAD + SWEEP - 1
    );
    phase_a(syst);
    phase_b(syst);
    start_ticks(syst, POOL_RUN);
    pool_phase::run(&mut peripherals.SCB, &mut peripherals.NVIC);
    stop_ticks(syst);
    check_close();
    check!(
        PENDING.is_idle() && PENDING.batches_finished() > 0,
        "counter not idle at the end"
    );
    hprintln!("PASS ({} ticks in all)", TICKS.load(Relaxed));
    debug::exit(debug::EXIT_SUCCESS);
    loop {
        cortex_m::asm::wfi();
    }
}
