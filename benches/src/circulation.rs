//! The ring floor rows: how one SCQ index ring compares with Vyukov's queue.
//!
//! A ring from the SCQ family moves an item with at least one index-ring
//! enqueue and one dequeue; ringpool's [`Ring`] does two of each (a free ring
//! and a used ring, see `core/src/bench_internals.rs`). [`circulate`] times
//! the same work for a full queue of [`CAPACITY`] items and `threads`
//! threads, each of which repeatedly takes the oldest item and puts it back:
//! every put follows a take by the same thread, so no queue can be Full and
//! the one-ring [`IndexQueue`] (which has no Full check) stays within its
//! capacity. Every item is counted at the end: a queue that lost or
//! duplicated one fails the run.
//!
//! The one-ring row is a floor for the SCQ family, not a usable queue (it
//! carries only its own indices): if it trails `ArrayQueue`, so will any
//! lock-free ring built from SCQ index rings on the same machine.

use crate::queues::{
    ArrayQueue, Backoff, BenchQueue, CAPACITY, LfqueueAlloc, LfqueueConst, NolockScq, RingpoolRing,
    overall,
};
use ringpool_core::Ring;
use ringpool_core::bench_internals::{self, Held, IndexQueue};
use std::sync::Barrier;
use std::sync::atomic::AtomicBool;
use std::thread;
use std::time::{Duration, Instant};

/// A queue the circulation can run: it starts holding the items
/// `0..CAPACITY` and hands each back as a token.
pub trait Circulate: Sync {
    /// The row's name.
    const NAME: &'static str;
    /// What a take hands out and a put takes back.
    type Token: Send;
    /// A queue holding `0..CAPACITY`, oldest first.
    fn full() -> Box<Self>;
    /// Takes the oldest item, or `None` if every item is held by a thread.
    fn take(&self) -> Option<Self::Token>;
    /// Puts a taken item back (never Full: see the module docs).
    fn put(&self, token: Self::Token);
    /// The item a token carries.
    fn item(token: &Self::Token) -> usize;
}

impl Circulate for ArrayQueue {
    const NAME: &'static str = "ArrayQueue";
    type Token = u64;
    fn full() -> Box<Self> {
        let queue = Box::new(ArrayQueue::new());
        for item in 0..CAPACITY as u64 {
            queue.push(item).expect("room for CAPACITY items");
        }
        queue
    }
    #[inline]
    fn take(&self) -> Option<u64> {
        self.pop()
    }
    #[inline]
    fn put(&self, token: u64) {
        self.push(token).expect("a put follows a take: never Full");
    }
    fn item(token: &u64) -> usize {
        *token as usize
    }
}

impl Circulate for RingpoolRing {
    const NAME: &'static str = "ringpool Ring (two index rings)";
    type Token = u64;
    fn full() -> Box<Self> {
        let ring = Box::new(Ring::new());
        for item in 0..CAPACITY as u64 {
            ring.push(item).expect("room for CAPACITY items");
        }
        ring
    }
    #[inline]
    fn take(&self) -> Option<u64> {
        self.pop().ok()
    }
    #[inline]
    fn put(&self, token: u64) {
        self.push(token)
            .expect("a put follows a take: never Full or Closed");
    }
    fn item(token: &u64) -> usize {
        *token as usize
    }
}

/// A `Q` holding `0..CAPACITY`, oldest first.
fn filled<Q: BenchQueue>() -> Box<Q> {
    let queue = Q::boxed();
    for item in 0..CAPACITY as u64 {
        assert!(queue.try_push(item).is_ok(), "room for CAPACITY items");
    }
    queue
}

/// Puts an item back into a queue that cannot be Full (see the module
/// docs); a refusal means the queue broke its capacity promise.
fn put_back<Q: BenchQueue>(queue: &Q, item: u64) {
    assert!(
        queue.try_push(item).is_ok(),
        "{}: Full with fewer than its capacity of items",
        Q::NAME
    );
}

impl Circulate for LfqueueConst<{ 2 * CAPACITY }> {
    const NAME: &'static str = <Self as BenchQueue>::NAME;
    type Token = u64;
    fn full() -> Box<Self> {
        filled()
    }
    #[inline]
    fn take(&self) -> Option<u64> {
        self.try_pop()
    }
    #[inline]
    fn put(&self, token: u64) {
        put_back(self, token);
    }
    fn item(token: &u64) -> usize {
        *token as usize
    }
}

