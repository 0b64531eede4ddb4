//! `close` racing `push` and `pop`.
//!
//! Go's `close(ch)` semantics, checked over every interleaving:
//!
//! * nothing lost: every push that returned `Ok` is popped exactly once,
//!   every refused item comes back inside the error, and every item is
//!   dropped exactly once;
//! * nothing stranded: once everything is joined, popping a closed ring ends
//!   in `Closed` after exactly the accepted items;
//! * closed is final: once a pop returned `PopError::Closed`, no later pop
//!   (by any thread) returns an item, and every push after the close
//!   returns `Closed`.
//!
//! The rings run through a few fill-and-drain laps first, so the race
//! happens on reused entries.
#![cfg(loom)]

use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, Ordering};
use loom::thread;
use ringpool_core::{PopError, PushError, Ring};
use ringpool_loom_tests::{DropLog, Tracked, check, drain, ids, precycle};

const LAPS: usize = 2;

/// Pushes `ids` in order; returns the accepted ids. Checks that a refused
/// item comes back and that `Closed` is sticky for this producer.
fn push_all<const N: usize>(
    ring: &Ring<Tracked, N>,
    log: &std::sync::Arc<DropLog>,
    ids: &[usize],
) -> Vec<usize> {
    let mut accepted = Vec::new();
    let mut saw_closed = false;
    for &id in ids {
        match ring.push(log.item(id)) {
            Ok(()) => {
                assert!(!saw_closed, "push {id} succeeded after a push saw Closed");
                accepted.push(id);
            }
            Err(PushError::Closed(item)) => {
                assert_eq!(item.id, id, "Closed handed back another item");
                saw_closed = true;
            }
            Err(PushError::Full(item)) => assert_eq!(item.id, id, "Full handed back another item"),
        }
    }
    accepted
}

/// Pops `times` times; returns the items and whether a pop saw `Closed`.
/// Checks that nothing comes after `Closed`.
fn pop_some<const N: usize>(ring: &Ring<Tracked, N>, times: usize) -> (Vec<Tracked>, bool) {
    let mut got = Vec::new();
    let mut saw_closed = false;
    for _ in 0..times {
        match ring.pop() {
            Ok(item) => {
                assert!(!saw_closed, "item {} popped after Closed", item.id);
                got.push(item);
            }
            Err(PopError::Closed) => saw_closed = true,
            Err(PopError::Empty) => assert!(!saw_closed, "Empty after Closed"),
        }
    }
    if saw_closed {
        assert_eq!(ring.pop(), Err(PopError::Closed), "Closed is not final");
    }
    (got, saw_closed)
}

/// After every thread is joined: the rest of the ring drains to `Closed`,
/// the popped items are exactly the accepted ones in FIFO order, and each
/// item was dropped once.
fn settle<const N: usize>(
    ring: Arc<Ring<Tracked, N>>,
    log: &DropLog,
    accepted: &[usize],
    popped: Vec<Tracked>,
) {
    let (rest, end) = drain::<N>(&ring, N);
    assert_eq!(
        end,
        PopError::Closed,
        "closed ring did not report Closed when drained"
    );
    let probe = DropLog::new(1);
    match ring.push(probe.item(0)) {
        Err(PushError::Closed(item)) => assert_eq!(item.id, 0),
        other => panic!("push after close: {other:?}"),
    }
    probe.assert_each_dropped_once();
    let mut all = ids(&popped);
    all.extend(ids(&rest));
    assert_eq!(
        all, accepted,
        "accepted items lost, duplicated or reordered"
    );
    drop((popped, rest, ring));
    log.assert_each_dropped_once();
}

