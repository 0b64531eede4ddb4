//! Progress: a thread stalled anywhere inside `push` or `pop` never makes
//! another thread's `push` or `pop` fail spuriously or loop.
//!
//! loom's exhaustive schedules include every one in which the spawned
//! "slow" thread runs some prefix of its operation, is preempted, and the
//! main thread runs its whole operation before the slow one resumes. In
//! each model the main thread's operation has a resource that the slow
//! thread cannot take away (a published item it cannot be popping, or a
//! free slot it cannot be holding), so the main operation must succeed in
//! *every* schedule. A ring whose operations depend on a peer finishing
//! (Vyukov's bounded queue: a pop that finds a slot claimed by a stalled
//! push reports empty; a push that finds a slot still being read by a
//! stalled pop reports full) fails these assertions. A retry loop that
//! cannot end while the slow thread is stalled (it re-reads the same
//! atomics without yielding) exceeds loom's branch limit
//! (`LOOM_MAX_BRANCHES`, default 1000) and fails the model too. (A wait
//! that yields through the core's `spin_loop` facade would be scheduled
//! around by loom rather than flagged; the ring has no such wait, and the
//! spurious-failure assertions above are what a non-waiting ring must
//! pass.)
#![cfg(loom)]

use loom::sync::Arc;
use loom::thread;
use ringpool_core::Ring;
use ringpool_loom_tests::{DropLog, Tracked, check, drain, ids, precycle};

const LAPS: usize = 2;

/// Ring of capacity `N` after the laps, holding ids `0..held`, and a log
/// for `held + extra` items.
fn setup<const N: usize>(
    held: usize,
    extra: usize,
) -> (Arc<Ring<Tracked, N>>, std::sync::Arc<DropLog>) {
    let ring = Arc::new(Ring::<Tracked, N>::new());
    precycle::<N>(&ring, LAPS);
    let log = DropLog::new(held + extra);
    for id in 0..held {
        ring.push(log.item(id)).unwrap();
    }
    (ring, log)
}

/// Ends a model: drains, checks the union of popped ids, and drops.
fn finish<const N: usize>(
    ring: Arc<Ring<Tracked, N>>,
    log: &DropLog,
    mut seen: Vec<usize>,
    expected: &[usize],
) {
    let (rest, _) = drain::<N>(&ring, N);
    seen.extend(ids(&rest));
    seen.sort_unstable();
    assert_eq!(seen, expected, "items lost or duplicated");
    drop((rest, ring));
    log.assert_each_dropped_once();
}

/// Item 0 is published. A slow thread pushes item 1; the main thread's pop
/// must return item 0 whatever point the push has reached.
fn pop_beside_stalled_push<const N: usize>(extra_preemptions: usize) {
    check(extra_preemptions, || {
        let (ring, log) = setup::<N>(1, 1);
        let slow = {
            let (ring, log) = (ring.clone(), log.clone());
            thread::spawn(move || match ring.push(log.item(1)) {
                Ok(()) => vec![1],
                // Only a ring of capacity 1 is full here (item 0 in it,
                // or its slot still held by the main thread's pop).
                Err(e) => {
                    assert!(e.is_full() && N == 1, "push refused: {e:?}");
                    vec![]
                }
            })
        };
        let item = ring.pop().expect("pop failed beside a stalled push");
        assert_eq!(item.id, 0, "pop skipped the oldest item");
        drop(item);
        let mut expected = vec![0];
        expected.extend(slow.join().unwrap());
        finish::<N>(ring, &log, vec![0], &expected);
    });
}

/// Items 0 and 1 are published. A slow thread pops one; the main thread's
/// pop must still get the other, whatever point the slow pop has reached.
fn pop_beside_stalled_pop<const N: usize>(extra_preemptions: usize) {
    check(extra_preemptions, || {
        let (ring, log) = setup::<N>(2, 0);
        let slow = {
            let ring = ring.clone();
            thread::spawn(move || ring.pop().expect("slow pop failed").id)
        };
        let mine = ring.pop().expect("pop failed beside a stalled pop").id;
        let theirs = slow.join().unwrap();
        assert_ne!(mine, theirs, "one item popped twice");
        finish::<N>(ring, &log, vec![mine, theirs], &[0, 1]);
    });
}

/// The ring has at least two free slots. A slow thread pushes item 0; the
/// main thread's push of item 1 must succeed whatever point the slow push
/// has reached (it can hold at most one slot).
fn push_beside_stalled_push<const N: usize>(extra_preemptions: usize) {
    check(extra_preemptions, || {
        let held = N - 2;
        let (ring, log) = setup::<N>(held, 2);
        let slow = {
            let (ring, log) = (ring.clone(), log.clone());
            thread::spawn(move || ring.push(log.item(held)).expect("slow push failed"))
        };
        ring.push(log.item(held + 1))
            .expect("push failed beside a stalled push");
        slow.join().unwrap();
        let all: Vec<usize> = (0..held + 2).collect();
        finish::<N>(ring, &log, vec![], &all);
    });
}

/// The ring (`N >= 2`) holds `N - 1` items: one free slot. A slow thread pops; the
/// main thread's push must take the free slot whatever point the slow pop
/// has reached (the slot it empties may not be back yet, but the free one
/// is there).
fn push_beside_stalled_pop<const N: usize>(extra_preemptions: usize) {
    check(extra_preemptions, || {
        let held = N - 1;
        let (ring, log) = setup::<N>(held, 1);
        let slow = {
            let ring = ring.clone();
            thread::spawn(move || ring.pop().map(|t| t.id))
        };
        ring.push(log.item(held))
            .expect("push failed beside a stalled pop");
        let popped = slow.join().unwrap().expect("slow pop failed");
        assert_eq!(popped, 0, "pop skipped the oldest item");
        let expected: Vec<usize> = (0..=held).collect();
        finish::<N>(ring, &log, vec![popped], &expected);
    });
}

#[test]
fn pop_beside_stalled_push_capacity_1() {
    pop_beside_stalled_push::<1>(1);
}

#[test]
fn pop_beside_stalled_push_capacity_2() {
    pop_beside_stalled_push::<2>(1);
}

#[test]
fn pop_beside_stalled_push_capacity_4() {
    pop_beside_stalled_push::<4>(0);
}

#[test]
fn pop_beside_stalled_pop_capacity_2() {
    pop_beside_stalled_pop::<2>(1);
}

#[test]
fn pop_beside_stalled_pop_capacity_4() {
    pop_beside_stalled_pop::<4>(0);
}

#[test]
fn push_beside_stalled_push_capacity_2() {
    push_beside_stalled_push::<2>(1);
}

#[test]
fn push_beside_stalled_push_capacity_4() {
    push_beside_stalled_push::<4>(0);
}

#[test]
fn push_beside_stalled_pop_capacity_2() {
    push_beside_stalled_pop::<2>(1);
}

#[test]
fn push_beside_stalled_pop_capacity_4() {
    push_beside_stalled_pop::<4>(0);
}