impl Circulate for LfqueueAlloc {
    const NAME: &'static str = <Self as BenchQueue>::NAME;
    type Token = u64;
    fn full() -> Box<Self> {
        filled()
    }
    #[inline]
    fn take(&self) -> Option<u64> {
        self.try_pop()
    }
    #[inline]
    fn put(&self, token: u64) {
        put_back(self, token);
    }
    fn item(token: &u64) -> usize {
        *token as usize
    }
}

impl Circulate for NolockScq {
    const NAME: &'static str = <Self as BenchQueue>::NAME;
    type Token = u64;
    fn full() -> Box<Self> {
        filled()
    }
    #[inline]
    fn take(&self) -> Option<u64> {
        self.try_pop()
    }
    #[inline]
    fn put(&self, token: u64) {
        put_back(self, token);
    }
    fn item(token: &u64) -> usize {
        *token as usize
    }
}

impl Circulate for IndexQueue {
    const NAME: &'static str = "one SCQ index ring (floor)";
    type Token = Held;
    fn full() -> Box<Self> {
        const { assert!(bench_internals::CAPACITY == CAPACITY) };
        Box::new(IndexQueue::full())
    }
    #[inline]
    fn take(&self) -> Option<Held> {
        self.dequeue()
    }
    #[inline]
    fn put(&self, token: Held) {
        self.enqueue(token);
    }
    fn item(token: &Held) -> usize {
        token.index()
    }
}

/// [`circulate`] for one queue type.
pub type CirculateFn = fn(u64, usize, Duration) -> Result<Duration, String>;

/// The floor rows, `ArrayQueue` first: name and driver of each.
pub fn kinds() -> Vec<(&'static str, CirculateFn)> {
    fn kind<Q: Circulate>() -> (&'static str, CirculateFn) {
        (Q::NAME, circulate::<Q>)
    }
    vec![
        kind::<ArrayQueue>(),
        kind::<IndexQueue>(),
        kind::<RingpoolRing>(),
        kind::<LfqueueConst<{ 2 * CAPACITY }>>(),
        kind::<LfqueueAlloc>(),
        kind::<NolockScq>(),
    ]
}

/// `threads` threads each take and put back `rounds` items of a fresh full
/// `Q`; returns the time from the first thread's start to the last thread's
/// end (clocks read by the threads, as in
/// [`transfer`](crate::queues::transfer)).
///
/// # Errors
///
/// A thread found nothing to take for `stuck` (the queue lost items or
/// wedged). Otherwise every item is checked to be in the queue exactly once
/// at the end (a panic if not).
pub fn circulate<Q: Circulate>(
    rounds: u64,
    threads: usize,
    stuck: Duration,
) -> Result<Duration, String> {
    let queue = Q::full();
    let queue = &*queue;
    let start = Barrier::new(threads);
    let start = &start;
    let abort = AtomicBool::new(false);
    let abort = &abort;
    let spans: Vec<(Instant, Instant)> = thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(move || {
                    start.wait();
                    let began = Instant::now();
                    let mut backoff = Backoff::new(abort, stuck);
                    'rounds: for _ in 0..rounds {
                        let token = loop {
                            if let Some(token) = queue.take() {
                                break token;
                            }
                            if !backoff.wait() {
                                break 'rounds;
                            }
                        };
                        backoff.reset();
                        queue.put(token);
                    }
                    (began, Instant::now())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("circulating thread panicked"))
            .collect()
    });
    if abort.load(std::sync::atomic::Ordering::Relaxed) {
        return Err(format!(
            "{}: a thread found nothing to take for {stuck:?} with {threads} threads",
            Q::NAME
        ));
    }
    let mut seen = [false; CAPACITY];
    while let Some(token) = queue.take() {
        let item = Q::item(&token);
        assert!(
            !std::mem::replace(&mut seen[item], true),
            "{}: item {item} twice after circulating",
            Q::NAME
        );
    }
    assert!(
        seen.iter().all(|&s| s),
        "{}: items lost while circulating",
        Q::NAME
    );
    Ok(overall(&spans))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check<Q: Circulate>() {
        for threads in [1, 3] {
            circulate::<Q>(2_000, threads, Duration::from_secs(5)).expect("no stall");
        }
    }

    #[test]
    fn every_queue_keeps_every_item() {
        check::<ArrayQueue>();
        check::<RingpoolRing>();
        check::<IndexQueue>();
        check::<LfqueueAlloc>();
        check::<NolockScq>();
    }
}
