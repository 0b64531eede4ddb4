//! Smoke model: one push racing one pop at capacity 1.
#![cfg(loom)]
use loom::thread;
use ringpool_core::{PopError, Ring};
use std::sync::Arc;

#[test]
fn push_pop_capacity_1() {
    loom::model(|| {
        let ring = Arc::new(Ring::<u32, 1>::new());
        let r = ring.clone();
        let t = thread::spawn(move || r.push(1).is_ok());
        let mut got = None;
        for _ in 0..2 {
            if let Ok(v) = ring.pop() {
                got = Some(v);
                break;
            }
        }
        let pushed = t.join().unwrap();
        assert!(pushed);
        if got.is_none() {
            assert_eq!(ring.pop(), Ok(1));
        }
        assert_eq!(ring.pop(), Err(PopError::Empty));
    });
}
