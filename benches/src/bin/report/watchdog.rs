//! The last line of defence against a run that never returns.
//!
//! Queue runs happen in child processes with deadlines ([`crate::isolate`]),
//! so a queue that wedges becomes a row. The pool sections run their pools
//! in this process: a pool that never returned from a call would otherwise
//! hang the report. Every run of [`crate::rounds::interleave`] is armed
//! here; a watchdog thread that sees one run last longer than [`LIMIT`]
//! (no legitimate run takes a tenth of it) says which section, round,
//! configuration and row wedged, and ends the process with
//! [`WEDGED_EXIT`], so the report and CI stop with that finding instead of
//! hanging.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Once, OnceLock};
use std::time::{Duration, Instant};

use crate::rounds::Cell;

/// The longest one run may take.
pub const LIMIT: Duration = Duration::from_secs(120);

/// Exit status of a report ended by the watchdog.
pub const WEDGED_EXIT: i32 = 4;

/// When the run in progress started (nanoseconds since [`epoch`]), 0 when
/// no run is in progress.
static ARMED_AT: AtomicU64 = AtomicU64::new(0);

/// The section being measured and the cell of the run in progress.
static WHAT: Mutex<String> = Mutex::new(String::new());

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn now_nanos() -> u64 {
    // At least 1, so that 0 keeps meaning "disarmed".
    (epoch().elapsed().as_nanos() as u64).max(1)
}

/// Names the section whose runs come next.
pub fn section(what: &str) {
    *WHAT.lock().unwrap_or_else(|e| e.into_inner()) = what.to_owned();
}

/// Runs `measure` for `cell` under the watchdog.
pub fn watch<T>(cell: Cell, measure: impl FnOnce() -> T) -> T {
    static START: Once = Once::new();
    START.call_once(|| {
        epoch();
        std::thread::Builder::new()
            .name("report-watchdog".into())
            .spawn(watchdog)
            .expect("the report cannot start its watchdog thread");
    });
    {
        let mut what = WHAT.lock().unwrap_or_else(|e| e.into_inner());
        let section = what.split(" (round ").next().unwrap_or_default().to_owned();
        *what = format!(
            "{section} (round {}, configuration {}, row {})",
            cell.round + 1,
            cell.config + 1,
            cell.row + 1
        );
    }
    ARMED_AT.store(now_nanos(), Ordering::SeqCst);
    let figures = measure();
    ARMED_AT.store(0, Ordering::SeqCst);
    figures
}

fn watchdog() {
    loop {
        std::thread::sleep(Duration::from_secs(1));
        let armed_at = ARMED_AT.load(Ordering::SeqCst);
        if armed_at != 0 && now_nanos().saturating_sub(armed_at) > LIMIT.as_nanos() as u64 {
            let what = WHAT.lock().unwrap_or_else(|e| e.into_inner()).clone();
            eprintln!(
                "report: FINDING: a run of {what} made no progress for {} s: it is wedged \
                 inside a call; the report stops here (exit {WEDGED_EXIT})",
                LIMIT.as_secs()
            );
            std::process::exit(WEDGED_EXIT);
        }
    }
}
