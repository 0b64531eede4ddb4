//! Section "Ring batches": `k` = 8 items per push and pop call
//! ([`ringpool_benches::batch::transfer_batched`]) for every row of
//! [`batch::kinds`], at 1/1 and 2/2, against `ArrayQueue` moving single
//! items (the ring rows' transfer), each run in a child process with a
//! deadline. A queue with batch operations gets its row by one line in
//! [`batch::kinds`]; the rows made of single calls are what it must beat.

use std::fmt::{self, Write as _};

use ringpool_benches::batch::{self, Kind};
use ringpool_benches::queues::CAPACITY;

use crate::config::Config;
use crate::faults::Faults;
use crate::isolate;
use crate::rounds::{Grid, Ratio, interleave};
use crate::stats::{fmt_rate, fmt_ratio, rate};

/// The section's heading.
pub const HEADING: &str = "## Ring batches";
/// Items per call.
pub const K: usize = 8;
/// Producer/consumer thread counts (the batch target's).
const THREADS: [usize; 2] = [1, 2];
/// The base row's name.
const BASE: &str = "ArrayQueue, single items";

/// The row names.
pub fn rows() -> Vec<&'static str> {
    std::iter::once(BASE)
        .chain(batch::kinds().iter().map(|k| k.name))
        .collect()
}

/// items/s per thread count, row (the base first) and round.
pub struct RingBatch {
    kinds: Vec<Kind>,
    grid: Grid<f64>,
    items: u64,
}

/// Runs the batch rows.
pub fn measure(cfg: &Config, faults: &mut Faults) -> RingBatch {
    let kinds = batch::kinds();
    let grid = interleave(cfg.rounds, THREADS.len(), kinds.len() + 1, |cell| {
        let threads = THREADS[cell.config];
        let (name, args) = if cell.row == 0 {
            (
                "ArrayQueue",
                isolate::transfer_args("ArrayQueue", CAPACITY, threads, cfg.ring_items, cfg.stuck),
            )
        } else {
            let kind = kinds[cell.row - 1];
            (
                kind.name,
                isolate::batch_args(kind.name, threads, cfg.ring_items, K, cfg.stuck),
            )
        };
        let run = isolate::timed(&args, cfg.child_deadline());
        faults.record(
            name,
            &format!("batches, {threads}/{threads}, round {}", cell.round + 1),
            &run,
        );
        run.ok().map(|d| rate(cfg.ring_items, d))
    });
    RingBatch {
        kinds,
        grid,
        items: cfg.ring_items,
    }
}

impl RingBatch {
    /// The batch target: the best native batch row ÷ ArrayQueue single
    /// items, per thread count; `None` when no row has batch operations.
    pub fn target(&self) -> Option<Vec<(usize, &'static str, f64)>> {
        let native: Vec<usize> = (0..self.kinds.len())
            .filter(|&i| self.kinds[i].native)
            .collect();
        if native.is_empty() {
            return None;
        }
        Some(
            THREADS
                .iter()
                .enumerate()
                .map(|(ti, &t)| {
                    native
                        .iter()
                        .map(|&i| {
                            let r = self.grid.ratio(ti, i + 1, 0, Ratio::RowOverBase);
                            (t, self.kinds[i].name, r)
                        })
                        .max_by(|a, b| a.2.total_cmp(&b.2))
                        .expect("a native row")
                })
                .collect(),
        )
    }

    /// The section.
    pub fn write(&self, w: &mut String) -> fmt::Result {
        writeln!(w, "{HEADING}\n")?;
        writeln!(
            w,
            "The ring transfer ({} items, capacity {CAPACITY}) with every producer pushing and \
             every consumer popping up to {K} items per call (`benches/src/batch.rs`), against \
             ArrayQueue moving single items. A row \"batch of single push/pop calls\" makes \
             each batch from single calls: the figure a queue's own batch operations must \
             beat. Ratio = row ÷ ArrayQueue single items (> 1: the row is faster). {}\n",
            self.items,
            if self.kinds.iter().any(|k| k.native) {
                "Rows without that suffix use the queue's own batch operations."
            } else {
                "No queue here has batch operations at this commit."
            }
        )?;
        writeln!(
            w,
            "| queue | P/C | median items/s | row ÷ ArrayQueue single items (> 1: row faster) |"
        )?;
        writeln!(w, "|---|---|---|---|")?;
        let names = rows();
        for (ti, &t) in THREADS.iter().enumerate() {
            for (row, name) in names.iter().enumerate() {
                writeln!(
                    w,
                    "| {name} | {t}/{t} | {} | {} |",
                    fmt_rate(self.grid.median(ti, row)),
                    self.grid.ratio_cell(ti, row, 0, Ratio::RowOverBase)
                )?;
            }
        }
        writeln!(w)
    }
}

/// "1/1: 1.10x (row), 2/2: 0.95x (row)" and whether all reach 1.0.
pub fn fmt_target(values: &[(usize, &str, f64)]) -> (String, bool) {
    let text = values
        .iter()
        .map(|(t, name, r)| format!("{t}/{t}: {} ({name})", fmt_ratio(*r)))
        .collect::<Vec<_>>()
        .join(", ");
    (text, values.iter().all(|v| v.2 >= 1.0))
}
