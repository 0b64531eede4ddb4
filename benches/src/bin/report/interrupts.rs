//! Section "Interrupted inside push and pop": the interrupt harness of
//! [`ringpool_benches::interrupt`] (a POSIX signal handler that pushes and
//! pops while the thread it interrupted is inside a push or pop) for
//! ringpool and the queues of the ring rows at capacity 128, each run in a
//! child process with a deadline, so that a queue whose handler never
//! returns is counted as hung.

use std::fmt::{self, Write as _};
use std::time::Duration;

use ringpool_benches::interrupt::{Outcome, POP_ATTEMPTS};
use ringpool_benches::peers::{self, Kind};
use ringpool_benches::queues::CAPACITY;

use crate::config::Config;
use crate::isolate::{self, Failure};
use crate::rounds::{Grid, interleave};

/// The section's heading.
pub const HEADING: &str = "## Interrupted inside push and pop";

/// The queues under the harness: the rings and Vyukov's queues at
/// capacity 128 (a channel's lock would deadlock the handler by design).
fn kinds() -> Vec<Kind> {
    peers::all()
        .into_iter()
        .filter(|k| k.capacity == CAPACITY)
        .take(6)
        .collect()
}

/// The row names.
pub fn rows() -> Vec<&'static str> {
    kinds().iter().map(|k| k.name).collect()
}

/// Each run's outcome per queue.
pub struct Interrupts {
    kinds: Vec<Kind>,
    grid: Grid<Result<Outcome, Failure>>,
    interrupts: u64,
    limit: Duration,
    deadline: Duration,
}

/// Runs the harness `runs` times per queue.
pub fn measure(cfg: &Config) -> Interrupts {
    let kinds = kinds();
    let runs = cfg.interrupt_runs();
    let limit = cfg.interrupt_limit();
    // A run that finishes stops signalling at `limit` at the latest and
    // then exits at once; one still running 2 s later is hung.
    let deadline = limit + Duration::from_secs(2);
    let grid = interleave(runs, 1, kinds.len(), |cell| {
        let kind = kinds[cell.row];
        let args = vec![
            "interrupt".into(),
            kind.name.to_string(),
            kind.capacity.to_string(),
            cfg.interrupts.to_string(),
            limit.as_millis().to_string(),
        ];
        let run = isolate::run(&args, deadline).and_then(|out| {
            Outcome::from_line(&out)
                .ok_or_else(|| Failure::Crashed(format!("unreadable outcome {out:?}")))
        });
        Some(run)
    });
    Interrupts {
        kinds,
        grid,
        interrupts: cfg.interrupts,
        limit,
        deadline,
    }
}

/// One queue's totals over its runs.
#[derive(Default)]
struct Totals {
    runs: usize,
    finished: usize,
    hung: usize,
    other: usize,
    sum: Outcome,
}

impl Interrupts {
    fn totals(&self, row: usize) -> Totals {
        let mut t = Totals::default();
        for run in self.grid.runs(0, row).iter().flatten() {
            t.runs += 1;
            match run {
                Ok(o) => {
                    t.finished += 1;
                    t.sum.handled += o.handled;
                    t.sum.inside += o.inside;
                    t.sum.push_failed += o.push_failed;
                    t.sum.pop_failed += o.pop_failed;
                    t.sum.lost += o.lost;
                }
                Err(Failure::Wedged { .. }) => t.hung += 1,
                Err(_) => t.other += 1,
            }
        }
        t
    }

    /// ringpool's verdict: (every run finished, with no failure and with
    /// interrupts inside push or pop; what was counted).
    pub fn ringpool(&self) -> (bool, String) {
        let t = self.totals(0);
        let ok = t.finished == t.runs && t.runs > 0 && t.sum.failures() == 0 && t.sum.inside > 0;
        (
            ok,
            format!(
                "{} failures and {} hangs in {} runs; {} interrupts handled, {} inside push or pop",
                t.sum.failures(),
                t.hung + t.other,
                t.runs,
                t.sum.handled,
                t.sum.inside
            ),
        )
    }

    /// The section.
    pub fn write(&self, w: &mut String) -> fmt::Result {
        writeln!(w, "{HEADING}\n")?;
        writeln!(
            w,
            "What lock-freedom buys (`benches/src/interrupt.rs`, Linux). One thread pushes and \
             pops a queue of capacity {CAPACITY} in a loop; another sends it `SIGUSR1` \
             (`pthread_kill`) after random delays of up to ~20 µs of spinning, until {} \
             handler runs completed or {:?} passed. The handler, which touches only atomics \
             and the queue, pushes one item and pops until it gets an item back ({POP_ATTEMPTS} \
             attempts). A failure: the handler's push refused, or its pops found nothing; lost: \
             pushed − popped − left at the end. Each run is a child process killed {:?} after \
             it started if it has not exited: a handler that never returns (it waits for the \
             thread it interrupted) is a hang. \"Inside\": interrupts that landed while the \
             thread was inside a push or pop.\n",
            self.interrupts, self.limit, self.deadline
        )?;
        writeln!(
            w,
            "| queue | lock-free | runs | interrupts handled | inside push/pop | handler failures \
             (push refused / pops found nothing) | lost items | hung (killed at the deadline) |"
        )?;
        writeln!(w, "|---|---|---|---|---|---|---|---|")?;
        for (row, kind) in self.kinds.iter().enumerate() {
            let t = self.totals(row);
            let other = if t.other > 0 {
                format!(" (+{} failed otherwise, see Skipped)", t.other)
            } else {
                String::new()
            };
            writeln!(
                w,
                "| {} | {} | {} | {} | {} | {} ({} / {}) | {} | {} of {} runs{other} |",
                kind.name,
                if kind.lock_free { "claimed" } else { "no" },
                t.runs,
                t.sum.handled,
                t.sum.inside,
                t.sum.push_failed + t.sum.pop_failed,
                t.sum.push_failed,
                t.sum.pop_failed,
                t.sum.lost,
                t.hung,
                t.runs
            )?;
        }
        writeln!(w)
    }
}
