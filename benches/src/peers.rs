//! Every queue of the ring rows at every capacity the report runs it at,
//! monomorphised once: a [`Kind`] names a queue type and carries its
//! drivers. The report and its child processes find a queue by name and
//! capacity here, so a child re-run of the report binary measures exactly
//! the type the parent asked for.
//!
//! The ring family and Vyukov's queues run at every capacity of
//! [`CAPACITIES`]; the channels only at [`CAPACITY`] (they are the pool
//! peers' building blocks, not rings, and each extra row costs CI time).

use std::any::Any;
use std::time::Duration;

use crate::interrupt;
use crate::queues::{
    self, ArrayQueue, BenchQueue, CAPACITIES, CAPACITY, CrossbeamChannel, FlumeChannel,
    HeaplessQueue, LfqueueAlloc, LfqueueConst, NolockScq, RingpoolRing, StdSyncChannel,
};

/// [`queues::transfer`] for one queue type.
pub type TransferFn = fn(u64, usize, Duration) -> Result<Duration, String>;

/// [`check`] for one queue type.
pub type CheckFn = fn(&dyn Fn(&str)) -> Vec<String>;

/// One queue type: its name, capacity and drivers.
#[derive(Clone, Copy)]
pub struct Kind {
    /// The row's name.
    pub name: &'static str,
    /// The capacity its documentation promises.
    pub capacity: usize,
    /// The producer/consumer transfer.
    pub transfer: TransferFn,
    /// Builds one fresh queue (to measure its memory).
    pub build: fn() -> Box<dyn Any>,
    /// Single-threaded checks of what the queue's docs promise; the
    /// callback hears each step before it is taken.
    pub check: CheckFn,
    /// The interrupt harness.
    pub interrupt: fn(u64, Duration) -> interrupt::Outcome,
    /// Whether every operation is lock-free: no thread ever waits for
    /// another thread's progress inside a call (its own docs' claim).
    pub lock_free: bool,
}

fn kind<Q: BenchQueue + 'static>(lock_free: bool) -> Kind {
    Kind {
        name: Q::NAME,
        capacity: Q::CAPACITY,
        transfer: queues::transfer::<Q>,
        build: || Q::boxed() as Box<dyn Any>,
        check: check::<Q>,
        interrupt: interrupt::run::<Q>,
        lock_free,
    }
}

/// The ring-family and Vyukov queues at capacity `N`; `M` must be `2 * N`
/// (lfqueue's const parameter; see [`LfqueueConst`]).
fn at<const N: usize, const M: usize>() -> [Kind; 6] {
    const { assert!(M == 2 * N) };
    [
        kind::<RingpoolRing<N>>(true),
        kind::<ArrayQueue<N>>(false),
        kind::<HeaplessQueue<N>>(false),
        kind::<LfqueueConst<M>>(true),
        kind::<LfqueueAlloc<N>>(true),
        kind::<NolockScq<N>>(true),
    ]
}

/// Every queue of the ring rows: capacity [`CAPACITY`] first, ringpool
/// first within a capacity, then the capacity rows.
pub fn all() -> Vec<Kind> {
    let mut kinds: Vec<Kind> = at::<CAPACITY, { 2 * CAPACITY }>().into();
    kinds.extend([
        kind::<CrossbeamChannel>(false),
        kind::<FlumeChannel>(false),
        kind::<StdSyncChannel>(false),
    ]);
    const { assert!(CAPACITIES.len() == 4 && CAPACITIES[1] == CAPACITY) };
    kinds.extend(at::<{ CAPACITIES[0] }, { 2 * CAPACITIES[0] }>());
    kinds.extend(at::<{ CAPACITIES[2] }, { 2 * CAPACITIES[2] }>());
    kinds.extend(at::<{ CAPACITIES[3] }, { 2 * CAPACITIES[3] }>());
    kinds
}

/// The queue named `name` at `capacity`.
pub fn find(name: &str, capacity: usize) -> Option<Kind> {
    all()
        .into_iter()
        .find(|k| k.name == name && k.capacity == capacity)
}

/// The queue names of the ring rows, each once, in row order.
pub fn names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Vec::new();
    for k in all() {
        if !names.contains(&k.name) {
            names.push(k.name);
        }
    }
    names
}

/// What a fresh `Q` does single-threaded, against its docs: it holds
/// exactly [`BenchQueue::CAPACITY`] items before Full, hands them back in
/// order, and is empty after. Each broken promise is one line. `step` hears
/// what is about to be done (a child prints it, so that a call that never
/// returns is named).
pub fn check<Q: BenchQueue>(step: &dyn Fn(&str)) -> Vec<String> {
    step("building_the_queue");
    let queue = Q::boxed();
    let mut broken = Vec::new();
    let mut held = 0u64;
    step("filling_it");
    // Up to twice the capacity, so a queue that never says Full stops.
    while held < 2 * Q::CAPACITY as u64 {
        if held == Q::CAPACITY as u64 {
            step("pushing_into_the_full_queue");
        }
        if queue.try_push(held).is_err() {
            break;
        }
        held += 1;
    }
    step("popping_every_item");
    if held != Q::CAPACITY as u64 {
        broken.push(format!(
            "held {held} items before Full; capacity {}",
            Q::CAPACITY
        ));
    }
    for expected in 0..held {
        match queue.try_pop() {
            Some(item) if item == expected => {}
            Some(item) => {
                broken.push(format!(
                    "popped {item} where {expected} was the oldest (not FIFO)"
                ));
                break;
            }
            None => {
                broken.push(format!(
                    "empty after {expected} of {held} items were popped"
                ));
                break;
            }
        }
    }
    step("popping_the_empty_queue");
    if let Some(item) = queue.try_pop() {
        broken.push(format!("popped {item} after every item was taken"));
    }
    broken
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_capacities_are_unique() {
        let all = all();
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert!(a.name != b.name || a.capacity != b.capacity);
            }
        }
        assert_eq!(find("ringpool", 16).map(|k| k.capacity), Some(16));
    }

    #[test]
    fn ringpool_keeps_its_docs() {
        for cap in [16, 128] {
            let kind = find("ringpool", cap).expect("listed");
            assert_eq!((kind.check)(&|_| {}), Vec::<String>::new());
        }
    }
}
