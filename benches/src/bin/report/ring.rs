//! Sections "Ring" and "Ring against capacity": `P` producers and `P`
//! consumers move `u64` items through one queue (`ringpool_benches::queues::transfer`), for
//! every queue of [`peers::all`] (1/1, 2/2, 4/4) at every capacity it runs
//! at, each run in a child process with a deadline ([`isolate`]); the heap
//! bytes per slot of a fresh queue of each kind and capacity; and a
//! single-threaded check of each queue's documented capacity and order.
//!
//! Batch rows (several items per call) belong here too: a batch queue is
//! one more [`peers::Kind`] whose transfer moves `k` items per call, and
//! its rows then appear in both tables with the same ratios.

use std::fmt::{self, Write as _};
use std::time::Duration;

use ringpool_benches::peers::{self, Kind};
use ringpool_benches::queues::{CAPACITIES, CAPACITY};

use crate::alloc;
use crate::config::Config;
use crate::faults::Faults;
use crate::isolate::{self, Failure};
use crate::rounds::{Grid, Ratio, interleave};
use crate::stats::{fmt_rate, rate};

/// The Ring section's heading.
pub const HEADING: &str = "## Ring";
/// The capacity section's heading.
pub const CAPACITY_HEADING: &str = "## Ring against capacity";

/// Producer/consumer thread counts.
pub const THREADS: [usize; 3] = [1, 2, 4];

/// After this many failed runs of a queue in one configuration it is not
/// run again there; after one wedge (each costs a whole deadline) neither.
const MAX_FAILURES: usize = 2;

/// Row of ringpool (every capacity lists it first).
const RINGPOOL: usize = 0;
/// Row of `ArrayQueue`.
const ARRAY_QUEUE: usize = 1;

/// The ring figures.
pub struct Ring {
    /// Rows at [`CAPACITY`] (queue kinds, ringpool first).
    names: Vec<&'static str>,
    /// `(capacity, threads)` of each configuration of `grid`.
    configs: Vec<(usize, usize)>,
    /// items/s per configuration, row and round.
    grid: Grid<f64>,
    /// Heap bytes per slot, per (capacity, row).
    bytes: Vec<Vec<f64>>,
    /// Rows run at capacities other than [`CAPACITY`].
    sized_rows: usize,
    items: u64,
    stuck: Duration,
    deadline: Duration,
    cores: usize,
}

/// The kinds at `capacity`, in row order.
fn kinds_at(capacity: usize) -> Vec<Kind> {
    peers::all()
        .into_iter()
        .filter(|k| k.capacity == capacity)
        .collect()
}

/// Heap bytes a fresh queue of this kind holds, per slot (the counting
/// allocator's bytes in use before and after building it).
fn bytes_per_slot(kind: &Kind) -> f64 {
    let before = alloc::in_use();
    let queue = (kind.build)();
    let after = alloc::in_use();
    drop(queue);
    after.saturating_sub(before) as f64 / kind.capacity as f64
}

