//! How a thread waits a moment before it parks: crossbeam-utils' `Backoff`
//! (a few rounds of exponentially longer CPU spin hints, then
//! `thread::yield_now`, which lets another thread of an oversubscribed
//! machine run), for a bounded number of rounds; then the caller parks on an
//! [`Event`](crate::event::Event). Under loom each round is a loom yield
//! instead (see [`crate::sync`]).

#[cfg(not(loom))]
use crossbeam_utils::Backoff;

/// A bounded spin-then-yield phase.
pub(crate) struct BeforePark {
    #[cfg(not(loom))]
    backoff: Backoff,
    rounds: u32,
    limit: u32,
}

impl BeforePark {
    /// A phase of at most `limit` rounds.
    pub(crate) fn new(limit: u32) -> Self {
        Self {
            #[cfg(not(loom))]
            backoff: Backoff::new(),
            rounds: 0,
            limit,
        }
    }

    /// Whether every round has been used.
    pub(crate) fn exhausted(&self) -> bool {
        self.rounds >= self.limit
    }

    /// Waits one round and returns `true`, or returns `false` once the
    /// rounds are used up: time to park.
    pub(crate) fn snooze(&mut self) -> bool {
        if self.rounds >= self.limit {
            return false;
        }
        self.rounds += 1;
        #[cfg(not(loom))]
        self.backoff.snooze();
        #[cfg(loom)]
        crate::sync::yield_now();
        true
    }
}
