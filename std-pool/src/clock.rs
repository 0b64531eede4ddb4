//! The job clock: `quanta`'s reading of the CPU's time-stamp counter,
//! taken directly rather than through `clock_gettime` as
//! `std::time::Instant` does (`cargo bench -p ringpool-benches --bench clock`
//! measures both; on the 2-core KVM machine of `BENCHMARKS.md`: about 17 ns
//! against 30 ns a read). A pool built with
//! [`Builder::job_timing(false)`](crate::Builder::job_timing) reads no clock
//! per job at all.

use quanta::Instant;
use std::time::Duration;

/// Reads the clock when per-job timing is on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct JobClock {
    enabled: bool,
}

/// A point in time, or nothing when timing is off.
pub(crate) type Stamp = Option<Instant>;

impl JobClock {
    pub(crate) fn new(enabled: bool) -> Self {
        if enabled {
            // Calibrate now rather than inside the first job.
            let _ = Instant::now();
        }
        Self { enabled }
    }

    #[inline]
    pub(crate) fn now(self) -> Stamp {
        self.enabled.then(Instant::now)
    }
}

/// Time from `earlier` to `later`, if both were taken.
#[inline]
pub(crate) fn between(earlier: Stamp, later: Stamp) -> Option<Duration> {
    Some(later?.saturating_duration_since(earlier?))
}