/// Runs the ring rows; failures and docs checks go to `faults`.
pub fn measure(cfg: &Config, cores: usize, faults: &mut Faults) -> Ring {
    let by_capacity: Vec<Vec<Kind>> = CAPACITIES.iter().map(|&c| kinds_at(c)).collect();
    let main = CAPACITIES
        .iter()
        .position(|&c| c == CAPACITY)
        .expect("CAPACITY is one of CAPACITIES");
    let rows = by_capacity[main].len();
    let sized_rows = by_capacity[(main + 1) % CAPACITIES.len()].len();
    let configs: Vec<(usize, usize)> = CAPACITIES
        .iter()
        .flat_map(|&c| THREADS.iter().map(move |&t| (c, t)))
        .collect();

    for kinds in &by_capacity {
        for kind in kinds {
            let args = vec![
                "check".into(),
                kind.name.to_string(),
                kind.capacity.to_string(),
            ];
            let place = format!("capacity {}", kind.capacity);
            match isolate::run(&args, cfg.child_deadline()) {
                Ok(out) => {
                    let broken: Vec<String> = out
                        .lines()
                        .filter_map(|l| l.strip_prefix("broken: "))
                        .map(str::to_string)
                        .collect();
                    faults.broken(kind.name, &place, broken);
                }
                Err(failure) => {
                    faults.broken(kind.name, &place, vec![failure.describe()]);
                }
            }
        }
    }

    let mut failures = vec![vec![0usize; rows]; configs.len()];
    let grid = interleave(cfg.rounds, configs.len(), rows, |cell| {
        let (capacity, threads) = configs[cell.config];
        let kind = *by_capacity[CAPACITIES.iter().position(|&c| c == capacity)?].get(cell.row)?;
        if failures[cell.config][cell.row] >= MAX_FAILURES {
            return None;
        }
        let args = isolate::transfer_args(kind.name, capacity, threads, cfg.ring_items, cfg.stuck);
        let run = isolate::timed(&args, cfg.child_deadline());
        let place = format!(
            "capacity {capacity}, {threads}/{threads}, round {}",
            cell.round + 1
        );
        faults.record(kind.name, &place, &run);
        match run {
            Ok(d) => Some(rate(cfg.ring_items, d)),
            Err(e) => {
                eprintln!("report: {}: {place}: {}", kind.name, e.describe());
                failures[cell.config][cell.row] += if matches!(e, Failure::Wedged { .. }) {
                    MAX_FAILURES
                } else {
                    1
                };
                None
            }
        }
    });

    let bytes = by_capacity
        .iter()
        .map(|kinds| kinds.iter().map(bytes_per_slot).collect())
        .collect();
    Ring {
        names: by_capacity[main].iter().map(|k| k.name).collect(),
        configs,
        grid,
        bytes,
        sized_rows,
        items: cfg.ring_items,
        stuck: cfg.stuck,
        deadline: cfg.child_deadline(),
        cores,
    }
}

/// Every row name of the two sections (the names at [`CAPACITY`]).
pub fn rows() -> Vec<&'static str> {
    peers::names()
}

impl Ring {
    fn config(&self, capacity: usize, threads: usize) -> usize {
        self.configs
            .iter()
            .position(|&c| c == (capacity, threads))
            .expect("a measured configuration")
    }

    fn row(&self, name: &str) -> usize {
        self.names
            .iter()
            .position(|&n| n == name)
            .expect("a measured queue")
    }

    fn capacity_index(capacity: usize) -> usize {
        CAPACITIES
            .iter()
            .position(|&c| c == capacity)
            .expect("a measured capacity")
    }

    /// ringpool ÷ `queue` in items/s at [`CAPACITY`] (median of per-round
    /// ratios).
    pub fn ringpool_over(&self, queue: &str, threads: usize) -> f64 {
        self.grid.ratio(
            self.config(CAPACITY, threads),
            self.row(queue),
            RINGPOOL,
            Ratio::BaseOverRow,
        )
    }

    /// ringpool ÷ ArrayQueue at `capacity`.
    pub fn ringpool_over_array_queue(&self, capacity: usize, threads: usize) -> f64 {
        self.grid.ratio(
            self.config(capacity, threads),
            RINGPOOL,
            ARRAY_QUEUE,
            Ratio::RowOverBase,
        )
    }

