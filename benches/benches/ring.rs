//! Ring throughput: ringpool's [`Ring`] against the two Vyukov-style bounded
//! MPMC queues it replaces, `crossbeam_queue::ArrayQueue` and heapless 0.8's
//! `mpmc::MpMcQueue`, and against three bounded channels used without
//! blocking (`try_send`/`try_recv`): crossbeam-channel, flume and std's
//! `sync_channel` (its receiver behind a `Mutex`, since std's `Receiver` cannot
//! be shared by several consumers). Every queue has capacity 128 and carries
//! `u64` items.
//!
//! Run by hand (not in CI; `ci/bench-smoke.sh` only compiles it):
//!
//! ```text
//! cargo bench -p ringpool-benches --bench ring
//! bash benches/ring-ratios.sh   # medians as items/s and ringpool's ratios
//! ```
//!
//! Findings and profiling notes: `benches/notes/`.
//!
//! # What one benchmark measures
//!
//! Groups `ring_1p1c`, `ring_2p2c` and `ring_4p4c` run `P` producer and `P`
//! consumer threads (4/4 is oversubscribed on a 2-core machine, on purpose:
//! it shows what a preempted peer costs each queue). Inside each group, one
//! benchmark per queue: `ringpool`, `ArrayQueue`, `crossbeam-channel`,
//! `flume`, `sync_channel` and `heapless` (heapless in
//! `ring_4p4c` only with `RINGPOOL_BENCH_HEAPLESS_OVERSUBSCRIBED=1`, see
//! below).
//!
//! One criterion iteration is the transfer of [`ITEMS_PER_ITER`] items from
//! the producers to the consumers, and the throughput is reported in items
//! per second ([`Throughput::Elements`]). Each sample ([`Bencher::iter_custom`])
//! builds a fresh queue, spawns its threads in a [`std::thread::scope`], lets
//! them all wait on a barrier, and times from the barrier's release until the
//! last thread has finished: thread creation is outside the timed part, the
//! transfer (and the joins) inside it, identically for every queue.
//!
//! * Producer `p` pushes its share of the sample's items (the values are a
//!   disjoint range per producer).
//! * Consumer `c` pops exactly its share of the items, so every item is
//!   popped and every thread knows when to stop without a shared counter.
//!   Each consumer sums what it pops, and the sample panics unless the sums
//!   add up to the sum of everything pushed: a queue that loses or
//!   duplicates an item fails loudly instead of posting a number.
//! * On `Full` (push) and on empty (pop) every queue gets the same retry
//!   policy, [`Backoff`]: a few `spin_loop` hints, then `yield_now`.
//!
//! heapless runs with its `mpmc_large` feature (`usize` counters): with the
//! default `u8` counters the 2/2 run broke the queue (see
//! `benches/Cargo.toml`). Even so, heapless and `ArrayQueue` are not
//! lock-free (heapless issue 583): a thread preempted between claiming a cell
//! and publishing it blocks every peer at that cell, which an oversubscribed
//! run can turn into stalls of seconds. Such stalls are part of what this
//! bench measures; a thread with no progress for [`STUCK`] stops the run.
//!
//! The queues are heap-allocated (one `Box` each) so that all three sit on
//! their own allocation and none benefits from stack placement.

