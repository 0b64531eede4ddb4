//! Section "Ring peers: lost items, wedges and broken promises": every run
//! of a queue in a child process ([`crate::isolate`]) is tallied here by
//! queue, so that a peer that lost an item, stalled, wedged inside a call
//! or broke its own documentation is a row of the report (for instance
//! "livelocked in 2 of 36 runs"), never a crash or a hang of it.

use std::fmt::{self, Write as _};

use crate::isolate::Failure;

/// The section's heading.
pub const HEADING: &str = "## Ring peers: lost items, wedges and broken promises";

/// One queue's tally.
#[derive(Default, Clone)]
struct Tally {
    runs: usize,
    stalled: usize,
    livelocked: usize,
    blocked: usize,
    lost: usize,
    crashed: usize,
    checked: bool,
    broken: Vec<String>,
}

/// Failures by queue, in the order queues were first seen.
#[derive(Default)]
pub struct Faults {
    queues: Vec<(&'static str, Tally)>,
    /// Every failed run with where it happened, for the Skipped list.
    pub details: Vec<String>,
}

impl Faults {
    fn tally(&mut self, queue: &'static str) -> &mut Tally {
        let i = match self.queues.iter().position(|(n, _)| *n == queue) {
            Some(i) => i,
            None => {
                self.queues.push((queue, Tally::default()));
                self.queues.len() - 1
            }
        };
        &mut self.queues[i].1
    }

    /// Counts one run of `queue` (`place` says which), failed or not.
    pub fn record<T>(&mut self, queue: &'static str, place: &str, run: &Result<T, Failure>) {
        let t = self.tally(queue);
        t.runs += 1;
        let Err(failure) = run else { return };
        match failure {
            Failure::Stalled(_) => t.stalled += 1,
            Failure::Lost(_) => t.lost += 1,
            Failure::Wedged { spinning: true, .. } => t.livelocked += 1,
            Failure::Wedged {
                spinning: false, ..
            } => t.blocked += 1,
            Failure::Crashed(_) => t.crashed += 1,
        }
        self.details
            .push(format!("{queue}, {place}: {}", failure.describe()));
    }

    /// Records what a docs check of `queue` found broken (`place`: capacity).
    pub fn broken(&mut self, queue: &'static str, place: &str, broken: Vec<String>) {
        let t = self.tally(queue);
        t.checked = true;
        t.broken
            .extend(broken.into_iter().map(|b| format!("{place}: {b}")));
    }

    /// The section's markdown.
    pub fn write(&self, w: &mut String) -> fmt::Result {
        writeln!(w, "{HEADING}\n")?;
        writeln!(
            w,
            "Every ring, capacity and floor run of a queue ran in a child process \
             (the report binary re-run with `--child`), killed at a deadline if it had not \
             finished: a thread that never returns from a call (a livelock such as heapless \
             0.8's `mpmc`, whose `enqueue` compares sequence numbers by their low byte only, \
             so a thread that slept through 256 positions loops forever) costs a deadline, \
             not the report. \"Stalled\": the in-run watchdog saw no thread make progress \
             between calls. \"Livelocked\"/\"blocked\": killed at the deadline while \
             burning CPU / asleep. \"Lost\": the items popped did not add up to the items \
             pushed (or a queue refused an item below its capacity). \"Docs\": a single-threaded \
             check of the queue's documented capacity and FIFO order, at every capacity.\n"
        )?;
        writeln!(
            w,
            "| queue | runs | stalled | wedged inside a call | lost items | crashed | docs |"
        )?;
        writeln!(w, "|---|---|---|---|---|---|---|")?;
        for (name, t) in &self.queues {
            let of = |n: usize| {
                if n == 0 {
                    "0".to_string()
                } else {
                    format!("{n} of {} runs", t.runs)
                }
            };
            let wedged = match (t.livelocked, t.blocked) {
                (0, 0) => "0".to_string(),
                (l, 0) => format!("livelocked in {l} of {} runs", t.runs),
                (0, b) => format!("blocked in {b} of {} runs", t.runs),
                (l, b) => format!("livelocked in {l} and blocked in {b} of {} runs", t.runs),
            };
            let docs = if !t.checked {
                "not checked".to_string()
            } else if t.broken.is_empty() {
                "kept".to_string()
            } else {
                format!("broken: {}", t.broken.join("; "))
            };
            writeln!(
                w,
                "| {name} | {} | {} | {wedged} | {} | {} | {docs} |",
                t.runs,
                of(t.stalled),
                of(t.lost),
                of(t.crashed)
            )?;
        }
        writeln!(w)
    }
}