    /// The Ring section (capacity [`CAPACITY`]).
    pub fn write(&self, w: &mut String) -> fmt::Result {
        writeln!(w, "{HEADING}\n")?;
        writeln!(
            w,
            "`P` producers and `P` consumers move {} `u64` items through one queue of capacity \
             {CAPACITY} (channels through `try_send`/`try_recv`); spin 8 then `yield_now` on \
             Full/empty; timed from the first thread's start to the last thread's end, inside a \
             child process (see \"{}\"). 4/4 oversubscribes the {} cores on purpose. A watchdog \
             ends a run in which a thread makes no progress for {:?} (a queue that lost an item \
             or wedged; heapless 0.8 and ArrayQueue are not lock-free, so a preempted thread can \
             block its peers, but only for a time slice); a child still running {:?} after its \
             start is killed (and the queue is not run again in that configuration). lfqueue \
             (`ConstBoundedQueue`, `AllocBoundedQueue`) and nolock \
             (`queues::mpmc::bounded::scq`) implement the same algorithm as ringpool's `Ring` \
             (Nikolaev's SCQ). Bytes per slot: heap bytes of a fresh queue ÷ its capacity \
             (the report's counting allocator; every queue is boxed). Ratio = ringpool ÷ queue; \
             > 1 means ringpool is faster.\n",
            self.items,
            crate::faults::HEADING.trim_start_matches("## "),
            self.cores,
            self.stuck,
            self.deadline,
        )?;
        writeln!(
            w,
            "| queue | P/C | median items/s | ringpool ÷ queue (> 1: ringpool faster) | bytes per \
             slot |"
        )?;
        writeln!(w, "|---|---|---|---|---|")?;
        let ci = Self::capacity_index(CAPACITY);
        for &threads in &THREADS {
            let config = self.config(CAPACITY, threads);
            for (row, name) in self.names.iter().enumerate() {
                let runs = self.grid.runs(config, row).len();
                let finished = self.grid.finished(config, row);
                let bytes = format!("{:.1}", self.bytes[ci][row]);
                if finished == 0 {
                    writeln!(
                        w,
                        "| {name} | {threads}/{threads} | no run finished (see Skipped) | – | \
                         {bytes} |"
                    )?;
                    continue;
                }
                let note = if finished < runs {
                    format!(" ({finished} of {runs} rounds finished; see Skipped)")
                } else {
                    String::new()
                };
                writeln!(
                    w,
                    "| {name} | {threads}/{threads} | {}{note} | {} | {bytes} |",
                    fmt_rate(self.grid.median(config, row)),
                    self.grid
                        .ratio_cell(config, row, RINGPOOL, Ratio::BaseOverRow)
                )?;
            }
        }
        writeln!(w)
    }

    /// The capacity section.
    pub fn write_capacity(&self, w: &mut String) -> fmt::Result {
        writeln!(w, "{CAPACITY_HEADING}\n")?;
        writeln!(
            w,
            "The ring rows above for the lock-free rings and Vyukov's queues at capacities \
             {}: median items/s and, in brackets, queue ÷ ArrayQueue at the same capacity \
             and thread count (median of per-round ratios; > 1: the queue is faster). \
             The channels run at {CAPACITY} only. Then the heap bytes per slot of a fresh \
             queue at each capacity.\n",
            CAPACITIES.map(|c| c.to_string()).join(", ")
        )?;
        write!(w, "| queue | P/C |")?;
        for c in CAPACITIES {
            write!(w, " capacity {c} |")?;
        }
        writeln!(w, "\n|---|---|{}", "---|".repeat(CAPACITIES.len()))?;
        for &threads in &THREADS {
            for row in 0..self.sized_rows {
                write!(w, "| {} | {threads}/{threads} |", self.names[row])?;
                for c in CAPACITIES {
                    let config = self.config(c, threads);
                    let v = self.grid.median(config, row);
                    if v.is_finite() {
                        write!(
                            w,
                            " {} ({}) |",
                            fmt_rate(v),
                            self.grid
                                .ratio_cell(config, row, ARRAY_QUEUE, Ratio::RowOverBase)
                        )?;
                    } else {
                        write!(w, " no run finished |")?;
                    }
                }
                writeln!(w)?;
            }
        }
        writeln!(w)?;
        write!(w, "| queue | bytes per slot at |")?;
        for c in CAPACITIES {
            write!(w, " {c} |")?;
        }
        writeln!(w, "\n|---|---|{}", "---|".repeat(CAPACITIES.len()))?;
        for row in 0..self.sized_rows {
            write!(w, "| {} | |", self.names[row])?;
            for ci in 0..CAPACITIES.len() {
                write!(w, " {:.1} |", self.bytes[ci][row])?;
            }
            writeln!(w)?;
        }
        writeln!(w)
    }
}

/// ringpool's ratio to ArrayQueue at `capacity` against the same at
/// [`CAPACITY`], per thread count: the capacity target's figure.
pub fn capacity_keep(ring: &Ring, capacity: usize, threads: usize) -> (f64, f64) {
    (
        ring.ringpool_over_array_queue(capacity, threads),
        ring.ringpool_over_array_queue(CAPACITY, threads),
    )
}
