//! `push_batch` and `pop_batch` racing single operations, each other, and
//! `close`, at capacities 1, 2 and 4 (after a precycle lap, so tickets are
//! of a later cycle and entries are reused; one model starts on a fresh
//! ring, whose threshold is still negative).
//!
//! Checked over every interleaving:
//!
//! * order: a batch's items are popped in the order they were pushed, with
//!   no other item of the same producer between them out of order;
//!   `pop_batch` returns the oldest items, oldest first;
//! * nothing lost: every accepted item is popped or left in the ring
//!   exactly once; the items a batch did not push stay in its iterator, in
//!   order (`Full` part-way at capacities 1 and 2); every item is dropped
//!   exactly once;
//! * close: a batch push racing `close` pushes a prefix of its items and
//!   hands the rest back; after `Closed` from a pop, nothing more appears.
//!
//! The batch operations claim several tickets with one fetch-add, so one
//! batch call is many loom steps: the models keep to two threads, or three
//! with one operation each.
#![cfg(loom)]

use loom::sync::Arc;
use loom::thread;
use ringpool_core::{BatchPushError, PopError, Ring};
use ringpool_loom_tests::{DropLog, Tracked, check, drain, ids, precycle};

const LAPS: usize = 1;

/// Pushes `ids` with one `push_batch`; returns (accepted ids, the ids left
/// in the iterator, the error). Checks that the accepted ones are a prefix
/// and the rest come back in order.
fn push_batch_ids<const N: usize>(
    ring: &Ring<Tracked, N>,
    log: &std::sync::Arc<DropLog>,
    ids: &[usize],
) -> (Vec<usize>, Option<BatchPushError>) {
    let items: Vec<Tracked> = ids.iter().map(|&id| log.item(id)).collect();
    let mut iter = items.into_iter();
    let result = ring.push_batch(&mut iter);
    let pushed = match result {
        Ok(n) => n,
        Err(e) => e.pushed(),
    };
    let rest: Vec<usize> = iter.map(|t| t.id).collect();
    assert_eq!(
        rest,
        ids[pushed..],
        "unpushed items not handed back in order"
    );
    (ids[..pushed].to_vec(), result.err())
}

/// Pops with one `pop_batch(max)`.
fn pop_batch_items<const N: usize>(
    ring: &Ring<Tracked, N>,
    max: usize,
) -> (Vec<Tracked>, Option<PopError>) {
    let mut got = Vec::new();
    match ring.pop_batch(max, |item| got.push(item)) {
        Ok(n) => {
            assert_eq!(n, got.len());
            assert!(n >= 1 && n <= max);
            (got, None)
        }
        Err(e) => {
            assert!(got.is_empty());
            (got, Some(e))
        }
    }
}

/// Asserts that `seq` lists the ids of `order` that it contains in that
/// order (a producer's order survives).
fn assert_in_order(seq: &[usize], order: &[usize]) {
    let mine: Vec<usize> = seq
        .iter()
        .copied()
        .filter(|id| order.contains(id))
        .collect();
    let expected: Vec<usize> = order
        .iter()
        .copied()
        .filter(|id| mine.contains(id))
        .collect();
    assert_eq!(mine, expected, "order broken");
}

/// A producer pushes ids 0, 1, 2 in one batch while the main thread pops
/// once singly and once with `pop_batch(2)`. At capacities 1 and 2 the batch
/// runs into `Full` part-way.
fn batch_push_vs_pops<const N: usize>(extra_preemptions: usize) {
    check(extra_preemptions, || {
        let ring = Arc::new(Ring::<Tracked, N>::new());
        precycle::<N>(&ring, LAPS);
        let log = DropLog::new(3);
        let producer = {
            let (ring, log) = (ring.clone(), log.clone());
            thread::spawn(move || push_batch_ids::<N>(&ring, &log, &[0, 1, 2]))
        };
        let mut popped: Vec<Tracked> = ring.pop().into_iter().collect();
        popped.extend(pop_batch_items::<N>(&ring, 2).0);
        let (accepted, err) = producer.join().unwrap();
        if let Some(e) = err {
            assert!(matches!(e, BatchPushError::Full { .. }), "{e:?}");
        }
        let (rest, end) = drain::<N>(&ring, N);
        assert_eq!(end, PopError::Empty);
        let mut all = ids(&popped);
        all.extend(ids(&rest));
        assert_eq!(
            all, accepted,
            "accepted items lost, duplicated or reordered"
        );
        drop((popped, rest, ring));
        log.assert_each_dropped_once();
    });
}

