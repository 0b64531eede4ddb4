//! The ring rows: every bounded MPMC queue under test behind [`BenchQueue`],
//! and [`transfer`], which times `P` producers moving a fixed number of `u64`
//! items to `P` consumers through one queue of capacity [`CAPACITY`].
//!
//! Channels are used without blocking (`try_send`/`try_recv`), so every
//! queue does the same non-blocking work; on Full or empty every thread uses
//! the same [`Backoff`] (a few spin hints, then `yield_now`). Consumers sum
//! what they pop and the transfer panics unless the sum matches what was
//! pushed: a queue that loses or duplicates an item cannot post a number. A
//! watchdog in the backoff ends a run in which a thread makes no progress
//! for a given time (a queue that lost an item or wedged) with an error
//! instead of a hang.

use std::hint::spin_loop;
use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::thread::{self, ScopedJoinHandle};
use std::time::{Duration, Instant};

use ringpool_core::Ring;

/// Capacity of every queue outside the capacity rows (heapless 0.8's
/// largest without `mpmc_large`).
pub const CAPACITY: usize = 128;

/// The capacities of the ring rows that show how each queue's cost grows
/// with its size.
pub const CAPACITIES: [usize; 4] = [16, 128, 1024, 65536];

/// The operations the workload needs, for every queue under test.
pub trait BenchQueue: Sync {
    /// The row's name.
    const NAME: &'static str;
    /// How many items a fresh queue holds before a push reports Full (what
    /// the queue's own documentation promises).
    const CAPACITY: usize;
    /// A fresh, empty queue of capacity [`Self::CAPACITY`].
    fn boxed() -> Box<Self>;
    /// One push attempt; the item back if the queue is full.
    fn try_push(&self, item: u64) -> Result<(), u64>;
    /// One pop attempt; `None` if the queue is empty.
    fn try_pop(&self) -> Option<u64>;
}

/// `Box::new(make())` without the value ever living on the caller's stack
/// when it is large: a queue with its slots inline at capacity 65 536 is
/// tens of MiB (lfqueue's const queue pads every ring entry to a cache line),
/// more than a thread's stack. Large values are built on a thread whose
/// stack fits them.
pub fn boxed_inline<T: Send + 'static>(make: fn() -> T) -> Box<T> {
    const SMALL: usize = 256 * 1024;
    if size_of::<T>() <= SMALL {
        return Box::new(make());
    }
    thread::Builder::new()
        .stack_size(3 * size_of::<T>() + (1 << 20))
        .spawn(move || Box::new(make()))
        .expect("a thread to build a large queue")
        .join()
        .expect("building a large queue panicked")
}

/// ringpool's ring (capacity 128 unless given).
pub type RingpoolRing<const N: usize = CAPACITY> = Ring<u64, N>;
/// heapless 0.8's `MpMcQueue` (with `mpmc_large`: `usize` counters).
pub type HeaplessQueue<const N: usize = CAPACITY> = heapless::mpmc::MpMcQueue<u64, N>;

/// crossbeam's `ArrayQueue` (Vyukov's bounded MPMC queue) of capacity `N`.
pub struct ArrayQueue<const N: usize = CAPACITY>(crossbeam_queue::ArrayQueue<u64>);

impl<const N: usize> ArrayQueue<N> {
    /// An empty queue of capacity `N`.
    pub fn new() -> Self {
        Self(crossbeam_queue::ArrayQueue::new(N))
    }
}