/// One producer pushes two items while the main thread pops, closes, and
/// pops again. Item 0 was accepted before the race.
fn close_between_pops<const N: usize>(extra_preemptions: usize) {
    check(extra_preemptions, || {
        let ring = Arc::new(Ring::<Tracked, N>::new());
        precycle::<N>(&ring, LAPS);
        let log = DropLog::new(3);
        ring.push(log.item(0)).unwrap();

        let producer = {
            let (ring, log) = (ring.clone(), log.clone());
            thread::spawn(move || push_all::<N>(&ring, &log, &[1, 2]))
        };
        let (mut popped, saw_closed) = pop_some::<N>(&ring, 1);
        assert!(!saw_closed, "Closed before anyone closed the ring");
        assert!(ring.close(), "first close must report it closed the ring");
        assert!(!ring.close(), "second close must report already closed");
        popped.extend(pop_some::<N>(&ring, 2).0);
        let mut accepted = vec![0];
        accepted.extend(producer.join().unwrap());
        settle::<N>(ring, &log, &accepted, popped);
    });
}

/// Three threads: a producer pushing two items, a closer, and the main
/// thread popping. Checks the stranding race: a push registered before the
/// close but not yet published must not let a pop report `Closed`.
fn close_three_way<const N: usize>(extra_preemptions: usize) {
    check(extra_preemptions, || {
        let ring = Arc::new(Ring::<Tracked, N>::new());
        precycle::<N>(&ring, LAPS);
        let log = DropLog::new(2);
        let closed = Arc::new(AtomicBool::new(false));

        let producer = {
            let (ring, log) = (ring.clone(), log.clone());
            thread::spawn(move || push_all::<N>(&ring, &log, &[0, 1]))
        };
        let closer = {
            let (ring, closed) = (ring.clone(), closed.clone());
            thread::spawn(move || {
                ring.close();
                closed.store(true, Ordering::Release);
            })
        };
        let (popped, _) = pop_some::<N>(&ring, 2);
        closer.join().unwrap();
        assert!(closed.load(Ordering::Acquire));
        let accepted = producer.join().unwrap();
        settle::<N>(ring, &log, &accepted, popped);
    });
}

/// Two consumers drain a closed-while-full ring: every item reaches exactly
/// one of them, and neither sees `Closed` before the ring is drained.
fn close_full_two_consumers<const N: usize>(extra_preemptions: usize) {
    check(extra_preemptions, || {
        let ring = Arc::new(Ring::<Tracked, N>::new());
        precycle::<N>(&ring, LAPS);
        let log = DropLog::new(N);
        for id in 0..N {
            ring.push(log.item(id)).unwrap();
        }
        let consumer = {
            let ring = ring.clone();
            thread::spawn(move || ids(&pop_some::<N>(&ring, 1).0))
        };
        ring.close();
        let (mine, _) = pop_some::<N>(&ring, 1);
        let theirs = consumer.join().unwrap();
        // Neither pop could have seen an empty ring: N >= 1 items, and one
        // pop before mine is at most one item.
        assert_eq!(mine.len() + theirs.len(), 2.min(N), "a pop missed an item");
        let (rest, end) = drain::<N>(&ring, N);
        assert_eq!(end, PopError::Closed);
        let mut all: Vec<usize> = ids(&mine).into_iter().chain(theirs).collect();
        all.extend(ids(&rest));
        all.sort_unstable();
        assert_eq!(all, (0..N).collect::<Vec<_>>(), "items lost or duplicated");
        drop((mine, rest, ring));
        log.assert_each_dropped_once();
    });
}

#[test]
fn close_between_pops_capacity_1() {
    close_between_pops::<1>(1);
}

#[test]
fn close_between_pops_capacity_2() {
    close_between_pops::<2>(1);
}

#[test]
fn close_between_pops_capacity_4() {
    close_between_pops::<4>(0);
}

#[test]
fn close_three_way_capacity_1() {
    close_three_way::<1>(0);
}

#[test]
fn close_three_way_capacity_2() {
    close_three_way::<2>(0);
}

#[test]
fn close_full_two_consumers_capacity_1() {
    close_full_two_consumers::<1>(1);
}

#[test]
fn close_full_two_consumers_capacity_2() {
    close_full_two_consumers::<2>(1);
}

#[test]
fn close_full_two_consumers_capacity_4() {
    close_full_two_consumers::<4>(0);
}