/// The ring holds ids 0 and 1 (capacity >= 2). A consumer takes a batch of
/// 2 while the main thread pushes id 2 and pops once: every pop gets the
/// oldest item there, and each consumer's items are in FIFO order.
fn batch_pop_vs_push_and_pop<const N: usize>(extra_preemptions: usize) {
    check(extra_preemptions, || {
        let ring = Arc::new(Ring::<Tracked, N>::new());
        precycle::<N>(&ring, LAPS);
        let log = DropLog::new(3);
        ring.push(log.item(0)).unwrap();
        ring.push(log.item(1)).unwrap();
        let consumer = {
            let ring = ring.clone();
            thread::spawn(move || ids(&pop_batch_items::<N>(&ring, 2).0))
        };
        let pushed = ring.push(log.item(2)).is_ok();
        let mine: Vec<usize> = ring.pop().into_iter().map(|t| t.id).collect();
        let theirs = consumer.join().unwrap();
        // Each consumer's view is increasing (FIFO), and the batch starts at
        // the oldest item it could see: 0, unless the main pop took 0 first.
        assert!(theirs.windows(2).all(|w| w[0] < w[1]), "batch out of order");
        if let Some(&first) = theirs.first() {
            assert!(first == 0 || mine == [0], "batch skipped the oldest item");
        }
        let (rest, end) = drain::<N>(&ring, N);
        assert_eq!(end, PopError::Empty);
        let mut all: Vec<usize> = mine.into_iter().chain(theirs).chain(ids(&rest)).collect();
        all.sort_unstable();
        let expected: Vec<usize> = if pushed { vec![0, 1, 2] } else { vec![0, 1] };
        assert_eq!(all, expected, "items lost or duplicated");
        drop((rest, ring));
        log.assert_each_dropped_once();
    });
}

/// Two producers: a batch of ids 0, 1 and a single push of id 2; the main
/// thread takes one `pop_batch(3)`. Each producer's order holds.
fn batch_and_single_producers<const N: usize>(extra_preemptions: usize) {
    check(extra_preemptions, || {
        let ring = Arc::new(Ring::<Tracked, N>::new());
        precycle::<N>(&ring, LAPS);
        let log = DropLog::new(3);
        let batcher = {
            let (ring, log) = (ring.clone(), log.clone());
            thread::spawn(move || push_batch_ids::<N>(&ring, &log, &[0, 1]).0)
        };
        let single = {
            let (ring, log) = (ring.clone(), log.clone());
            thread::spawn(move || match ring.push(log.item(2)) {
                Ok(()) => vec![2],
                Err(e) => {
                    assert!(e.is_full());
                    vec![]
                }
            })
        };
        let (popped, _) = pop_batch_items::<N>(&ring, 3);
        let mut accepted = batcher.join().unwrap();
        accepted.extend(single.join().unwrap());
        let (rest, end) = drain::<N>(&ring, N);
        assert_eq!(end, PopError::Empty);
        let all: Vec<usize> = ids(&popped).into_iter().chain(ids(&rest)).collect();
        assert_in_order(&all, &[0, 1]);
        let mut sorted = all.clone();
        sorted.sort_unstable();
        accepted.sort_unstable();
        assert_eq!(sorted, accepted, "accepted items lost or duplicated");
        drop((popped, rest, ring));
        log.assert_each_dropped_once();
    });
}

