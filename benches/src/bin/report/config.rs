//! The sizes of one report run: full (the committed report) or quick (CI).

use std::time::Duration;

/// Sizes of one run.
pub struct Config {
    /// `--quick`: sizes that only show the suite works.
    pub quick: bool,
    /// Rounds of every section but scaling.
    pub rounds: usize,
    /// Items per ring transfer and per floor circulation.
    pub ring_items: u64,
    /// Jobs per tiny-job run.
    pub tiny_jobs: u64,
    /// Warm-up jobs before a timed run.
    pub warmup: u64,
    /// Rounds of the scaling section.
    pub scaling_rounds: usize,
    /// Jobs per scaling run.
    pub scaling_jobs: u64,
    /// Jobs of the 1 µs efficiency runs.
    pub spin1_jobs: u64,
    /// Jobs of the 10 µs efficiency runs.
    pub spin10_jobs: u64,
    /// Latency samples per pool, over all rounds.
    pub latency_samples: usize,
    /// The pause before each latency sample.
    pub gap: Duration,
    /// How long an idle pool is watched.
    pub idle: Duration,
    /// The watchdog: a ring run in which a thread makes no progress for
    /// this long ends with an error.
    pub stuck: Duration,
    /// Handler runs per queue in the interrupt section.
    pub interrupts: u64,
}

impl Config {
    /// The committed report's sizes.
    pub fn full() -> Self {
        Self {
            quick: false,
            rounds: 11,
            ring_items: 200_000,
            tiny_jobs: 100_000,
            warmup: 2_000,
            scaling_rounds: 5,
            scaling_jobs: 50_000,
            spin1_jobs: 20_000,
            spin10_jobs: 4_000,
            latency_samples: 440,
            gap: Duration::from_micros(200),
            idle: Duration::from_secs(1),
            stuck: Duration::from_secs(2),
            interrupts: 5_000,
        }
    }

    /// CI's sizes (seconds per section).
    pub fn quick() -> Self {
        Self {
            quick: true,
            rounds: 3,
            ring_items: 20_000,
            tiny_jobs: 10_000,
            warmup: 500,
            scaling_rounds: 1,
            scaling_jobs: 5_000,
            spin1_jobs: 2_000,
            spin10_jobs: 400,
            latency_samples: 60,
            gap: Duration::from_micros(200),
            idle: Duration::from_millis(200),
            stuck: Duration::from_secs(1),
            interrupts: 1_000,
        }
    }

    /// How long a child process running one ring or floor measurement may
    /// take before it is killed as wedged: the watchdog's limit plus room
    /// for the run itself (a finished run takes well under a second).
    pub fn child_deadline(&self) -> Duration {
        self.stuck + Duration::from_secs(if self.quick { 2 } else { 4 })
    }

    /// Runs of the interrupt harness per queue.
    pub fn interrupt_runs(&self) -> usize {
        if self.quick { 1 } else { 3 }
    }

    /// How long the interrupt harness may run in its child: its own limit
    /// (after which it stops sending signals) and room to exit.
    pub fn interrupt_limit(&self) -> Duration {
        if self.quick {
            Duration::from_secs(2)
        } else {
            Duration::from_secs(10)
        }
    }
}
