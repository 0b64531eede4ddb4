//! The report's opening: its title and sections "Machine" (what it ran on,
//! and how loaded the machine was meanwhile) and "Method" (how every
//! section measures).

use std::fmt::{self, Write as _};
use std::path::Path;
use std::time::{Duration, Instant};

use ringpool_benches::pools::{self, QUEUE_CAPACITY};

use crate::config::Config;
use crate::machine::{self, Machine};

/// The Machine section's heading.
pub const MACHINE_HEADING: &str = "## Machine";
/// The Method section's heading.
pub const METHOD_HEADING: &str = "## Method";

/// What is read before the run starts.
pub struct Start {
    started: Instant,
    /// The machine's facts.
    pub machine: Machine,
    load: String,
    ticks: Option<(u64, u64, u64)>,
    own: Duration,
}

/// Reads the machine and its counters at the start of the run.
pub fn start() -> Start {
    Start {
        started: Instant::now(),
        machine: Machine::read(),
        load: machine::load(),
        ticks: machine::cpu_ticks(),
        own: pools::process_cpu() + machine::children_cpu(),
    }
}

/// The opening, complete once the run is over.
pub struct Header {
    start: Start,
    load_after: String,
    contention: String,
    elapsed: Duration,
    font: String,
    go: String,
}

impl Start {
    /// Reads the counters again at the end of the run.
    pub fn finish(self, font: String, go: String) -> Header {
        let load_after = machine::load();
        // Other processes' share of the machine's CPU time during the run,
        // and the hypervisor's steal: the context every figure was measured in.
        let contention = match (self.ticks, machine::cpu_ticks()) {
            (Some(b), Some(a)) if a.2 > b.2 => {
                let hz = machine::ticks_per_second();
                let total = (a.2 - b.2) as f64 / hz;
                let busy = (a.0 - b.0) as f64 / hz;
                let own = (pools::process_cpu() + machine::children_cpu())
                    .saturating_sub(self.own)
                    .as_secs_f64();
                format!(
                    "{:.0}% of the machine's CPU time went to processes other than the report \
                     and its child processes (queue runs, Go runs), {:.1}% was stolen by the \
                     hypervisor (/proc/stat and getrusage, over the run)",
                    100.0 * (busy - own).max(0.0) / total,
                    100.0 * (a.1 - b.1) as f64 / hz / total
                )
            }
            _ => "unknown (/proc/stat unreadable)".to_string(),
        };
        let elapsed = self.started.elapsed();
        Header {
            start: self,
            load_after,
            contention,
            elapsed,
            font,
            go,
        }
    }
}

impl Header {
    /// Seconds the run took.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// The title and what wrote the report.
    pub fn write_title(&self, w: &mut String, cfg: &Config) -> fmt::Result {
        writeln!(w, "# Benchmarks\n")?;
        writeln!(
            w,
            "Written by `cargo run --release -p ringpool-benches --bin report{}` \
             (`benches/src/bin/report/`); do not edit by hand. Every number below comes from \
             that one run, which took {:.0} s.\n",
            if cfg.quick { " -- --quick" } else { "" },
            self.elapsed.as_secs_f64()
        )?;
        if cfg.quick {
            writeln!(
                w,
                "> **Quick run** (`--quick`, for CI): tiny sample sizes; the numbers only show \
                 that the suite works and must not be quoted.\n"
            )?;
        }
        Ok(())
    }

    /// Machine and Method.
    pub fn write(&self, w: &mut String, cfg: &Config) -> fmt::Result {
        let m = &self.start.machine;
        writeln!(w, "{MACHINE_HEADING}\n")?;
        writeln!(w, "| | |\n|---|---|")?;
        writeln!(w, "| CPU | {} |", m.cpu)?;
        writeln!(w, "| cores (available parallelism) | {} |", m.cores)?;
        writeln!(w, "| memory | {} |", m.memory)?;
        writeln!(w, "| OS | {} |", m.os)?;
        writeln!(w, "| kernel | {} |", m.kernel)?;
        writeln!(w, "| date | {} |", m.date)?;
        writeln!(
            w,
            "| load average (1, 5, 15 min) | {} before, {} after |",
            self.start.load, self.load_after
        )?;
        writeln!(w, "| other load during the run | {} |", self.contention)?;
        writeln!(w, "| code measured | {} |", code_version())?;
        writeln!(w, "| rustc | {} |", rustc_version())?;
        writeln!(w, "| Go | {} |", self.go)?;
        writeln!(w, "| plot font | {} |\n", self.font)?;

        writeln!(w, "{METHOD_HEADING}\n")?;
        writeln!(
            w,
            "Each section runs in **{} rounds** (scaling: {}); a round runs ringpool and every \
             peer once, in an order that rotates from round to round, all driven by this one \
             process (queue runs and the Go design as child processes that time themselves). \
             A row gives the **median over rounds** and the **median of the per-round ratios**. \
             Every ratio is a speed ratio written \"A ÷ B\", > 1 meaning A is faster: \
             ringpool ÷ peer wherever ringpool is in the table (for latency, peer p50 ÷ \
             ringpool p50), row ÷ reference (ArrayQueue, a pool) in the tables of queues and \
             bounds without ringpool as their subject; each column header says which. The machine is shared with other work: single rounds swing by ±20% or \
             more, which is why only medians of interleaved rounds are given. Workloads: \
             `benches/src/queues.rs` and `benches/src/pools.rs`; queue and result channel \
             capacity {QUEUE_CAPACITY} for every bounded peer; ringpool with \
             `job_timing(false)` (no peer reads a clock per job). The report's counting \
             allocator (for the allocation figures) adds three relaxed atomic operations to \
             every allocation, so the peers that allocate per job pay slightly more here than \
             elsewhere.\n",
            cfg.rounds, cfg.scaling_rounds
        )
    }
}

/// The commit the measured code came from: `git` in the repository, noting
/// uncommitted changes to `core/` or `std-pool/`; in a copy without `.git`,
/// the `RINGPOOL_REPORT_COMMIT` environment variable.
fn code_version() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(&root)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    match git(&["rev-parse", "--short=12", "HEAD"]) {
        Some(commit) => {
            let dirty = git(&["status", "--porcelain", "--", "core", "std-pool"])
                .is_some_and(|s| !s.is_empty());
            if dirty {
                format!("commit {commit} plus uncommitted changes in core/ or std-pool/")
            } else {
                format!("commit {commit}")
            }
        }
        None => std::env::var("RINGPOOL_REPORT_COMMIT")
            .map(|c| format!("commit {c} (a clean copy)"))
            .unwrap_or_else(|_| "unknown (no git)".into()),
    }
}

fn rustc_version() -> String {
    std::process::Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into())
}
