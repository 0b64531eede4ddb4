//! Single-threaded tests of `push_batch` / `pop_batch`: order, `Full` and
//! `Closed` part-way (the unpushed items stay in the iterator, in order),
//! batches longer than `MAX_BATCH`, mixing with single operations, drops,
//! and a panicking iterator or sink leaving the ring consistent; then a
//! std-thread stress of batch producers and consumers. Counts shrink under
//! miri.
// Plain std execution: loom types would panic outside `loom::model`.
#![cfg(not(loom))]

use ringpool_core::{
    BatchPushError, BorrowedStorage, Entry, GenericRing, MAX_BATCH, PopError, Ring, Slot,
    entries_for,
};
use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

/// Laps in the lap tests (fewer under miri).
const LAPS: usize = if cfg!(miri) { 6 } else { 500 };

fn pop_all<const N: usize>(ring: &Ring<usize, N>, max: usize) -> Result<Vec<usize>, PopError> {
    let mut got = Vec::new();
    ring.pop_batch(max, |x| got.push(x)).map(|n| {
        assert_eq!(n, got.len());
        got
    })
}

#[test]
fn batch_in_batch_out_in_order() {
    let ring: Ring<usize, 8> = Ring::new();
    let mut items = 0..5;
    assert_eq!(ring.push_batch(&mut items), Ok(5));
    assert_eq!(items.next(), None);
    assert_eq!(ring.len(), 5);
    assert_eq!(pop_all(&ring, 3), Ok(vec![0, 1, 2]));
    assert_eq!(pop_all(&ring, 8), Ok(vec![3, 4]));
    assert_eq!(pop_all(&ring, 8), Err(PopError::Empty));
    assert_eq!(ring.pop_batch(0, |_| unreachable!()), Ok(0));
    assert_eq!(ring.push_batch(&mut (0..0)), Ok(0));
    assert!(ring.is_empty());
}

#[test]
fn full_part_way_leaves_the_rest_in_order() {
    let ring: Ring<usize, 4> = Ring::new();
    ring.push(100).unwrap();
    let mut items = 0..10;
    assert_eq!(
        ring.push_batch(&mut items),
        Err(BatchPushError::Full { pushed: 3 })
    );
    assert_eq!(
        items.clone().collect::<Vec<_>>(),
        (3..10).collect::<Vec<_>>()
    );
    assert_eq!(
        ring.push_batch(&mut items),
        Err(BatchPushError::Full { pushed: 0 })
    );
    assert_eq!(items.next(), Some(3), "a refused item was taken");
    assert_eq!(pop_all(&ring, 10), Ok(vec![100, 0, 1, 2]));
}

#[test]
fn closed_refuses_batches_and_drains() {
    let ring: Ring<usize, 4> = Ring::new();
    ring.push_batch(&mut (0..2)).unwrap();
    ring.close();
    let mut items = 5..7;
    let err = ring.push_batch(&mut items).unwrap_err();
    assert_eq!(err, BatchPushError::Closed { pushed: 0 });
    assert_eq!(err.pushed(), 0);
    assert!(err.to_string().contains("closed"));
    assert_eq!(items, 5..7, "a refused item was taken");
    assert_eq!(pop_all(&ring, 1), Ok(vec![0]));
    assert_eq!(pop_all(&ring, 4), Ok(vec![1]));
    assert_eq!(pop_all(&ring, 4), Err(PopError::Closed));
    assert_eq!(ring.pop(), Err(PopError::Closed));
}

#[test]
fn longer_than_max_batch_runs_in_rounds() {
    let ring: Ring<usize, 64> = Ring::new();
    let total = 3 * MAX_BATCH + 5;
    assert_eq!(ring.push_batch(&mut (0..total)), Ok(total));
    assert_eq!(pop_all(&ring, total), Ok((0..total).collect()));
    // An iterator with no useful size hint still works, one slot a round.
    let mut n = 0;
    let mut from_fn = std::iter::from_fn(|| {
        n += 1;
        (n <= 5).then_some(n)
    });
    assert_eq!(ring.push_batch(&mut from_fn), Ok(5));
    assert_eq!(pop_all(&ring, 64), Ok(vec![1, 2, 3, 4, 5]));
}

