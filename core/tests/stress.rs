//! std-thread stress: several producers and consumers, every value popped
//! exactly once, per-producer order kept, over rings small enough to wrap
//! many laps.
// Plain std execution: loom types would panic outside `loom::model`.
#![cfg(not(loom))]

use ringpool_core::{BorrowedStorage, Entry, GenericRing, PopError, Ring, Slot, entries_for};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

const PER_PRODUCER: usize = if cfg!(miri) { 200 } else { 200_000 };

/// Runs `producers` x `consumers` over `ring`, checking exactly-once delivery
/// and per-producer FIFO order.
fn run<S: ringpool_core::Storage<Item = (usize, usize)> + Sync>(
    ring: &GenericRing<S>,
    producers: usize,
    consumers: usize,
) {
    let done = AtomicBool::new(false);
    let received: Vec<Vec<(usize, usize)>> = thread::scope(|s| {
        let senders: Vec<_> = (0..producers)
            .map(|p| {
                s.spawn(move || {
                    for i in 0..PER_PRODUCER {
                        let mut item = (p, i);
                        while let Err(e) = ring.push(item) {
                            assert!(e.is_full());
                            item = e.into_inner();
                            thread::yield_now();
                        }
                    }
                })
            })
            .collect();
        let receivers: Vec<_> = (0..consumers)
            .map(|_| {
                let done = &done;
                s.spawn(move || {
                    let mut got = Vec::new();
                    loop {
                        match ring.pop() {
                            Ok(item) => got.push(item),
                            Err(PopError::Closed) => break,
                            Err(PopError::Empty) => {
                                if done.load(Ordering::Acquire) {
                                    ring.close();
                                }
                                thread::yield_now();
                            }
                        }
                    }
                    got
                })
            })
            .collect();
        for h in senders {
            h.join().unwrap();
        }
        done.store(true, Ordering::Release);
        receivers.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut seen = vec![vec![false; PER_PRODUCER]; producers];
    for got in &received {
        let mut last = vec![None; producers];
        for &(p, i) in got {
            assert!(!seen[p][i], "({p}, {i}) delivered twice");
            seen[p][i] = true;
            // Each consumer sees one producer's items in push order.
            assert!(last[p].is_none_or(|l| l < i), "producer {p} order broken");
            last[p] = Some(i);
        }
    }
    assert!(seen.iter().flatten().all(|&s| s), "an item was lost");
}

#[test]
fn spsc_capacity_1() {
    run(&Ring::<(usize, usize), 1>::new(), 1, 1);
}

#[test]
fn mpmc_capacity_4() {
    run(&Ring::<(usize, usize), 4>::new(), 3, 3);
}

#[test]
fn mpmc_capacity_128() {
    run(&Ring::<(usize, usize), 128>::new(), 4, 4);
}

#[test]
fn mpmc_runtime_capacity_10() {
    let mut slots: Vec<Slot<(usize, usize)>> = (0..10).map(|_| Slot::new()).collect();
    let mut entries: Vec<Entry> = (0..entries_for(10)).map(|_| Entry::new()).collect();
    let ring =
        GenericRing::with_storage(BorrowedStorage::new(&mut slots, &mut entries), 10).unwrap();
    run(&ring, 2, 3);
}
