//! Several producers and a consumer, and several consumers and a producer:
//! per-producer FIFO order, every accepted item popped or dropped exactly
//! once, items left in the ring dropped by the ring's `Drop`.
//!
//! The two-consumer model is the shape of SCQ's "unsafe entry" race: a pop
//! stalled after taking its ticket, a second consumer that laps it and
//! marks the entry unsafe, and a push that lands on that entry after the
//! stalled pop finally consumes it. An enqueue that reused the entry
//! without checking `head` would publish at a ticket every dequeuer has
//! already passed: the item would be lost.
//!
//! Three threads are the expensive shape for loom, so these models keep
//! each thread to one or two operations and run at the suite's base
//! preemption bound.
#![cfg(loom)]

use loom::sync::Arc;
use loom::thread;
use ringpool_core::Ring;
use ringpool_loom_tests::{DropLog, Tracked, check, drain, ids, precycle};

const LAPS: usize = 1;

/// Producer A pushes ids 0 and 1, producer B pushes id 2, the main thread
/// pops twice. Refused items must come back; popped items must keep each
/// producer's order; the ring is then dropped with whatever is left, and
/// every item must have been dropped exactly once.
fn two_producers<const N: usize>() {
    check(0, || {
        let ring = Arc::new(Ring::<Tracked, N>::new());
        precycle::<N>(&ring, LAPS);
        let log = DropLog::new(3);
        let producer = |ids: &'static [usize]| {
            let (ring, log) = (ring.clone(), log.clone());
            thread::spawn(move || {
                let mut accepted = Vec::new();
                for &id in ids {
                    match ring.push(log.item(id)) {
                        Ok(()) => accepted.push(id),
                        Err(e) => {
                            assert!(e.is_full(), "{e:?}");
                            assert_eq!(e.into_inner().id, id);
                        }
                    }
                }
                accepted
            })
        };
        let a = producer(&[0, 1]);
        let b = producer(&[2]);
        let popped: Vec<usize> = (0..2)
            .filter_map(|_| ring.pop().ok().map(|t| t.id))
            .collect();
        let (from_a, from_b) = (a.join().unwrap(), b.join().unwrap());

        // A's items in A's order (B has a single item).
        let a_order: Vec<usize> = popped.iter().copied().filter(|id| *id < 2).collect();
        assert_eq!(
            a_order,
            from_a[..a_order.len()],
            "producer A's order broken"
        );
        for id in &popped {
            assert!(
                from_a.contains(id) || from_b.contains(id),
                "popped {id}, never accepted"
            );
        }
        let left = from_a.len() + from_b.len() - popped.len();
        assert_eq!(ring.len(), left, "accepted items lost or duplicated");
        drop(ring);
        log.assert_each_dropped_once();
    });
}

/// The ring holds item 0. The main thread pops once, a consumer thread pops
/// twice, a producer thread pushes item 1. After everything is joined, the
/// items popped plus the items drained must be exactly the accepted ones.
///
/// The main thread is the one that stalls in the unsafe-entry race (it
/// takes its ticket first without being preempted), so the race needs only
/// two preemptions: main after its ticket, the consumer after marking the
/// entry unsafe.
fn two_consumers<const N: usize>(extra_preemptions: usize) {
    check(extra_preemptions, || {
        let ring = Arc::new(Ring::<Tracked, N>::new());
        precycle::<N>(&ring, LAPS);
        let log = DropLog::new(2);
        ring.push(log.item(0)).unwrap();
        let consumer = {
            let ring = ring.clone();
            thread::spawn(move || {
                (0..2)
                    .filter_map(|_| ring.pop().ok().map(|t| t.id))
                    .collect::<Vec<_>>()
            })
        };
        let producer = {
            let (ring, log) = (ring.clone(), log.clone());
            thread::spawn(move || match ring.push(log.item(1)) {
                Ok(()) => true,
                Err(e) => {
                    assert!(e.is_full() && N == 1, "{e:?}");
                    false
                }
            })
        };
        let mut popped: Vec<usize> = ring.pop().ok().map(|t| t.id).into_iter().collect();
        popped.extend(consumer.join().unwrap());
        let pushed = producer.join().unwrap();
        let (rest, end) = drain::<N>(&ring, N);
        assert_eq!(end, ringpool_core::PopError::Empty);
        popped.extend(ids(&rest));
        drop(rest);
        popped.sort_unstable();
        let expected: Vec<usize> = if pushed { vec![0, 1] } else { vec![0] };
        assert_eq!(popped, expected, "accepted items lost or duplicated");
        drop(ring);
        log.assert_each_dropped_once();
    });
}

#[test]
fn two_consumers_capacity_1() {
    two_consumers::<1>(1);
}

#[test]
fn two_consumers_capacity_2() {
    two_consumers::<2>(1);
}

#[test]
fn two_producers_capacity_1() {
    two_producers::<1>();
}

#[test]
fn two_producers_capacity_2() {
    two_producers::<2>();
}

#[test]
fn two_producers_capacity_4() {
    two_producers::<4>();
}
