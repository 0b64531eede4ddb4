//! The rows of the pool sections: ringpool and its Rust peers (monomorphised
//! drivers) and the Go design (a child process), with the bookkeeping every
//! pool section shares: which rows ran, and the Go runs that failed.

use std::cell::RefCell;
use std::time::Duration;

use ringpool_benches::pools::{
    self, GoStyleCrossbeam, PoolPeer, Rayon, Ringpool, RingpoolHelping, RingpoolTakeBatch,
    RustBook, ThreadPoolCrate, Work,
};

use crate::gopeer::GoPeer;

/// The Go row's name.
pub const GO: &str = "Go worker pool";

type ThroughputFn = fn(usize, u64, u64, Work, &dyn Fn(), &dyn Fn()) -> Duration;

/// A Rust pool's drivers, monomorphised.
pub struct Peer {
    /// The row's name.
    pub name: &'static str,
    /// [`pools::throughput`].
    pub throughput: ThroughputFn,
    /// [`pools::latency`].
    pub latency: fn(usize, usize, Duration) -> Vec<Duration>,
    /// [`pools::idle_cpu`].
    pub idle: fn(usize, Duration) -> (Duration, Duration),
}

fn peer<P: PoolPeer>() -> Peer {
    Peer {
        name: P::NAME,
        throughput: pools::throughput::<P>,
        latency: pools::latency::<P>,
        idle: pools::idle_cpu::<P>,
    }
}

/// The Rust pools, ringpool first (default settings), then ringpool's
/// opt-in variants ([`is_ringpool_variant`]), then the peers.
fn rust_peers() -> Vec<Peer> {
    vec![
        peer::<Ringpool>(),
        peer::<RingpoolHelping>(),
        peer::<RingpoolTakeBatch>(),
        peer::<GoStyleCrossbeam>(),
        peer::<RustBook>(),
        peer::<ThreadPoolCrate>(),
        peer::<Rayon>(),
    ]
}

/// Whether row `name` is ringpool with an opt-in setting (helping,
/// take_batch): shown beside the peers, never taken for one.
pub fn is_ringpool_variant(name: &str) -> bool {
    name == RingpoolHelping::NAME || name == RingpoolTakeBatch::NAME
}

/// The pool rows: the Rust peers, then the Go row.
pub struct PoolRows {
    /// The Rust pools, ringpool first.
    pub peers: Vec<Peer>,
    /// The Go design.
    pub go: GoPeer,
    /// Why the Go rows are skipped, if they are.
    pub go_skip: Option<String>,
    /// Go runs that failed although Go was ready.
    pub go_errors: RefCell<Vec<String>>,
}

/// Every row name of the pool sections, Go last.
pub fn names() -> Vec<&'static str> {
    rust_peers()
        .iter()
        .map(|p| p.name)
        .chain(std::iter::once(GO))
        .collect()
}

impl PoolRows {
    /// The rows, with Go built (or skipped with a reason).
    pub fn new(go: GoPeer) -> Self {
        let go_skip = match &go {
            GoPeer::Skipped(why) => Some(why.clone()),
            GoPeer::Ready(_) => None,
        };
        Self {
            peers: rust_peers(),
            go,
            go_skip,
            go_errors: RefCell::new(Vec::new()),
        }
    }

    /// Rows including Go.
    pub fn len(&self) -> usize {
        self.peers.len() + 1
    }

    /// The Go row's index.
    pub fn go_row(&self) -> usize {
        self.peers.len()
    }

    /// Row names, Go last.
    pub fn names(&self) -> Vec<&'static str> {
        names()
    }

    /// Whether row `pi` ran (every row but a skipped Go).
    pub fn has(&self, pi: usize) -> bool {
        pi != self.go_row() || self.go_skip.is_none()
    }

    /// A Go run's result; its error is kept unless Go was skipped anyway.
    pub fn go_result<T>(&self, result: Result<T, String>) -> Option<T> {
        result
            .map_err(|e| {
                if self.go_skip.is_none() {
                    self.go_errors.borrow_mut().push(e);
                }
            })
            .ok()
    }
}