#[test]
fn a_lying_size_hint_returns_unused_slots() {
    /// Claims 6 items but has 2.
    struct Liar(usize);
    impl Iterator for Liar {
        type Item = usize;
        fn next(&mut self) -> Option<usize> {
            (self.0 < 2).then(|| {
                self.0 += 1;
                self.0
            })
        }
        fn size_hint(&self) -> (usize, Option<usize>) {
            (6, Some(6))
        }
    }
    let ring: Ring<usize, 8> = Ring::new();
    for _ in 0..LAPS {
        assert_eq!(ring.push_batch(&mut Liar(0)), Ok(2));
        assert_eq!(ring.len(), 2);
        assert_eq!(pop_all(&ring, 8), Ok(vec![1, 2]));
    }
    // Every slot came back: the ring still takes its full capacity.
    assert_eq!(ring.push_batch(&mut (0..8)), Ok(8));
}

#[test]
fn batches_and_singles_interleave_fifo_over_laps() {
    let ring: Ring<usize, 4> = Ring::new();
    let (mut next_in, mut next_out) = (0, 0);
    for lap in 0..LAPS {
        let k = 1 + lap % 4;
        if lap % 3 == 0 {
            ring.push(next_in).unwrap();
            next_in += 1;
        } else {
            let mut items = next_in..next_in + k;
            let pushed = match ring.push_batch(&mut items) {
                Ok(n) => n,
                Err(e) => e.pushed(),
            };
            next_in += pushed;
        }
        if lap % 2 == 0 {
            while let Ok(v) = ring.pop() {
                assert_eq!(v, next_out);
                next_out += 1;
            }
        } else {
            let _ = ring.pop_batch(1 + lap % 5, |v| {
                assert_eq!(v, next_out);
                next_out += 1;
            });
        }
    }
    while let Ok(v) = ring.pop() {
        assert_eq!(v, next_out);
        next_out += 1;
    }
    assert_eq!(next_in, next_out);
}

#[test]
fn capacity_one_batches() {
    let ring: Ring<usize, 1> = Ring::new();
    for i in 0..LAPS {
        let mut items = i..i + 3;
        assert_eq!(
            ring.push_batch(&mut items),
            Err(BatchPushError::Full { pushed: 1 })
        );
        assert_eq!(items.start, i + 1);
        assert_eq!(pop_all(&ring, 3), Ok(vec![i]));
    }
}

#[test]
fn runtime_capacity_batches() {
    for capacity in [1, 3, 10, 17] {
        let mut slots: Vec<Slot<usize>> = (0..capacity).map(|_| Slot::new()).collect();
        let mut entries: Vec<Entry> = (0..entries_for(capacity)).map(|_| Entry::new()).collect();
        let storage = BorrowedStorage::new(&mut slots, &mut entries);
        let ring = GenericRing::with_storage(storage, capacity).unwrap();
        for lap in 0..LAPS.min(50) {
            let mut items = lap..lap + capacity + 2;
            assert_eq!(
                ring.push_batch(&mut items),
                Err(BatchPushError::Full { pushed: capacity })
            );
            let mut got = Vec::new();
            assert_eq!(ring.pop_batch(usize::MAX, |v| got.push(v)), Ok(capacity));
            assert_eq!(got, (lap..lap + capacity).collect::<Vec<_>>());
        }
    }
}

