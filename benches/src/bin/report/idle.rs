//! Section "Idle CPU": a started pool of 2 workers that ran one job, then
//! sat idle; its process CPU time over the idle period, for every pool row
//! (one measurement each).

use std::fmt::{self, Write as _};
use std::time::Duration;

use crate::config::Config;
use crate::pool_rows::PoolRows;
use crate::rounds::{Grid, interleave};

/// The section's heading.
pub const HEADING: &str = "## Idle CPU";

/// Idle CPU (% of one core) per row.
pub struct Idle {
    names: Vec<&'static str>,
    grid: Grid<f64>,
    idle: Duration,
}

/// Measures every row once.
pub fn measure(cfg: &Config, rows: &PoolRows) -> Idle {
    let grid = interleave(1, 1, rows.len(), |cell| {
        let (cpu, wall) = if cell.row == rows.go_row() {
            rows.go_result(rows.go.idle(2, cfg.idle))?
        } else {
            (rows.peers[cell.row].idle)(2, cfg.idle)
        };
        Some(100.0 * cpu.as_secs_f64() / wall.as_secs_f64())
    });
    Idle {
        names: rows.names(),
        grid,
        idle: cfg.idle,
    }
}

impl Idle {
    /// ringpool's idle CPU in % of one core.
    pub fn ringpool(&self) -> f64 {
        self.grid.median(0, 0)
    }

    /// The section.
    pub fn write(&self, w: &mut String) -> fmt::Result {
        writeln!(w, "{HEADING}\n")?;
        writeln!(
            w,
            "A started pool of 2 workers that ran one job, then sat idle: process CPU time \
             (user + system, `getrusage(RUSAGE_SELF)`) over {} ms of idleness (after 100 ms to \
             settle), as a percentage of one core. The measuring thread sleeps meanwhile, so \
             the figure is the pool's (the Go process measures itself the same way). One \
             measurement per pool.\n",
            self.idle.as_millis()
        )?;
        writeln!(w, "| pool | idle CPU (% of one core) |")?;
        writeln!(w, "|---|---|")?;
        for (pi, name) in self.names.iter().enumerate() {
            let v = self.grid.median(0, pi);
            if v.is_finite() {
                writeln!(w, "| {name} | {v:.3}% |")?;
            } else {
                writeln!(w, "| {name} | skipped (see below) |")?;
            }
        }
        writeln!(w)
    }
}
