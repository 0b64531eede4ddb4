//! Every run of a queue that could lose an item, wedge inside a call or
//! panic happens in a child process: this binary re-run with `--child ...`
//! arguments ([`child_main`]), watched by [`run`] with a deadline
//! ([`ringpool_benches::child`]). A failed run becomes a [`Failure`], which
//! the sections report as rows; the report itself never crashes or hangs
//! on a peer.

use std::process::Command;
use std::time::Duration;

use ringpool_benches::child::{self, Outcome};
use ringpool_benches::{batch, circulation, peers};

/// Exit status of a child whose watchdog ended the run (no progress between
/// calls).
const STALLED: i32 = 3;

/// Why a child run gave no figure.
#[derive(Clone, Debug)]
pub enum Failure {
    /// The watchdog ended it: no thread made progress between calls.
    Stalled(String),
    /// It panicked because items were lost, duplicated or refused.
    Lost(String),
    /// It was killed at the deadline, a thread still inside a call.
    Wedged {
        /// Burning CPU at the end (livelock) rather than asleep (blocked).
        spinning: bool,
        /// The last `step=` the child printed: what it was doing.
        step: Option<String>,
    },
    /// Any other failure (a panic, a child that could not start).
    Crashed(String),
}

impl Failure {
    /// One line for the Skipped list.
    pub fn describe(&self) -> String {
        match self {
            Failure::Stalled(e) => e.clone(),
            Failure::Lost(e) => format!("items lost or duplicated: {e}"),
            Failure::Wedged { spinning, step } => format!(
                "{}{}",
                if *spinning {
                    "livelocked: killed at the deadline while spinning inside a call"
                } else {
                    "blocked: killed at the deadline, asleep inside a call"
                },
                step.as_ref()
                    .map_or(String::new(), |s| format!(" ({})", s.replace('_', " ")))
            ),
            Failure::Crashed(e) => format!("crashed: {e}"),
        }
    }
}

/// Runs this binary with `args` as a child and returns what it printed.
pub fn run(args: &[String], deadline: Duration) -> Result<String, Failure> {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => return Err(Failure::Crashed(format!("current_exe: {e}"))),
    };
    let mut command = Command::new(exe);
    command.arg("--child").args(args);
    match child::run(command, deadline) {
        Outcome::Exited {
            success: true,
            stdout,
            ..
        } => Ok(stdout),
        Outcome::Exited { stderr, .. } => {
            let last = stderr
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty() && !l.contains("RUST_BACKTRACE"))
                .unwrap_or("no message")
                .trim()
                .to_string();
            if stderr.contains("stalled:") {
                Err(Failure::Stalled(
                    last.trim_start_matches("stalled: ").into(),
                ))
            } else if ["lost", "duplicated", "twice", "Full with fewer"]
                .iter()
                .any(|w| stderr.contains(w))
            {
                Err(Failure::Lost(last))
            } else {
                Err(Failure::Crashed(last))
            }
        }
        Outcome::Killed { spinning, stdout } => Err(Failure::Wedged {
            spinning,
            step: stdout
                .lines()
                .rev()
                .find_map(|l| l.strip_prefix("step="))
                .map(str::to_string),
        }),
        Outcome::Failed(e) => Err(Failure::Crashed(e)),
    }
}

/// A child that prints `ns=N`: its duration.
pub fn timed(args: &[String], deadline: Duration) -> Result<Duration, Failure> {
    let out = run(args, deadline)?;
    child::field(&out, "ns")
        .map(Duration::from_nanos)
        .ok_or_else(|| Failure::Crashed(format!("no ns= in the child's output {out:?}")))
}

/// The arguments of a ring transfer child.
pub fn transfer_args(
    name: &str,
    capacity: usize,
    threads: usize,
    items: u64,
    stuck: Duration,
) -> Vec<String> {
    vec![
        "transfer".into(),
        name.into(),
        capacity.to_string(),
        threads.to_string(),
        items.to_string(),
        stuck.as_millis().to_string(),
    ]
}

/// The arguments of a floor circulation child.
pub fn circulate_args(name: &str, threads: usize, per_thread: u64, stuck: Duration) -> Vec<String> {
    vec![
        "circulate".into(),
        name.into(),
        threads.to_string(),
        per_thread.to_string(),
        stuck.as_millis().to_string(),
    ]
}

/// The arguments of a batch transfer child.
pub fn batch_args(
    name: &str,
    threads: usize,
    items: u64,
    k: usize,
    stuck: Duration,
) -> Vec<String> {
    vec![
        "batch".into(),
        name.into(),
        threads.to_string(),
        items.to_string(),
        k.to_string(),
        stuck.as_millis().to_string(),
    ]
}

/// The child's side: `args` after `--child`. Prints its result and exits
/// 0, or exits [`STALLED`] with `stalled: why` on standard error, or
/// panics (exit 101) when items were lost.
pub fn child_main(args: &[String]) -> ! {
    let fail = |e: String| -> ! {
        eprintln!("report --child: {e}");
        std::process::exit(2)
    };
    let num = |i: usize| -> u64 {
        args.get(i)
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| fail(format!("argument {i} of {args:?} is not a number")))
    };
    let name = args.get(1).map(String::as_str).unwrap_or("");
    let timed = |r: Result<Duration, String>| -> ! {
        match r {
            Ok(d) => {
                println!("ns={}", d.as_nanos());
                std::process::exit(0)
            }
            Err(e) => {
                eprintln!("stalled: {e}");
                std::process::exit(STALLED)
            }
        }
    };
    match args.first().map(String::as_str) {
        Some("transfer") => {
            let kind = peers::find(name, num(2) as usize)
                .unwrap_or_else(|| fail(format!("no queue {name:?} at capacity {}", num(2))));
            timed((kind.transfer)(
                num(4),
                num(3) as usize,
                Duration::from_millis(num(5)),
            ))
        }
        Some("circulate") => {
            let (_, run) = circulation::kinds()
                .into_iter()
                .find(|k| k.0 == name)
                .unwrap_or_else(|| fail(format!("no floor queue {name:?}")));
            timed(run(num(3), num(2) as usize, Duration::from_millis(num(4))))
        }
        Some("batch") => {
            let kind = batch::kinds()
                .into_iter()
                .find(|k| k.name == name)
                .unwrap_or_else(|| fail(format!("no batch row {name:?}")));
            timed((kind.transfer)(
                num(3),
                num(2) as usize,
                num(4) as usize,
                Duration::from_millis(num(5)),
            ))
        }
        Some("check") => {
            let kind = peers::find(name, num(2) as usize)
                .unwrap_or_else(|| fail(format!("no queue {name:?} at capacity {}", num(2))));
            for broken in (kind.check)(&|step| {
                use std::io::Write as _;
                println!("step={step}");
                let _ = std::io::stdout().flush();
            }) {
                println!("broken: {broken}");
            }
            std::process::exit(0)
        }
        Some("interrupt") => {
            let kind = peers::find(name, num(2) as usize)
                .unwrap_or_else(|| fail(format!("no queue {name:?} at capacity {}", num(2))));
            let outcome = (kind.interrupt)(num(3), Duration::from_millis(num(4)));
            println!("{}", outcome.to_line());
            std::process::exit(0)
        }
        _ => fail(format!("unknown child task {args:?}")),
    }
}
