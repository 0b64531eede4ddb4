//! The interrupt test (Linux): a POSIX signal handler interrupts a thread
//! at random points inside `Ring::push` and `Ring::pop`, thousands of
//! times, and inside the handler pushes one item and pops until it gets an
//! item back (`ringpool_benches::interrupt`). ringpool must show zero
//! failures and never hang.
//!
//! Each harness run is a child process (this test binary re-run with
//! [`CHILD`] set), killed at a deadline, so a queue whose handler never
//! returns fails the test instead of hanging it. The harness itself is
//! shown to have teeth on a queue that takes a lock inside push and pop:
//! there the handler's push is refused whenever it interrupted a holder of
//! the lock, and the test requires the harness to count such failures.
//!
//! `harness = false` (see benches/Cargo.toml): this file has its own `main`,
//! which runs the checks in order and exits non-zero on the first failure.

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ringpool_benches::child::{self, Outcome};
use ringpool_benches::interrupt::{self, Outcome as Counts};
use ringpool_benches::queues::{BenchQueue, RingpoolRing};

/// The environment variable that makes this binary a harness child.
const CHILD: &str = "RINGPOOL_INTERRUPT_CHILD";
/// Handler runs per harness run (the goal; it stops earlier at [`LIMIT`]).
const INTERRUPTS: u64 = 5_000;
/// The fewest handler runs that count as a run: on a loaded machine the
/// signals arrive more slowly and [`LIMIT`] can come first, which says
/// nothing about the queue, so the test asks for thousands, not all.
const AT_LEAST: u64 = 2_000;
/// The harness stops sending signals after this long.
const LIMIT: Duration = Duration::from_secs(45);
/// A child still running this long after its start is killed (hung).
const DEADLINE: Duration = Duration::from_secs(120);

/// A queue with a lock inside push and pop (a spin flag taken with
/// `try_lock` semantics, so that the handler is refused instead of
/// deadlocking): the harness must count failures on it.
struct Locked {
    busy: AtomicBool,
    items: std::cell::UnsafeCell<std::collections::VecDeque<u64>>,
}

// SAFETY: `items` is only touched by the holder of `busy`.
unsafe impl Sync for Locked {}

impl Locked {
    /// Runs `f` on the items under the flag, or `None` if it is held.
    fn with<R>(&self, f: impl FnOnce(&mut std::collections::VecDeque<u64>) -> R) -> Option<R> {
        if self.busy.swap(true, Ordering::Acquire) {
            return None;
        }
        // Hold the lock a while, as a real critical section would, so that
        // interrupts land inside it.
        for _ in 0..64 {
            std::hint::spin_loop();
        }
        // SAFETY: the flag is held, so this is the only reference.
        let r = f(unsafe { &mut *self.items.get() });
        self.busy.store(false, Ordering::Release);
        Some(r)
    }
}

impl BenchQueue for Locked {
    const NAME: &'static str = "a queue with a lock";
    const CAPACITY: usize = 128;
    fn boxed() -> Box<Self> {
        Box::new(Self {
            busy: AtomicBool::new(false),
            // Capacity reserved up front: no allocation in the handler.
            items: std::cell::UnsafeCell::new(std::collections::VecDeque::with_capacity(256)),
        })
    }
    fn try_push(&self, item: u64) -> Result<(), u64> {
        match self.with(|q| {
            if q.len() < Self::CAPACITY {
                q.push_back(item);
                true
            } else {
                false
            }
        }) {
            Some(true) => Ok(()),
            _ => Err(item),
        }
    }
    fn try_pop(&self) -> Option<u64> {
        self.with(|q| q.pop_front()).flatten()
    }
}

/// Runs the harness for `queue` in a child process.
fn isolated(queue: &str) -> Result<Counts, String> {
    let mut cmd = Command::new(std::env::current_exe().map_err(|e| e.to_string())?);
    cmd.env(CHILD, queue);
    match child::run(cmd, DEADLINE) {
        Outcome::Exited {
            success: true,
            stdout,
            ..
        } => Counts::from_line(&stdout).ok_or_else(|| format!("unreadable: {stdout:?}")),
        Outcome::Exited { stderr, .. } => Err(format!("the child failed: {stderr}")),
        Outcome::Killed { spinning, .. } => Err(format!(
            "hung: killed after {DEADLINE:?} ({})",
            if spinning { "spinning" } else { "asleep" }
        )),
        Outcome::Failed(e) => Err(e),
    }
}

fn child_main(queue: &str) {
    let counts = match queue {
        "ringpool" => interrupt::run::<RingpoolRing>(INTERRUPTS, LIMIT),
        "locked" => interrupt::run::<Locked>(INTERRUPTS, LIMIT),
        other => panic!("unknown queue {other:?}"),
    };
    println!("{}", counts.to_line());
}

fn main() {
    if !cfg!(target_os = "linux") {
        println!("interrupt test: Linux only, skipped");
        return;
    }
    if let Ok(queue) = std::env::var(CHILD) {
        child_main(&queue);
        return;
    }
    // Under `cargo test -- --list` or a name filter, libtest-style
    // arguments arrive; this binary has one test and ignores them.
    let mut failed = false;

    print!("test ringpool_survives_interrupts_inside_push_and_pop ... ");
    match isolated("ringpool") {
        Ok(c) if c.failures() == 0 && c.handled >= AT_LEAST && c.inside > 0 => {
            println!("ok ({})", c.to_line());
        }
        Ok(c) => {
            println!("FAILED ({})", c.to_line());
            failed = true;
        }
        Err(e) => {
            println!("FAILED ({e})");
            failed = true;
        }
    }

    print!("test the_harness_counts_failures_of_a_locked_queue ... ");
    match isolated("locked") {
        Ok(c) if c.push_failed > 0 && c.lost == 0 => println!("ok ({})", c.to_line()),
        Ok(c) => {
            println!("FAILED: no failure counted ({})", c.to_line());
            failed = true;
        }
        Err(e) => {
            println!("FAILED ({e})");
            failed = true;
        }
    }

    if failed {
        std::process::exit(1);
    }
}
