//! What lock-freedom buys, shown with a POSIX signal as the interrupt
//! (Linux): a thread pushes and pops in a loop while another thread
//! interrupts it with `SIGUSR1` (`pthread_kill`) after random delays. The
//! handler pushes one item into the same queue and pops until it gets an
//! item back, at most [`POP_ATTEMPTS`] times.
//!
//! A lock-free queue passes: whatever point of a push or pop the
//! interrupted thread stopped at, the handler's own operations complete, and
//! after its push a pop finds an item. A queue in which one operation can
//! wait for another one's progress (a lock; Vyukov's per-cell sequence
//! numbers, where a pop waits for the push that claimed the cell to publish
//! it) fails here, or never returns: the interrupted thread cannot run until
//! the handler returns. That is why a hang is part of what this harness
//! measures, and why it runs in a child process with a deadline
//! ([`crate::child`]).
//!
//! The handler touches only atomics and the queue: no lock, no allocation,
//! no `errno`-setting call, which is what `signal-safety(7)` allows. The
//! interrupted thread marks the time it spends inside a call, so the outcome
//! says how many interrupts landed inside push or pop. At the end every item
//! is accounted for: the items pushed, less those popped, must be the items
//! left in the queue.

use std::hint::spin_loop;
use std::sync::atomic::{
    AtomicBool, AtomicPtr, AtomicU64, Ordering::Relaxed, Ordering::SeqCst, compiler_fence,
};
use std::thread;
use std::time::{Duration, Instant};

use crate::queues::BenchQueue;

/// Pops the handler tries after its push before it counts a failure.
pub const POP_ATTEMPTS: u32 = 10_000;

/// What one harness run counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Handler runs that completed.
    pub handled: u64,
    /// Of those, the ones that interrupted a push or a pop.
    pub inside: u64,
    /// Handler pushes that were refused (Full, or a busy lock).
    pub push_failed: u64,
    /// Handler runs whose pops found no item in [`POP_ATTEMPTS`] tries
    /// after their own push.
    pub pop_failed: u64,
    /// Items that went missing or appeared twice (pushed − popped − left).
    pub lost: u64,
}

impl Outcome {
    /// Failures of the handler: refused pushes plus fruitless pops, plus
    /// lost items.
    pub fn failures(&self) -> u64 {
        self.push_failed + self.pop_failed + self.lost
    }

    /// One line of `key=value` words (what a child prints).
    pub fn to_line(&self) -> String {
        format!(
            "handled={} inside={} push_failed={} pop_failed={} lost={}",
            self.handled, self.inside, self.push_failed, self.pop_failed, self.lost
        )
    }

    /// Parses [`Self::to_line`]'s output.
    pub fn from_line(line: &str) -> Option<Self> {
        let f = |k| crate::child::field(line, k);
        Some(Self {
            handled: f("handled")?,
            inside: f("inside")?,
            push_failed: f("push_failed")?,
            pop_failed: f("pop_failed")?,
            lost: f("lost")?,
        })
    }
}

/// The queue the handler uses (a `*const Q`), null outside a run.
static QUEUE: AtomicPtr<()> = AtomicPtr::new(std::ptr::null_mut());
/// Set by the interrupted thread while it is inside a push or a pop.
static IN_CALL: AtomicBool = AtomicBool::new(false);
static HANDLED: AtomicU64 = AtomicU64::new(0);
static INSIDE: AtomicU64 = AtomicU64::new(0);
static PUSH_FAILED: AtomicU64 = AtomicU64::new(0);
static POP_FAILED: AtomicU64 = AtomicU64::new(0);
/// Items the handler pushed and popped (for the final count).
static HANDLER_PUSHED: AtomicU64 = AtomicU64::new(0);
static HANDLER_POPPED: AtomicU64 = AtomicU64::new(0);

/// The signal handler: push one item, then pop until an item comes back.
extern "C" fn on_signal<Q: BenchQueue>(_signal: libc::c_int) {
    let queue = QUEUE.load(SeqCst);
    if queue.is_null() {
        return;
    }
    // SAFETY: `run` stores a pointer to a live `Q` before it installs this
    // handler and nulls it only after the interrupted thread has stopped
    // and the handler is uninstalled; the queue is `Sync`.
    let queue = unsafe { &*(queue as *const Q) };
    if IN_CALL.load(Relaxed) {
        INSIDE.fetch_add(1, Relaxed);
    }
    if queue.try_push(u64::MAX).is_err() {
        PUSH_FAILED.fetch_add(1, Relaxed);
    } else {
        HANDLER_PUSHED.fetch_add(1, Relaxed);
        let mut got = false;
        for _ in 0..POP_ATTEMPTS {
            if queue.try_pop().is_some() {
                got = true;
                break;
            }
            spin_loop();
        }
        if got {
            HANDLER_POPPED.fetch_add(1, Relaxed);
        } else {
            POP_FAILED.fetch_add(1, Relaxed);
        }
    }
    HANDLED.fetch_add(1, SeqCst);
}