use criterion::{Bencher, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::spin_loop;
use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

use ringpool_core::Ring;

/// Capacity of every queue: heapless 0.8's largest without `mpmc_large`.
const CAPACITY: usize = 128;

/// Items moved per criterion iteration.
const ITEMS_PER_ITER: u64 = 10_000;

/// Producer/consumer thread counts benchmarked (`P` producers, `P` consumers).
const THREADS: [usize; 3] = [1, 2, 4];

/// A thread that has made no progress for this long means a lost item (or a
/// peer stalled for ages inside a queue that is not lock-free): the run stops
/// with a message instead of hanging. A panic would not do: the scope would
/// wait forever for the peers still spinning on the lost item.
const STUCK: Duration = Duration::from_secs(30);

/// Set this environment variable to run heapless in the oversubscribed 4/4
/// group too. It is off by default because there, on 2026-11-26 on a loaded
/// 2-core machine, a heapless thread made no progress for [`STUCK`] and the
/// run had to stop, taking the rest of the report with it.
const HEAPLESS_OVERSUBSCRIBED: &str = "RINGPOOL_BENCH_HEAPLESS_OVERSUBSCRIBED";

/// The operations the workload needs, for every queue under test.
trait BenchQueue: Sync {
    /// Name of the benchmark inside each group.
    const NAME: &'static str;

    /// A fresh, empty queue of capacity [`CAPACITY`].
    fn boxed() -> Box<Self>;

    /// One push attempt; the item back if the queue is full.
    fn try_push(&self, item: u64) -> Result<(), u64>;

    /// One pop attempt; `None` if the queue is empty.
    fn try_pop(&self) -> Option<u64>;
}

impl BenchQueue for Ring<u64, CAPACITY> {
    const NAME: &'static str = "ringpool";

    fn boxed() -> Box<Self> {
        Box::new(Ring::new())
    }

    #[inline]
    fn try_push(&self, item: u64) -> Result<(), u64> {
        // Never closed here, so the only error is `Full`.
        self.push(item).map_err(|e| e.into_inner())
    }

    #[inline]
    fn try_pop(&self) -> Option<u64> {
        self.pop().ok()
    }
}

impl BenchQueue for crossbeam_queue::ArrayQueue<u64> {
    const NAME: &'static str = "ArrayQueue";

    fn boxed() -> Box<Self> {
        Box::new(crossbeam_queue::ArrayQueue::new(CAPACITY))
    }

    #[inline]
    fn try_push(&self, item: u64) -> Result<(), u64> {
        self.push(item)
    }

    #[inline]
    fn try_pop(&self) -> Option<u64> {
        self.pop()
    }
}

impl BenchQueue for heapless::mpmc::MpMcQueue<u64, CAPACITY> {
    const NAME: &'static str = "heapless";

    fn boxed() -> Box<Self> {
        Box::new(heapless::mpmc::MpMcQueue::new())
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

/// crossbeam-channel's bounded channel, both ends in one value.
struct CrossbeamChannel {
    tx: crossbeam_channel::Sender<u64>,
    rx: crossbeam_channel::Receiver<u64>,
}

impl BenchQueue for CrossbeamChannel {
    const NAME: &'static str = "crossbeam-channel";

    fn boxed() -> Box<Self> {
        let (tx, rx) = crossbeam_channel::bounded(CAPACITY);
        Box::new(Self { tx, rx })
    }

    #[inline]
    fn try_push(&self, item: u64) -> Result<(), u64> {
        // Both ends live as long as `self`: the only error is `Full`.
        self.tx.try_send(item).map_err(|e| e.into_inner())
    }

    #[inline]
    fn try_pop(&self) -> Option<u64> {
        self.rx.try_recv().ok()
    }
}

/// flume's bounded channel, both ends in one value.
struct FlumeChannel {
    tx: flume::Sender<u64>,
    rx: flume::Receiver<u64>,
}

impl BenchQueue for FlumeChannel {
    const NAME: &'static str = "flume";

    fn boxed() -> Box<Self> {
        let (tx, rx) = flume::bounded(CAPACITY);
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

/// std's `sync_channel`; the receiver sits behind a `Mutex` so that several
/// consumers can share it (the Rust book's worker-pool arrangement).
struct StdSyncChannel {
    tx: std::sync::mpsc::SyncSender<u64>,
    rx: std::sync::Mutex<std::sync::mpsc::Receiver<u64>>,
}

impl BenchQueue for StdSyncChannel {
    const NAME: &'static str = "sync_channel";

    fn boxed() -> Box<Self> {
        let (tx, rx) = std::sync::mpsc::sync_channel(CAPACITY);
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

/// The retry policy shared by every queue: spin briefly, then yield the core
/// (which the oversubscribed runs need, or a spinning thread burns the time
/// slice its peer needs to make room).
struct Backoff {
    queue: &'static str,
    retries: u32,
    since: Option<Instant>,
}

impl Backoff {
    /// Spin hints before the first yield.
    const SPINS: u32 = 8;

    fn new(queue: &'static str) -> Self {
        Self {
            queue,
            retries: 0,
            since: None,
        }
    }

    /// Called after a failed attempt.
    #[inline]
    fn wait(&mut self) {
        if self.retries < Self::SPINS {
            spin_loop();
        } else {
            thread::yield_now();
            // Off the fast path: watch for a queue that lost an item.
            if self.retries.is_multiple_of(1024) {
                let since = *self.since.get_or_insert_with(Instant::now);
                if since.elapsed() > STUCK {
                    eprintln!(
                        "{}: a thread made no progress for {STUCK:?} \
                         (an item lost, or a peer stalled inside the queue); stopping",
                        self.queue
                    );
                    std::process::exit(1);
                }
            }
        }
        self.retries = self.retries.saturating_add(1);
    }

    /// Called after a successful attempt.
    #[inline]
    fn reset(&mut self) {
        self.retries = 0;
        self.since = None;
    }
}

/// `total` split into `parts` shares that differ by at most one.
fn share(total: u64, parts: usize, part: usize) -> u64 {
    let parts = parts as u64;
    total / parts + u64::from((part as u64) < total % parts)
}

/// Moves `iters * ITEMS_PER_ITER` items through a fresh `Q` with `threads`
/// producers and `threads` consumers; returns the time from the start signal
/// until every thread has finished.
fn transfer<Q: BenchQueue>(iters: u64, threads: usize) -> Duration {
    let queue = Q::boxed();
    let queue = &*queue;
    let total = iters * ITEMS_PER_ITER;
    let start = Barrier::new(2 * threads + 1);
    let start = &start;
    let (began, popped_sum) = thread::scope(|s| {
        let mut first = 0;
        for p in 0..threads {
            let count = share(total, threads, p);
            let range = first..first + count;
            first += count;
            s.spawn(move || {
                start.wait();
                let mut backoff = Backoff::new(Q::NAME);
                for value in range {
                    let mut item = value;
                    while let Err(back) = queue.try_push(item) {
                        item = back;
                        backoff.wait();
                    }
                    backoff.reset();
                }
            });
        }
        let consumers: Vec<_> = (0..threads)
            .map(|c| {
                let count = share(total, threads, c);
                s.spawn(move || {
                    start.wait();
                    let mut backoff = Backoff::new(Q::NAME);
                    let mut sum = 0u64;
                    for _ in 0..count {
                        loop {
                            if let Some(value) = queue.try_pop() {
                                sum = sum.wrapping_add(value);
                                break;
                            }
                            backoff.wait();
                        }
                        backoff.reset();
                    }
                    sum
                })
            })
            .collect();
        start.wait();
        let began = Instant::now();
        let sum = consumers
            .into_iter()
            .map(|c| c.join().expect("consumer panicked"))
            .fold(0u64, u64::wrapping_add);
        // The scope joins the producers; they finish no later than the last
        // consumer's final pop, give or take their exit.
        (began, sum)
    });
    let elapsed = began.elapsed();
    let expected = (0..total).fold(0u64, u64::wrapping_add);
    assert_eq!(
        popped_sum,
        expected,
        "{}: items lost or duplicated with {threads}/{threads} threads",
        Q::NAME
    );
    elapsed
}

fn bench_one<Q: BenchQueue>(b: &mut Bencher<'_>, threads: usize) {
    b.iter_custom(|iters| transfer::<Q>(iters, threads));
}

fn ring_throughput(c: &mut Criterion) {
    for threads in THREADS {
        let mut group = c.benchmark_group(format!("ring_{threads}p{threads}c"));
        group.throughput(Throughput::Elements(ITEMS_PER_ITER));
        group.bench_with_input(
            BenchmarkId::from_parameter(<Ring<u64, CAPACITY>>::NAME),
            &threads,
            |b, &t| bench_one::<Ring<u64, CAPACITY>>(b, t),
        );
        group.bench_with_input(
            BenchmarkId::from_parameter(<crossbeam_queue::ArrayQueue<u64>>::NAME),
            &threads,
            |b, &t| bench_one::<crossbeam_queue::ArrayQueue<u64>>(b, t),
        );
        group.bench_with_input(
            BenchmarkId::from_parameter(CrossbeamChannel::NAME),
            &threads,
            |b, &t| bench_one::<CrossbeamChannel>(b, t),
        );
        group.bench_with_input(
            BenchmarkId::from_parameter(FlumeChannel::NAME),
            &threads,
            |b, &t| bench_one::<FlumeChannel>(b, t),
        );
        group.bench_with_input(
            BenchmarkId::from_parameter(StdSyncChannel::NAME),
            &threads,
            |b, &t| bench_one::<StdSyncChannel>(b, t),
        );
        if threads > 2 && std::env::var_os(HEAPLESS_OVERSUBSCRIBED).is_none() {
            group.finish();
            continue;
        }
        group.bench_with_input(
            BenchmarkId::from_parameter(<heapless::mpmc::MpMcQueue<u64, CAPACITY>>::NAME),
            &threads,
            |b, &t| bench_one::<heapless::mpmc::MpMcQueue<u64, CAPACITY>>(b, t),
        );
        group.finish();
    }
}

criterion_group! {
    name = benches;
    // Short on purpose: a 2-core machine shared with other work, run by hand.
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = ring_throughput
}
criterion_main!(benches);
