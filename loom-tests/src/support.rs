//! Shared model helpers: the preemption bound and a drop-counting item.

use ringpool_core::{PopError, Ring};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The suite's preemption bound when `LOOM_MAX_PREEMPTIONS` is unset.
const DEFAULT_PREEMPTIONS: usize = 2;

/// Runs `model` under loom, exploring every interleaving with at most
/// `LOOM_MAX_PREEMPTIONS + extra` preemptions (the variable defaults to 2).
///
/// Small models (two threads, a handful of operations) pass `extra = 1`, so
/// the default run explores them with 3 preemptions; larger ones pass 0.
pub fn check<F>(extra: usize, model: F)
where
    F: Fn() + Sync + Send + 'static,
{
    let mut builder = loom::model::Builder::new();
    let base = builder.preemption_bound.unwrap_or(DEFAULT_PREEMPTIONS);
    builder.preemption_bound = Some(base + extra);
    builder.check(model);
}

/// How many times each item of one model run has been dropped.
///
/// The counters are plain std atomics: loom runs one thread at a time, and
/// they are read only after every model thread was joined, so they need no
/// modelling of their own.
#[derive(Debug)]
pub struct DropLog {
    drops: Vec<AtomicUsize>,
}

impl DropLog {
    /// A log for items `0..items`.
    pub fn new(items: usize) -> Arc<Self> {
        Arc::new(Self {
            drops: (0..items).map(|_| AtomicUsize::new(0)).collect(),
        })
    }

    /// Item `id`, tied to this log.
    pub fn item(self: &Arc<Self>, id: usize) -> Tracked {
        Tracked {
            id,
            log: Arc::clone(self),
        }
    }

    /// How many times item `id` has been dropped.
    pub fn drops(&self, id: usize) -> usize {
        self.drops[id].load(Ordering::SeqCst)
    }

    /// Asserts that every item was dropped exactly once.
    pub fn assert_each_dropped_once(&self) {
        for id in 0..self.drops.len() {
            assert_eq!(
                self.drops(id),
                1,
                "item {id} dropped {} times",
                self.drops(id)
            );
        }
    }
}

/// An item that records its drop in a [`DropLog`].
#[derive(Debug)]
pub struct Tracked {
    /// Which item this is.
    pub id: usize,
    log: Arc<DropLog>,
}

impl PartialEq for Tracked {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.log.drops[self.id].fetch_add(1, Ordering::SeqCst);
    }
}

/// The ids of a list of items, for assertions.
pub fn ids(items: &[Tracked]) -> Vec<usize> {
    items.iter().map(|t| t.id).collect()
}

/// Runs `ring` (empty) through `laps` full fill-and-drain laps before a
/// model's racing part, so that the race happens at tickets of later cycles
/// and entries that have been reused: the lap bugs live there.
pub fn precycle<const N: usize>(ring: &Ring<Tracked, N>, laps: usize) {
    let log = DropLog::new(N);
    for _ in 0..laps {
        for id in 0..N {
            assert!(ring.push(log.item(id)).is_ok(), "precycle push {id}");
        }
        for id in 0..N {
            assert_eq!(ring.pop().map(|t| t.id), Ok(id), "precycle pop");
        }
        assert_eq!(ring.pop(), Err(PopError::Empty));
    }
    for id in 0..N {
        assert_eq!(log.drops(id), laps, "precycle item {id}");
    }
}

/// Pops until the ring reports `Empty` or `Closed` (at most `limit` items),
/// returning the items and the error that ended the drain.
pub fn drain<const N: usize>(ring: &Ring<Tracked, N>, limit: usize) -> (Vec<Tracked>, PopError) {
    let mut items = Vec::new();
    for _ in 0..=limit {
        match ring.pop() {
            Ok(item) => items.push(item),
            Err(e) => return (items, e),
        }
    }
    panic!("drain: more than {limit} items");
}