/// A tiny xorshift generator for the random delays.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Interrupts a thread that pushes and pops a fresh `Q` until `interrupts`
/// handler runs have completed (or `limit` passed). Only one run per
/// process at a time: the handler and its counters are process-wide.
///
/// A queue whose handler never returns makes this never return: run it in a
/// child process with a deadline ([`crate::child::run`]).
pub fn run<Q: BenchQueue + 'static>(interrupts: u64, limit: Duration) -> Outcome {
    for counter in [
        &HANDLED,
        &INSIDE,
        &PUSH_FAILED,
        &POP_FAILED,
        &HANDLER_PUSHED,
        &HANDLER_POPPED,
    ] {
        counter.store(0, SeqCst);
    }
    let queue: &'static Q = Box::leak(Q::boxed());
    QUEUE.store(queue as *const Q as *mut (), SeqCst);
    // SAFETY: a zeroed `sigaction` is a valid value (no flags, empty mask,
    // default handler) that is filled in before use.
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    action.sa_sigaction = on_signal::<Q> as extern "C" fn(libc::c_int) as libc::sighandler_t;
    action.sa_flags = libc::SA_RESTART;
    // SAFETY: `old` is written by sigaction; `action` is initialised above
    // and its handler is async-signal-safe (atomics and the queue only).
    let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: as above; the mask pointer is to a live field.
    unsafe {
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGUSR1, &action, &mut old);
    }

    let stop = AtomicBool::new(false);
    let (pushed, popped) = thread::scope(|s| {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let stop = &stop;
        let worker = s.spawn(move || {
            // SAFETY: pthread_self has no preconditions.
            let _ = ready_tx.send(unsafe { libc::pthread_self() });
            let (mut pushed, mut popped) = (0u64, 0u64);
            let mut item = 0u64;
            // The compiler fences keep the marks around the calls as
            // written: the handler runs on this thread, so program order is
            // all it needs.
            let mark = |inside: bool| {
                compiler_fence(SeqCst);
                IN_CALL.store(inside, Relaxed);
                compiler_fence(SeqCst);
            };
            while !stop.load(Relaxed) {
                mark(true);
                let ok = queue.try_push(item).is_ok();
                mark(false);
                if ok {
                    pushed += 1;
                    item += 1;
                }
                mark(true);
                let got = queue.try_pop().is_some();
                mark(false);
                if got {
                    popped += 1;
                }
            }
            (pushed, popped)
        });
        let target = ready_rx.recv().expect("the worker started");
        let started = Instant::now();
        let mut seed = 0x9e37_79b9_7f4a_7c15u64 ^ u64::from(std::process::id());
        let mut sent = 0u64;
        while HANDLED.load(SeqCst) < interrupts && started.elapsed() < limit {
            // A random delay: up to ~20 µs of spinning, so that the signal
            // lands at a random point of the worker's loop.
            for _ in 0..next(&mut seed) % 4096 {
                spin_loop();
            }
            // Keep at most one signal in flight: a handler that is still
            // running (or pending) is not sent another.
            if HANDLED.load(SeqCst) >= sent {
                // SAFETY: `target` is the worker thread, which runs until
                // `stop` is set below, after the last signal was sent.
                unsafe { libc::pthread_kill(target, libc::SIGUSR1) };
                sent += 1;
            } else {
                thread::yield_now();
            }
        }
        // Let the last signal's handler finish before the worker may exit.
        let settle = Instant::now();
        while HANDLED.load(SeqCst) < sent && settle.elapsed() < limit {
            thread::yield_now();
        }
        stop.store(true, Relaxed);
        worker.join().expect("the interrupted thread panicked")
    });

    // SAFETY: restores the handler saved above.
    unsafe { libc::sigaction(libc::SIGUSR1, &old, std::ptr::null_mut()) };
    QUEUE.store(std::ptr::null_mut(), SeqCst);
    let mut left = 0u64;
    while queue.try_pop().is_some() {
        left += 1;
    }
    let pushed = pushed + HANDLER_PUSHED.load(SeqCst);
    let popped = popped + HANDLER_POPPED.load(SeqCst);
    // SAFETY: the queue was leaked above; the handler is uninstalled and
    // the worker has stopped, so nothing else refers to it.
    drop(unsafe { Box::from_raw(queue as *const Q as *mut Q) });
    Outcome {
        handled: HANDLED.load(SeqCst),
        inside: INSIDE.load(SeqCst),
        push_failed: PUSH_FAILED.load(SeqCst),
        pop_failed: POP_FAILED.load(SeqCst),
        lost: (pushed as i128 - popped as i128 - left as i128).unsigned_abs() as u64,
    }
}
