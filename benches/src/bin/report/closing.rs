//! The report's closing sections: "Rerunning" (the commands) and
//! "Skipped" (every row or run that gave no figure, and why).

use std::fmt::{self, Write as _};

use crate::pool_rows::GO;

/// The Rerunning section's heading.
pub const RERUN_HEADING: &str = "## Rerunning";
/// The Skipped section's heading.
pub const SKIPPED_HEADING: &str = "## Skipped";

/// Writes "Rerunning".
pub fn write_rerun(w: &mut String) -> fmt::Result {
    writeln!(w, "{RERUN_HEADING}\n")?;
    writeln!(
        w,
        "```text\n\
         cargo run --release -p ringpool-benches --bin report            # this file and its plots\n\
         cargo run --release -p ringpool-benches --bin report -- --quick --out /tmp/r  # seconds, CI\n\
         cargo run --release -p ringpool-benches --bin report -- --list-sections       # headings\n\
         cargo bench -p ringpool-benches --bench ring                    # criterion, ring rows\n\
         cargo bench -p ringpool-benches --bench pool                    # criterion, pool rows\n\
         cargo test --release -p ringpool-benches --test interrupt       # the interrupt test\n\
         ```\n\n\
         The report installs Debian's `golang-go` when Go is missing and it runs as root; the \
         plots need a TrueType font (`fonts-dejavu-core`, or `RINGPOOL_REPORT_FONT=file.ttf`). \
         Findings behind the figures: `benches/notes/`.\n"
    )
}

/// Writes "Skipped": `skipped` rows, `failed` runs, and the Go runs that
/// failed.
pub fn write_skipped(
    w: &mut String,
    skipped: &[String],
    failed: &[String],
    go_errors: &[String],
) -> fmt::Result {
    writeln!(w, "{SKIPPED_HEADING}\n")?;
    if skipped.is_empty() && failed.is_empty() && go_errors.is_empty() {
        writeln!(w, "Nothing was skipped.")?;
    }
    for s in skipped {
        writeln!(w, "- {s}")?;
    }
    for f in failed {
        writeln!(w, "- a run gave no figure: {f}")?;
    }
    for e in go_errors {
        writeln!(w, "- {GO}: a run failed: {e}")?;
    }
    writeln!(w)
}
