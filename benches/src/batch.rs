//! The batch rows: [`transfer_batched`] moves items like
//! [`queues::transfer`](crate::queues::transfer), but every producer pushes
//! up to `k` items per call and every consumer pops up to `k` per call,
//! through a [`BatchQueue`].
//!
//! A queue with batch operations implements [`BatchQueue`] with them and
//! gets one line in [`kinds`]; the report's "Ring batches" section and its
//! target row ("batches of 8 reach ≥ 1.0× ArrayQueue's single-item items/s
//! at 1/1 and 2/2") then measure it. [`Singly`] makes a batch out of single
//! calls: the rows every native batch must beat.

use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::thread;
use std::time::{Duration, Instant};

use crate::queues::{ArrayQueue, Backoff, BenchQueue, RingpoolRing, join_transfer, overall, share};

/// The largest batch [`transfer_batched`] uses.
pub const MAX_K: usize = 64;

/// Push and pop of several items per call.
pub trait BatchQueue: Sync {
    /// A fresh, empty queue.
    fn boxed() -> Box<Self>;
    /// Pushes a prefix of `items`, in order; returns its length (0: Full).
    fn push_some(&self, items: &[u64]) -> usize;
    /// Pops up to `out.len()` of the oldest items into the front of `out`;
    /// returns how many (0: empty).
    fn pop_some(&self, out: &mut [u64]) -> usize;
}

/// ringpool's own batch operations (`push_batch`/`pop_batch`).
impl<const N: usize> BatchQueue for RingpoolRing<N> {
    fn boxed() -> Box<Self> {
        <Self as BenchQueue>::boxed()
    }
    #[inline]
    fn push_some(&self, items: &[u64]) -> usize {
        match self.push_batch(&mut items.iter().copied()) {
            Ok(pushed) => pushed,
            Err(e) => e.pushed(),
        }
    }
    #[inline]
    fn pop_some(&self, out: &mut [u64]) -> usize {
        let mut n = 0;
        let _ = self.pop_batch(out.len(), |item| {
            out[n] = item;
            n += 1;
        });
        n
    }
}

/// A batch made of single calls to `Q`: what batching costs without batch
/// operations.
pub struct Singly<Q>(Box<Q>);

impl<Q: BenchQueue> BatchQueue for Singly<Q> {
    fn boxed() -> Box<Self> {
        Box::new(Self(Q::boxed()))
    }
    #[inline]
    fn push_some(&self, items: &[u64]) -> usize {
        items
            .iter()
            .take_while(|&&item| self.0.try_push(item).is_ok())
            .count()
    }
    #[inline]
    fn pop_some(&self, out: &mut [u64]) -> usize {
        let mut n = 0;
        while n < out.len() {
            match self.0.try_pop() {
                Some(item) => {
                    out[n] = item;
                    n += 1;
                }
                None => break,
            }
        }
        n
    }
}

/// [`transfer_batched`] for one queue type.
pub type BatchFn = fn(u64, usize, usize, Duration) -> Result<Duration, String>;

/// One batch row.
#[derive(Clone, Copy)]
pub struct Kind {
    /// The row's name.
    pub name: &'static str,
    /// Whether the queue's own batch operations move the items (not
    /// [`Singly`]).
    pub native: bool,
    /// The driver.
    pub transfer: BatchFn,
}

/// The batch rows, native batch operations first when a queue has them
/// (ringpool's `push_batch`/`pop_batch` belong here once core has them).
pub fn kinds() -> Vec<Kind> {
    vec![
        Kind {
            name: "ringpool push_batch/pop_batch",
            native: true,
            transfer: transfer_batched::<RingpoolRing>,
        },
        Kind {
            name: "ringpool, batch of single push/pop calls",
            native: false,
            transfer: transfer_batched::<Singly<RingpoolRing>>,
        },
        Kind {
            name: "ArrayQueue, batch of single push/pop calls",
            native: false,
            transfer: transfer_batched::<Singly<ArrayQueue>>,
        },
    ]
}

