//! `is_closed` against a racing `close`: once any thread sees the ring
//! closed, every push that happens after that look is refused.
//!
//! `close` sets its flag in `state` before the closed bit in the used
//! ring's tail, and single pushes only meet the tail bit. A caller that
//! decides "closed, and nothing pending, so the stream has ended" (the
//! embedded pool's `recv`) relies on no push succeeding after its look, so
//! `is_closed` must report the bit that `close` sets last. Reading
//! `state` instead fails this model (the pusher's item goes in after the
//! observer saw "closed").
#![cfg(loom)]

use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, Ordering};
use loom::thread;
use ringpool_core::{PushError, Ring};
use ringpool_loom_tests::check;

fn no_push_after_a_closed_look<const N: usize>() {
    check(0, || {
        let ring: Arc<Ring<u32, N>> = Arc::new(Ring::new());
        let seen_closed = Arc::new(AtomicBool::new(false));
        let closer = {
            let ring = ring.clone();
            thread::spawn(move || assert!(ring.close()))
        };
        let observer = {
            let (ring, seen_closed) = (ring.clone(), seen_closed.clone());
            thread::spawn(move || {
                if ring.is_closed() {
                    seen_closed.store(true, Ordering::Release);
                }
            })
        };
        // The pusher pushes only after it learned that the observer saw
        // the ring closed: that push must be refused.
        if seen_closed.load(Ordering::Acquire) {
            match ring.push(7) {
                Err(PushError::Closed(7)) => {}
                other => panic!("a push after a closed look was not refused: {other:?}"),
            }
        }
        closer.join().unwrap();
        observer.join().unwrap();
        assert!(ring.is_closed());
        assert!(matches!(ring.push(8), Err(PushError::Closed(8))));
    });
}

#[test]
fn no_push_after_a_closed_look_1() {
    no_push_after_a_closed_look::<1>();
}

#[test]
fn no_push_after_a_closed_look_4() {
    no_push_after_a_closed_look::<4>();
}
