//! Single-threaded unit tests of `Ring<T, N>` (inline storage, `const fn
//! new`): smoke, capacity, FIFO across laps, close, and drops — every item
//! dropped exactly once whether popped, refused, or left in the ring.
// Plain std execution: loom types would panic outside `loom::model`.
#![cfg(not(loom))]

use ringpool_core::{PopError, PushError, Ring};
use std::cell::Cell;
use std::rc::Rc;

/// Laps around the ring in the lap tests (fewer under miri).
const LAPS: usize = if cfg!(miri) { 8 } else { 1_000 };

#[test]
fn smoke() {
    let ring: Ring<i32, 4> = Ring::new();
    assert!(ring.is_empty());
    ring.push(7).unwrap();
    assert_eq!(ring.len(), 1);
    assert!(!ring.is_empty());
    assert_eq!(ring.pop(), Ok(7));
    assert_eq!(ring.pop(), Err(PopError::Empty));
    assert!(ring.is_empty());
}

#[test]
fn in_a_static() {
    static RING: Ring<u32, 2> = Ring::new();
    RING.push(1).unwrap();
    RING.push(2).unwrap();
    assert!(RING.push(3).unwrap_err().is_full());
    assert_eq!((RING.pop(), RING.pop()), (Ok(1), Ok(2)));
}

#[test]
fn default_is_new() {
    let ring: Ring<u8, 8> = Ring::default();
    assert_eq!((ring.capacity(), ring.len()), (8, 0));
}

fn fill_to_capacity<const N: usize>() {
    let ring: Ring<usize, N> = Ring::new();
    assert_eq!(ring.capacity(), N);
    for i in 0..N {
        ring.push(i).unwrap();
        assert_eq!(ring.len(), i + 1);
    }
    match ring.push(N) {
        Err(PushError::Full(item)) => assert_eq!(item, N),
        other => panic!("push into a full ring: {other:?}"),
    }
    assert_eq!(ring.len(), N);
    for i in 0..N {
        assert_eq!(ring.pop(), Ok(i));
    }
    assert_eq!(ring.pop(), Err(PopError::Empty));
}

#[test]
fn capacity_is_exact() {
    fill_to_capacity::<1>();
    fill_to_capacity::<2>();
    fill_to_capacity::<4>();
    fill_to_capacity::<8>();
    fill_to_capacity::<64>();
}

#[test]
fn fifo_over_many_laps() {
    let ring: Ring<usize, 4> = Ring::new();
    let mut next_in = 0;
    let mut next_out = 0;
    for lap in 0..LAPS {
        // Vary the fill level so the head and tail meet at every offset.
        for _ in 0..1 + lap % 4 {
            ring.push(next_in).unwrap();
            next_in += 1;
        }
        while let Ok(v) = ring.pop() {
            assert_eq!(v, next_out);
            next_out += 1;
        }
    }
    assert_eq!(next_in, next_out);
}

#[test]
fn capacity_one_alternates() {
    let ring: Ring<usize, 1> = Ring::new();
    for i in 0..LAPS {
        ring.push(i).unwrap();
        assert!(ring.push(i + 1).unwrap_err().is_full());
        assert_eq!(ring.pop(), Ok(i));
        assert_eq!(ring.pop(), Err(PopError::Empty));
    }
}

#[test]
fn zero_sized_items() {
    let ring: Ring<(), 2> = Ring::new();
    ring.push(()).unwrap();
    ring.push(()).unwrap();
    assert!(ring.push(()).is_err());
    assert_eq!(ring.pop(), Ok(()));
    assert_eq!(ring.len(), 1);
}

#[test]
fn close_refuses_pushes_and_drains() {
    let ring: Ring<u32, 4> = Ring::new();
    ring.push(1).unwrap();
    ring.push(2).unwrap();
    assert!(!ring.is_closed());
    assert!(ring.close(), "first close closes");
    assert!(!ring.close(), "second close reports already closed");
    assert!(ring.is_closed());
    match ring.push(3) {
        Err(e @ PushError::Closed(_)) => {
            assert!(e.is_closed() && !e.is_full());
            assert_eq!(e.into_inner(), 3);
        }
        other => panic!("push after close: {other:?}"),
    }
    assert_eq!(ring.pop(), Ok(1));
    assert_eq!(ring.pop(), Ok(2));
    for _ in 0..3 {
        assert_eq!(ring.pop(), Err(PopError::Closed));
    }
    assert!(ring.push(4).unwrap_err().is_closed());
}

#[test]
fn close_full_ring_refuses_with_closed_not_full() {
    let ring: Ring<u32, 1> = Ring::new();
    ring.push(1).unwrap();
    ring.close();
    assert!(ring.push(2).unwrap_err().is_closed());
}

#[test]
fn errors_display_and_debug() {
    let ring: Ring<String, 1> = Ring::new();
    ring.push("a".into()).unwrap();
    let full = ring.push("secret".into()).unwrap_err();
    assert_eq!(format!("{full:?}"), "Full(..)");
    assert!(full.to_string().contains("full"));
    ring.close();
    let closed = ring.push("b".into()).unwrap_err();
    assert_eq!(format!("{closed:?}"), "Closed(..)");
    assert!(closed.to_string().contains("closed"));
    assert!(PopError::Empty.to_string().contains("empty"));
    assert!(PopError::Closed.to_string().contains("closed"));
    let debug = format!("{ring:?}");
    assert!(
        debug.contains("len: 1") && debug.contains("closed: true"),
        "{debug}"
    );
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
fn leftovers_dropped_once_with_the_ring() {
    let drops = Rc::new(Cell::new(0));
    {
        let ring: Ring<Counted, 4> = Ring::new();
        for _ in 0..4 {
            ring.push(Counted(drops.clone())).unwrap();
        }
        drop(ring.pop().unwrap());
        assert_eq!(drops.get(), 1);
    }
    assert_eq!(drops.get(), 4, "3 leftovers + 1 popped");
}

#[test]
fn leftovers_dropped_after_wrapping() {
    let drops = Rc::new(Cell::new(0));
    {
        let ring: Ring<Counted, 2> = Ring::new();
        for _ in 0..5 {
            ring.push(Counted(drops.clone())).unwrap();
            drop(ring.pop().unwrap());
        }
        ring.push(Counted(drops.clone())).unwrap();
        ring.push(Counted(drops.clone())).unwrap();
        assert_eq!(drops.get(), 5);
    }
    assert_eq!(drops.get(), 7);
}

#[test]
fn refused_items_come_back_and_drop_once() {
    let drops = Rc::new(Cell::new(0));
    let ring: Ring<Counted, 1> = Ring::new();
    ring.push(Counted(drops.clone())).unwrap();
    let full = ring.push(Counted(drops.clone())).unwrap_err();
    assert_eq!(
        drops.get(),
        0,
        "a refused item must not be dropped by the ring"
    );
    drop(full);
    assert_eq!(drops.get(), 1);
    ring.close();
    let closed = ring.push(Counted(drops.clone())).unwrap_err().into_inner();
    assert_eq!(drops.get(), 1);
    drop(closed);
    drop(ring);
    assert_eq!(drops.get(), 3);
}

#[test]
fn closed_ring_drops_leftovers() {
    let drops = Rc::new(Cell::new(0));
    let ring: Ring<Counted, 4> = Ring::new();
    ring.push(Counted(drops.clone())).unwrap();
    ring.push(Counted(drops.clone())).unwrap();
    ring.close();
    drop(ring);
    assert_eq!(drops.get(), 2);
}