/// An item that counts its drops in a shared cell.
#[derive(Debug)]
struct Counted(Rc<Cell<usize>>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn batch_items_drop_exactly_once() {
    let drops = Rc::new(Cell::new(0));
    {
        let ring: Ring<Counted, 4> = Ring::new();
        let mut items = (0..6).map(|_| Counted(drops.clone()));
        assert_eq!(
            ring.push_batch(&mut items).unwrap_err(),
            BatchPushError::Full { pushed: 4 }
        );
        assert_eq!(drops.get(), 0, "the ring dropped a pushed or refused item");
        drop(items); // Map over a range: the 2 refused items were never made.
        assert_eq!(ring.pop_batch(2, drop), Ok(2));
        assert_eq!(drops.get(), 2);
    }
    assert_eq!(drops.get(), 4, "2 popped + 2 left in the ring");
}

#[test]
fn panicking_iterator_keeps_the_ring_consistent() {
    let ring: Ring<usize, 8> = Ring::new();
    let mut n = 0;
    let mut items = std::iter::from_fn(|| {
        n += 1;
        assert!(n <= 3, "iterator panics on its 4th item");
        Some(n)
    })
    .take(6);
    let result = catch_unwind(AssertUnwindSafe(|| ring.push_batch(&mut items)));
    assert!(result.is_err());
    // The 3 items taken before the panic were pushed; no slot leaked; the
    // push registration was released (close then reports Closed).
    assert_eq!(pop_all(&ring, 8), Ok(vec![1, 2, 3]));
    assert_eq!(ring.push_batch(&mut (0..8)), Ok(8));
    assert_eq!(pop_all(&ring, 8), Ok((0..8).collect()));
    ring.close();
    assert_eq!(pop_all(&ring, 8), Err(PopError::Closed));
}

#[test]
fn panicking_sink_drops_the_rest_and_returns_slots() {
    let drops = Rc::new(Cell::new(0));
    let ring: Ring<Counted, 4> = Ring::new();
    for _ in 0..4 {
        ring.push(Counted(drops.clone())).unwrap();
    }
    let mut calls = 0;
    let result = catch_unwind(AssertUnwindSafe(|| {
        ring.pop_batch(3, |item| {
            calls += 1;
            drop(item);
            assert!(calls < 2, "sink panics on its 2nd item");
        })
    }));
    assert!(result.is_err());
    assert_eq!(
        drops.get(),
        3,
        "2 handed to the sink + 1 dropped by the round"
    );
    assert_eq!(ring.len(), 1);
    for _ in 0..3 {
        ring.push(Counted(drops.clone())).unwrap();
    }
    assert!(ring.push(Counted(drops.clone())).is_err(), "no slot leaked");
    drop(ring);
    assert_eq!(drops.get(), 8);
}

/// Batch producers and consumers (and one single-item consumer) on a small
/// ring: every value popped exactly once, each producer's values seen in
/// push order by every consumer.
fn stress<const N: usize>(producers: usize, consumers: usize, k: usize) {
    let per_producer: usize = if cfg!(miri) { 60 } else { 100_000 };
    let ring: Ring<(usize, usize), N> = Ring::new();
    let ring = &ring;
    let done = AtomicBool::new(false);
    let received: Vec<Vec<(usize, usize)>> = thread::scope(|s| {
        let senders: Vec<_> = (0..producers)
            .map(|p| {
                s.spawn(move || {
                    let mut items = (0..per_producer).map(|i| (p, i)).peekable();
                    while items.peek().is_some() {
                        match ring.push_batch(&mut items.by_ref().take(k)) {
                            Ok(_) => {}
                            Err(BatchPushError::Full { .. }) => thread::yield_now(),
                            Err(e) => panic!("{e}"),
                        }
                    }
                })
            })
            .collect();
        let receivers: Vec<_> = (0..consumers)
            .map(|c| {
                let done = &done;
                s.spawn(move || {
                    let mut got = Vec::new();
                    loop {
                        let result = if c == 0 {
                            ring.pop().map(|item| got.push(item))
                        } else {
                            ring.pop_batch(k, |item| got.push(item)).map(drop)
                        };
                        match result {
                            Ok(()) => {}
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
    let mut seen = vec![vec![false; per_producer]; producers];
    for got in &received {
        let mut last = vec![None; producers];
        for &(p, i) in got {
            assert!(!seen[p][i], "({p}, {i}) delivered twice");
            seen[p][i] = true;
            assert!(last[p].is_none_or(|l| l < i), "producer {p} order broken");
            last[p] = Some(i);
        }
    }
    assert!(seen.iter().flatten().all(|&s| s), "an item was lost");
}

#[test]
fn stress_capacity_1_batches_of_3() {
    stress::<1>(2, 2, 3);
}

#[test]
fn stress_capacity_4_batches_of_8() {
    stress::<4>(3, 3, 8);
}

#[test]
fn stress_capacity_64_batches_of_8() {
    stress::<64>(2, 3, 8);
}