impl<const N: usize> Default for ArrayQueue<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> std::ops::Deref for ArrayQueue<N> {
    type Target = crossbeam_queue::ArrayQueue<u64>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<const N: usize> BenchQueue for RingpoolRing<N> {
    const NAME: &'static str = "ringpool";
    const CAPACITY: usize = N;
    fn boxed() -> Box<Self> {
        boxed_inline(Ring::new)
    }
    #[inline]
    fn try_push(&self, item: u64) -> Result<(), u64> {
        // Never closed here, so the only error is Full.
        self.push(item).map_err(|e| e.into_inner())
    }
    #[inline]
    fn try_pop(&self) -> Option<u64> {
        self.pop().ok()
    }
}

impl<const N: usize> BenchQueue for ArrayQueue<N> {
    const NAME: &'static str = "ArrayQueue";
    const CAPACITY: usize = N;
    fn boxed() -> Box<Self> {
        Box::new(Self::new())
    }
    #[inline]
    fn try_push(&self, item: u64) -> Result<(), u64> {
        self.0.push(item)
    }
    #[inline]
    fn try_pop(&self) -> Option<u64> {
        self.0.pop()
    }
}

impl<const N: usize> BenchQueue for HeaplessQueue<N> {
    const NAME: &'static str = "heapless mpmc";
    const CAPACITY: usize = N;
    fn boxed() -> Box<Self> {
        boxed_inline(heapless::mpmc::MpMcQueue::new)
    }
    #[inline]
    fn try_push(&self, item: u64) -> Result<(), u64> {
        self.enqueue(item)
    }
    #[inline]
    fn try_pop(&self) -> Option<u64> {
        self.dequeue()
    }
}

/// lfqueue 0.8's `ConstBoundedQueue` (SCQ, slots inline) holding `M / 2`
/// items: the crate's const parameter is the size of its index rings, twice
/// the capacity (its docs: "to make a constant queue of size 2, the constant
/// parameter should be set to 4").
pub type LfqueueConst<const M: usize> = lfqueue::ConstBoundedQueue<u64, M>;

impl<const M: usize> BenchQueue for LfqueueConst<M> {
    const NAME: &'static str = "lfqueue ConstBoundedQueue";
    const CAPACITY: usize = M / 2;
    fn boxed() -> Box<Self> {
        boxed_inline(lfqueue::ConstBoundedQueue::new_const)
    }
    #[inline]
    fn try_push(&self, item: u64) -> Result<(), u64> {
        self.enqueue(item)
    }
    #[inline]
    fn try_pop(&self) -> Option<u64> {
        self.dequeue()
    }
}

/// lfqueue 0.8's `AllocBoundedQueue` (SCQ, slots on the heap) of capacity `N`.
pub struct LfqueueAlloc<const N: usize = CAPACITY>(lfqueue::AllocBoundedQueue<u64>);

impl<const N: usize> BenchQueue for LfqueueAlloc<N> {
    const NAME: &'static str = "lfqueue AllocBoundedQueue";
    const CAPACITY: usize = N;
    fn boxed() -> Box<Self> {
        Box::new(Self(lfqueue::AllocBoundedQueue::new(N)))
    }
    #[inline]
    fn try_push(&self, item: u64) -> Result<(), u64> {
        self.0.enqueue(item)
    }
    #[inline]
    fn try_pop(&self) -> Option<u64> {
        self.0.dequeue()
    }
}

/// nolock 0.4's SCQ queue (`queues::mpmc::bounded::scq`) of capacity `N`,
/// both halves in one value (both are `Sync`).
pub struct NolockScq<const N: usize = CAPACITY> {
    rx: nolock::queues::mpmc::bounded::scq::Receiver<u64>,
    tx: nolock::queues::mpmc::bounded::scq::Sender<u64>,
}

impl<const N: usize> BenchQueue for NolockScq<N> {
    const NAME: &'static str = "nolock scq";
    const CAPACITY: usize = N;
    fn boxed() -> Box<Self> {
        let (rx, tx) = nolock::queues::mpmc::bounded::scq::queue(N);
        Box::new(Self { rx, tx })
    }
    #[inline]
    fn try_push(&self, item: u64) -> Result<(), u64> {
        self.tx.try_enqueue(item).map_err(|(_, item)| item)
    }
    #[inline]
    fn try_pop(&self) -> Option<u64> {
        self.rx.try_dequeue().ok()
    }
}

/// crossbeam-channel's bounded channel, both ends in one value.
pub struct CrossbeamChannel<const N: usize = CAPACITY> {
    tx: crossbeam_channel::Sender<u64>,
    rx: crossbeam_channel::Receiver<u64>,
}

impl<const N: usize> BenchQueue for CrossbeamChannel<N> {
    const NAME: &'static str = "crossbeam-channel bounded";
    const CAPACITY: usize = N;
    fn boxed() -> Box<Self> {
        let (tx, rx) = crossbeam_channel::bounded(N);
        Box::new(Self { tx, rx })
    }
    #[inline]
    fn try_push(&self, item: u64) -> Result<(), u64> {
        self.tx.try_send(item).map_err(|e| e.into_inner())
    }
    #[inline]
    fn try_pop(&self) -> Option<u64> {
        self.rx.try_recv().ok()
    }
}

/// flume's bounded channel, both ends in one value.
pub struct FlumeChannel<const N: usize = CAPACITY> {
    tx: flume::Sender<u64>,
    rx: flume::Receiver<u64>,
}

impl<const N: usize> BenchQueue for FlumeChannel<N> {
    const NAME: &'static str = "flume bounded";
    const CAPACITY: usize = N;
    fn boxed() -> Box<Self> {
        let (tx, rx) = flume::bounded(N);
        Box::new(Self { tx, rx })
    }
    #[inline]
    fn try_push(&self, item: u64) -> Result<(), u64> {
        self.tx.try_send(item).map_err(|e| e.into_inner())
    }
    #[inline]
    fn try_pop(&self) -> Option<u64> {
        self.rx.try_recv().ok()
    }
}

/// std's `sync_channel`; the receiver behind a `Mutex` so that several
/// consumers can share it.
pub struct StdSyncChannel<const N: usize = CAPACITY> {
    tx: std::sync::mpsc::SyncSender<u64>,
    rx: std::sync::Mutex<std::sync::mpsc::Receiver<u64>>,
}

impl<const N: usize> BenchQueue for StdSyncChannel<N> {
    const NAME: &'static str = "std sync_channel";
    const CAPACITY: usize = N;
    fn boxed() -> Box<Self> {
        let (tx, rx) = std::sync::mpsc::sync_channel(N);
        Box::new(Self {
            tx,
            rx: std::sync::Mutex::new(rx),
        })
    }
    #[inline]
    fn try_push(&self, item: u64) -> Result<(), u64> {
        self.tx.try_send(item).map_err(|e| match e {
            std::sync::mpsc::TrySendError::Full(item)
            | std::sync::mpsc::TrySendError::Disconnected(item) => item,
        })
    }
    #[inline]
    fn try_pop(&self) -> Option<u64> {
        self.rx.lock().ok()?.try_recv().ok()
    }
}

/// The retry policy shared by every queue: spin briefly, then yield; and the
/// watchdog: a thread that makes no progress for `limit` raises the run's
/// abort flag, and every thread of the run gives up once it sees it (a queue
/// that lost an item, or wedged, cannot hang the report: its run fails).
pub struct Backoff<'a> {
    abort: &'a AtomicBool,
    limit: Duration,
    retries: u32,
    since: Option<Instant>,
}