/// On a fresh ring (no precycle: the used ring's threshold starts negative)
/// a producer pushes ids 0 and 1 in one batch while the main thread pops
/// twice. Afterwards a drain finds every accepted item not popped: the
/// batch enqueue must give dequeuers a budget (reset the threshold) after
/// its compare-and-swaps, or they keep answering `Empty`.
fn batch_push_on_fresh_ring<const N: usize>(extra_preemptions: usize) {
    check(extra_preemptions, || {
        let ring = Arc::new(Ring::<Tracked, N>::new());
        let log = DropLog::new(2);
        let producer = {
            let (ring, log) = (ring.clone(), log.clone());
            thread::spawn(move || push_batch_ids::<N>(&ring, &log, &[0, 1]).0)
        };
        let mut popped: Vec<Tracked> = ring.pop().into_iter().collect();
        popped.extend(ring.pop());
        let accepted = producer.join().unwrap();
        let (rest, end) = drain::<N>(&ring, N);
        assert_eq!(end, PopError::Empty);
        let all: Vec<usize> = ids(&popped).into_iter().chain(ids(&rest)).collect();
        assert_eq!(all, accepted, "accepted items not found, or reordered");
        drop((popped, rest, ring));
        log.assert_each_dropped_once();
    });
}

/// A producer pushes ids 0, 1, 2 in one batch while the main thread closes
/// the ring and then drains it with `pop_batch`. The batch pushes a prefix
/// (all of it, or nothing if the close came first: registration is per
/// call) and hands the rest back; the drain ends in `Closed` after exactly
/// the accepted items, and `Closed` is final.
fn close_during_batch<const N: usize>(extra_preemptions: usize) {
    check(extra_preemptions, || {
        let ring = Arc::new(Ring::<Tracked, N>::new());
        precycle::<N>(&ring, LAPS);
        let log = DropLog::new(3);
        let producer = {
            let (ring, log) = (ring.clone(), log.clone());
            thread::spawn(move || push_batch_ids::<N>(&ring, &log, &[0, 1, 2]))
        };
        assert!(ring.close());
        let mut popped = Vec::new();
        let mut saw_closed = false;
        for _ in 0..2 {
            let (got, err) = pop_batch_items::<N>(&ring, 2);
            assert!(!saw_closed || got.is_empty(), "item after Closed");
            saw_closed |= err == Some(PopError::Closed);
            popped.extend(got);
        }
        let (accepted, err) = producer.join().unwrap();
        if let Some(BatchPushError::Closed { pushed }) = err {
            assert_eq!(pushed, 0, "registration is per call: Closed only up front");
        }
        let (rest, end) = drain::<N>(&ring, N);
        assert_eq!(end, PopError::Closed, "closed ring did not drain to Closed");
        if saw_closed {
            assert!(rest.is_empty(), "items appeared after Closed");
        }
        let all: Vec<usize> = ids(&popped).into_iter().chain(ids(&rest)).collect();
        assert_eq!(
            all, accepted,
            "accepted items lost, duplicated or reordered"
        );
        drop((popped, rest, ring));
        log.assert_each_dropped_once();
    });
}

#[test]
fn batch_push_vs_pops_capacity_1() {
    batch_push_vs_pops::<1>(1);
}

#[test]
fn batch_push_vs_pops_capacity_2() {
    batch_push_vs_pops::<2>(1);
}

#[test]
fn batch_push_vs_pops_capacity_4() {
    batch_push_vs_pops::<4>(0);
}

#[test]
fn batch_pop_vs_push_and_pop_capacity_2() {
    batch_pop_vs_push_and_pop::<2>(1);
}

#[test]
fn batch_pop_vs_push_and_pop_capacity_4() {
    batch_pop_vs_push_and_pop::<4>(0);
}

#[test]
fn batch_and_single_producers_capacity_1() {
    batch_and_single_producers::<1>(0);
}

#[test]
fn batch_and_single_producers_capacity_2() {
    batch_and_single_producers::<2>(0);
}

#[test]
fn batch_and_single_producers_capacity_4() {
    batch_and_single_producers::<4>(0);
}

#[test]
fn close_during_batch_capacity_1() {
    close_during_batch::<1>(1);
}

#[test]
fn close_during_batch_capacity_2() {
    close_during_batch::<2>(1);
}

#[test]
fn close_during_batch_capacity_4() {
    close_during_batch::<4>(0);
}

#[test]
fn batch_push_on_fresh_ring_capacity_1() {
    batch_push_on_fresh_ring::<1>(0);
}

#[test]
fn batch_push_on_fresh_ring_capacity_2() {
    batch_push_on_fresh_ring::<2>(0);
}

#[test]
fn batch_push_on_fresh_ring_capacity_4() {
    batch_push_on_fresh_ring::<4>(0);
}