/// Moves `total` items through a fresh `Q` with `threads` producers and
/// `threads` consumers, `k` (at most [`MAX_K`]) items per call; timed and
/// checked as [`queues::transfer`](crate::queues::transfer) is.
///
/// # Errors
///
/// A thread made no progress for `stuck` (every thread then gave up).
/// Lost or duplicated items panic.
pub fn transfer_batched<Q: BatchQueue>(
    total: u64,
    threads: usize,
    k: usize,
    stuck: Duration,
) -> Result<Duration, String> {
    let k = k.clamp(1, MAX_K);
    let queue = Q::boxed();
    let queue = &*queue;
    let start = Barrier::new(2 * threads);
    let start = &start;
    let abort = AtomicBool::new(false);
    let abort = &abort;
    let (spans, popped_sum) = thread::scope(|s| {
        let mut first = 0;
        let mut producers = Vec::with_capacity(threads);
        for p in 0..threads {
            let count = share(total, threads, p);
            let (from, to) = (first, first + count);
            first += count;
            producers.push(s.spawn(move || {
                start.wait();
                let began = Instant::now();
                let mut backoff = Backoff::new(abort, stuck);
                let mut buf = [0u64; MAX_K];
                let mut next = from;
                'items: while next < to {
                    let n = (k as u64).min(to - next) as usize;
                    for (i, slot) in buf[..n].iter_mut().enumerate() {
                        *slot = next + i as u64;
                    }
                    let mut done = 0;
                    while done < n {
                        let pushed = queue.push_some(&buf[done..n]);
                        if pushed == 0 {
                            if !backoff.wait() {
                                break 'items;
                            }
                        } else {
                            done += pushed;
                            backoff.reset();
                        }
                    }
                    next += n as u64;
                }
                (began, Instant::now())
            }));
        }
        let consumers: Vec<_> = (0..threads)
            .map(|c| {
                let count = share(total, threads, c);
                s.spawn(move || {
                    start.wait();
                    let began = Instant::now();
                    let mut backoff = Backoff::new(abort, stuck);
                    let mut buf = [0u64; MAX_K];
                    let (mut got, mut sum) = (0u64, 0u64);
                    while got < count {
                        let want = (k as u64).min(count - got) as usize;
                        let n = queue.pop_some(&mut buf[..want]);
                        if n == 0 {
                            if !backoff.wait() {
                                break;
                            }
                            continue;
                        }
                        backoff.reset();
                        got += n as u64;
                        sum = buf[..n].iter().fold(sum, |a, &v| a.wrapping_add(v));
                    }
                    (began, Instant::now(), sum)
                })
            })
            .collect();
        join_transfer(producers, consumers)
    });
    if abort.load(Relaxed) {
        return Err(format!(
            "a thread made no progress for {stuck:?} with {threads}/{threads} threads, \
             {k} items per call"
        ));
    }
    let expected = (0..total).fold(0u64, u64::wrapping_add);
    assert_eq!(
        popped_sum, expected,
        "items lost or duplicated with {threads}/{threads} threads, {k} items per call"
    );
    Ok(overall(&spans))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_batch_row_moves_every_item() {
        for kind in kinds() {
            for (threads, k) in [(1, 1), (1, 8), (2, 8), (3, 5)] {
                (kind.transfer)(20_000, threads, k, Duration::from_secs(10))
                    .unwrap_or_else(|e| panic!("{}: {e}", kind.name));
            }
        }
    }

    #[test]
    fn singly_pushes_a_prefix_and_pops_the_oldest() {
        let q = Singly::<RingpoolRing<4>>::boxed();
        assert_eq!(q.push_some(&[1, 2, 3, 4, 5, 6]), 4);
        let mut out = [0; 3];
        assert_eq!(q.pop_some(&mut out), 3);
        assert_eq!(out, [1, 2, 3]);
        assert_eq!(q.pop_some(&mut out), 1);
        assert_eq!(out[0], 4);
        assert_eq!(q.pop_some(&mut out), 0);
    }
}