impl<'a> Backoff<'a> {
    const SPINS: u32 = 8;

    /// A fresh backoff for one thread of a run with this abort flag.
    pub fn new(abort: &'a AtomicBool, limit: Duration) -> Self {
        Self {
            abort,
            limit,
            retries: 0,
            since: None,
        }
    }

    /// After a failed attempt; `false` once the run has been aborted.
    #[inline]
    pub fn wait(&mut self) -> bool {
        if self.retries < Self::SPINS {
            spin_loop();
        } else {
            thread::yield_now();
            if self.retries.is_multiple_of(64) {
                if self.abort.load(Relaxed) {
                    return false;
                }
                let since = *self.since.get_or_insert_with(Instant::now);
                if since.elapsed() > self.limit {
                    self.abort.store(true, Relaxed);
                    return false;
                }
            }
        }
        self.retries = self.retries.saturating_add(1);
        true
    }

    /// After a successful attempt.
    #[inline]
    pub fn reset(&mut self) {
        self.retries = 0;
        self.since = None;
    }
}

/// The time from the earliest start to the latest end of per-thread
/// `(start, end)` clock readings: how long a multi-threaded run took.
pub fn overall(spans: &[(Instant, Instant)]) -> Duration {
    let began = spans.iter().map(|s| s.0).min().expect("threads ran");
    let ended = spans.iter().map(|s| s.1).max().expect("threads ran");
    ended - began
}

