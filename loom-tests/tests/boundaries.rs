//! Push and pop racing at the full and at the empty boundary.
//!
//! One pusher thread and one popper thread, two operations each, over rings
//! of capacity 1, 2 and 4 that first run through [`LAPS`] fill-and-drain
//! laps, so the race happens on reused entries of later cycles. Every model
//! checks:
//!
//! * no spurious `Full`: a push that starts after the popper has returned
//!   more items than the pusher has added must succeed;
//! * no spurious `Empty`: a pop that starts after more items were published
//!   than it has taken must return one;
//! * FIFO: items come out in push order, each exactly once;
//! * every item (popped, refused, or left to the ring's `Drop`) is dropped
//!   exactly once.
#![cfg(loom)]

use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;
use ringpool_core::{PopError, Ring};
use ringpool_loom_tests::{DropLog, check, drain, ids, precycle};

/// Fill-and-drain laps before the race.
const LAPS: usize = 2;

/// The ring starts full (ids `0..N`); the pusher offers ids `N` and `N + 1`
/// while the popper takes two items.
fn full_boundary<const N: usize>(extra_preemptions: usize) {
    check(extra_preemptions, || {
        let ring = Arc::new(Ring::new());
        precycle::<N>(&ring, LAPS);
        let log = DropLog::new(N + 2);
        for id in 0..N {
            ring.push(log.item(id)).unwrap();
        }
        // Items the popper has taken and returned from `pop` (slot freed).
        let freed = Arc::new(AtomicUsize::new(0));

        let pusher = {
            let (ring, log, freed) = (ring.clone(), log.clone(), freed.clone());
            thread::spawn(move || {
                let mut accepted = Vec::new();
                for id in N..N + 2 {
                    let freed_before = freed.load(Ordering::Acquire);
                    match ring.push(log.item(id)) {
                        Ok(()) => accepted.push(id),
                        Err(e) => {
                            assert!(e.is_full(), "unexpected {e:?}");
                            assert!(
                                freed_before <= accepted.len(),
                                "spurious Full: {freed_before} slots freed, {} refilled",
                                accepted.len()
                            );
                            assert_eq!(e.into_inner().id, id, "Full handed back another item");
                        }
                    }
                }
                accepted
            })
        };

        let mut popped = Vec::new();
        for round in 0..2 {
            match ring.pop() {
                Ok(item) => {
                    popped.push(item.id);
                    drop(item);
                    freed.fetch_add(1, Ordering::Release);
                }
                // The ring held N items and the pusher only adds: the first
                // N pops cannot fail. (At capacity 1 the pusher's items may
                // all have been refused, so the second pop may find nothing.)
                Err(e) => assert!(round >= N && e == PopError::Empty, "pop {round}: {e:?}"),
            }
        }
        let accepted = pusher.join().unwrap();

        let (rest, end) = drain::<N>(&ring, N);
        assert_eq!(end, PopError::Empty);
        popped.extend(ids(&rest));
        drop(rest);
        let expected: Vec<usize> = (0..N).chain(accepted).collect();
        assert_eq!(popped, expected, "not FIFO, or lost/duplicated");
        drop(ring);
        log.assert_each_dropped_once();
    });
}

/// The ring starts empty; the pusher offers ids 0 and 1 while the popper
/// tries two pops. What is not popped is left for the ring's `Drop`.
fn empty_boundary<const N: usize>(extra_preemptions: usize) {
    check(extra_preemptions, || {
        let ring = Arc::new(Ring::new());
        precycle::<N>(&ring, LAPS);
        let log = DropLog::new(2);
        // Items the pusher has published (push returned Ok).
        let published = Arc::new(AtomicUsize::new(0));

        let pusher = {
            let (ring, log, published) = (ring.clone(), log.clone(), published.clone());
            thread::spawn(move || {
                let mut accepted = Vec::new();
                for id in 0..2 {
                    match ring.push(log.item(id)) {
                        Ok(()) => {
                            accepted.push(id);
                            published.fetch_add(1, Ordering::Release);
                        }
                        Err(e) => {
                            // Only capacity 1 can be full: item 0 still in.
                            assert!(e.is_full() && N == 1 && id == 1, "unexpected {e:?}");
                            assert_eq!(e.into_inner().id, id);
                        }
                    }
                }
                accepted
            })
        };

        let mut popped = Vec::new();
        for _ in 0..2 {
            let published_before = published.load(Ordering::Acquire);
            match ring.pop() {
                Ok(item) => popped.push(item.id),
                Err(e) => {
                    assert_eq!(e, PopError::Empty);
                    assert!(
                        published_before <= popped.len(),
                        "spurious Empty: {published_before} published, {} popped",
                        popped.len()
                    );
                }
            }
        }
        let accepted = pusher.join().unwrap();
        assert_eq!(popped, accepted[..popped.len()], "not FIFO");
        // Whatever was not popped is still in the ring, then dropped by it.
        assert_eq!(ring.len(), accepted.len() - popped.len());
        drop(ring);
        log.assert_each_dropped_once();
    });
}

#[test]
fn full_boundary_capacity_1() {
    full_boundary::<1>(1);
}

#[test]
fn full_boundary_capacity_2() {
    full_boundary::<2>(1);
}

#[test]
fn full_boundary_capacity_4() {
    full_boundary::<4>(0);
}

#[test]
fn empty_boundary_capacity_1() {
    empty_boundary::<1>(1);
}

#[test]
fn empty_boundary_capacity_2() {
    empty_boundary::<2>(1);
}

#[test]
fn empty_boundary_capacity_4() {
    empty_boundary::<4>(0);
}