/// Joins a transfer's threads (producers report their `(start, end)`,
/// consumers also the sum of what they popped): every thread's span and the
/// total popped sum.
pub fn join_transfer(
    producers: Vec<ScopedJoinHandle<'_, (Instant, Instant)>>,
    consumers: Vec<ScopedJoinHandle<'_, (Instant, Instant, u64)>>,
) -> (Vec<(Instant, Instant)>, u64) {
    let mut spans = Vec::with_capacity(producers.len() + consumers.len());
    let mut sum = 0u64;
    for c in consumers {
        let (b, e, part) = c.join().expect("consumer panicked");
        spans.push((b, e));
        sum = sum.wrapping_add(part);
    }
    for p in producers {
        spans.push(p.join().expect("producer panicked"));
    }
    (spans, sum)
}

/// `total` split into `parts` shares that differ by at most one.
pub fn share(total: u64, parts: usize, part: usize) -> u64 {
    let parts = parts as u64;
    total / parts + u64::from((part as u64) < total % parts)
}

/// Moves `total` items through a fresh `Q` with `threads` producers and
/// `threads` consumers; returns the time from the first thread's start (each
/// thread reads the clock right after the start barrier) until the last
/// thread's finish. Thread creation is excluded; so is any delay of the
/// coordinating thread after the barrier (on a 2-core machine it may not run
/// again until the transfer is over, which would make a clock read there
/// meaningless).
///
/// # Errors
///
/// A thread made no progress for `stuck` (every thread then gave up): the
/// error says so. The sum of the popped items is checked otherwise (a panic
/// if items were lost or duplicated).
pub fn transfer<Q: BenchQueue>(
    total: u64,
    threads: usize,
    stuck: Duration,
) -> Result<Duration, String> {
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
            let range = first..first + count;
            first += count;
            producers.push(s.spawn(move || {
                start.wait();
                let began = Instant::now();
                let mut backoff = Backoff::new(abort, stuck);
                'items: for value in range {
                    let mut item = value;
                    while let Err(back) = queue.try_push(item) {
                        item = back;
                        if !backoff.wait() {
                            break 'items;
                        }
                    }
                    backoff.reset();
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
                    let mut sum = 0u64;
                    'items: for _ in 0..count {
                        loop {
                            if let Some(value) = queue.try_pop() {
                                sum = sum.wrapping_add(value);
                                break;
                            }
                            if !backoff.wait() {
                                break 'items;
                            }
                        }
                        backoff.reset();
                    }
                    (began, Instant::now(), sum)
                })
            })
            .collect();
        join_transfer(producers, consumers)
    });
    if abort.load(Relaxed) {
        return Err(format!(
            "{}: a thread made no progress for {stuck:?} with {threads}/{threads} threads \
             (producers saw Full and consumers saw empty)",
            Q::NAME
        ));
    }
    let expected = (0..total).fold(0u64, u64::wrapping_add);
    assert_eq!(
        popped_sum,
        expected,
        "{}: items lost or duplicated with {threads}/{threads} threads",
        Q::NAME
    );
    Ok(overall(&spans))
}
