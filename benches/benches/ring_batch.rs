//! Batch operations and capacity: ringpool's `push_batch`/`pop_batch` in
//! batches of 8 against crossbeam's `ArrayQueue` moving single items (the
//! ring target: batches of 8 at >= 1.0x `ArrayQueue`'s items/s at 1/1
//! and 2/2), and single items through both at capacities 16, 128, 1 024 and
//! 65 536 (the ratio to `ArrayQueue` should not fall as capacity grows).
//!
//! Run by hand (not in CI; `ci/bench-smoke.sh` only compiles benches):
//!
//! ```text
//! cargo bench -p ringpool-benches --bench ring_batch
//! ```
//!
//! Groups: `batch_1p1c` and `batch_2p2c` (capacity 128; `ringpool batch 8`,
//! `ringpool single`, `ArrayQueue`), and `capacity_1p1c` (`ringpool/<cap>`,
//! `ArrayQueue/<cap>`). One criterion iteration moves [`ITEMS_PER_ITER`]
//! `u64` items from `P` producers to `P` consumers; the throughput is items
//! per second. The workload is the one of `benches/ring.rs` (a start
//! barrier, first start to last end timed, every thread spins a few times
//! then yields on Full or empty, consumers sum what they pop and the sample
//! panics unless the sum is right, a thread stuck for [`STUCK`] ends the
//! run), written out here with a run-time capacity, because the shared
//! harness fixes capacity 128 and single items.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ringpool_benches::queues::{Backoff, join_transfer, overall, share};
use ringpool_core::{Entry, GenericRing, Slot, Storage, entries_for};
use std::ops::Range;
use std::sync::Barrier;
use std::sync::atomic::AtomicBool;
use std::thread;
use std::time::{Duration, Instant};

/// Items moved per criterion iteration.
const ITEMS_PER_ITER: u64 = 10_000;

/// A thread without progress for this long ends the run with a message.
const STUCK: Duration = Duration::from_secs(30);

/// Batch length of the batch rows.
const BATCH: usize = 8;

/// Capacities of the capacity sweep.
const CAPACITIES: [usize; 4] = [16, 128, 1024, 65_536];

/// A ring's storage on the heap, allocated once per sample.
struct Heap {
    slots: Box<[Slot<u64>]>,
    entries: Box<[Entry]>,
}

// SAFETY: both slices are owned boxes, never replaced or resized, so every
// call returns the same address and length while `self` lives, and nothing
// outside `self` reaches them.
unsafe impl Storage for Heap {
    type Item = u64;
    fn slots(&self) -> &[Slot<u64>] {
        &self.slots
    }
    fn entries(&self) -> &[Entry] {
        &self.entries
    }
}

type HeapRing = GenericRing<Heap>;

fn heap_ring(capacity: usize) -> HeapRing {
    let storage = Heap {
        slots: (0..capacity).map(|_| Slot::new()).collect(),
        entries: (0..entries_for(capacity)).map(|_| Entry::new()).collect(),
    };
    GenericRing::with_storage(storage, capacity).expect("valid capacity")
}

/// One way of moving items: push some from a range, pop some into a sum.
trait Mover: Sync {
    fn make(capacity: usize) -> Self;
    /// Pushes at least one item from the front of `next`; `false` if full.
    fn push_some(&self, next: &mut Range<u64>) -> bool;
    /// Pops between 1 and `max` items into `sum`; how many (0: empty).
    fn pop_some(&self, max: u64, sum: &mut u64) -> u64;
}

struct Single(HeapRing);

impl Mover for Single {
    fn make(capacity: usize) -> Self {
        Self(heap_ring(capacity))
    }
    #[inline]
    fn push_some(&self, next: &mut Range<u64>) -> bool {
        let ok = self.0.push(next.start).is_ok();
        next.start += u64::from(ok);
        ok
    }
    #[inline]
    fn pop_some(&self, _max: u64, sum: &mut u64) -> u64 {
        self.0.pop().map_or(0, |v| {
            *sum = sum.wrapping_add(v);
            1
        })
    }
}

struct Batch(HeapRing);

impl Mover for Batch {
    fn make(capacity: usize) -> Self {
        Self(heap_ring(capacity))
    }
    #[inline]
    fn push_some(&self, next: &mut Range<u64>) -> bool {
        match self.0.push_batch(&mut next.by_ref().take(BATCH)) {
            Ok(n) => n > 0,
            Err(e) => e.pushed() > 0,
        }
    }
    #[inline]
    fn pop_some(&self, max: u64, sum: &mut u64) -> u64 {
        let max = usize::try_from(max).unwrap_or(usize::MAX).min(BATCH);
        self.0
            .pop_batch(max, |v| *sum = sum.wrapping_add(v))
            .map_or(0, |n| n as u64)
    }
}

struct Vyukov(crossbeam_queue::ArrayQueue<u64>);

impl Mover for Vyukov {
    fn make(capacity: usize) -> Self {
        Self(crossbeam_queue::ArrayQueue::new(capacity))
    }
    #[inline]
    fn push_some(&self, next: &mut Range<u64>) -> bool {
        let ok = self.0.push(next.start).is_ok();
        next.start += u64::from(ok);
        ok
    }
    #[inline]
    fn pop_some(&self, _max: u64, sum: &mut u64) -> u64 {
        self.0.pop().map_or(0, |v| {
            *sum = sum.wrapping_add(v);
            1
        })
    }
}

/// Moves `total` items through a fresh `M` of `capacity` with `threads`
/// producers and consumers: first start to last end.
fn transfer<M: Mover>(capacity: usize, threads: usize, total: u64) -> Duration {
    let queue = Box::new(M::make(capacity));
    let queue = &*queue;
    let start = Barrier::new(2 * threads);
    let start = &start;
    // Set by the first thread stuck for STUCK; that thread then ends the run.
    let abort = AtomicBool::new(false);
    let abort = &abort;
    let (spans, sum) = thread::scope(|s| {
        let mut first = 0;
        let mut producers = Vec::new();
        for p in 0..threads {
            let count = share(total, threads, p);
            let mut range = first..first + count;
            first += count;
            producers.push(s.spawn(move || {
                start.wait();
                let began = Instant::now();
                let mut backoff = Backoff::new(abort, STUCK);
                while !range.is_empty() {
                    if queue.push_some(&mut range) {
                        backoff.reset();
                    } else if !backoff.wait() {
                        eprintln!("a producer made no progress for {STUCK:?}; stopping");
                        std::process::exit(1);
                    }
                }
                (began, Instant::now())
            }));
        }
        let consumers: Vec<_> = (0..threads)
            .map(|c| {
                let mut left = share(total, threads, c);
                s.spawn(move || {
                    start.wait();
                    let began = Instant::now();
                    let mut backoff = Backoff::new(abort, STUCK);
                    let mut sum = 0u64;
                    while left > 0 {
                        let n = queue.pop_some(left, &mut sum);
                        if n > 0 {
                            left -= n;
                            backoff.reset();
                        } else if !backoff.wait() {
                            eprintln!("a consumer made no progress for {STUCK:?}; stopping");
                            std::process::exit(1);
                        }
                    }
                    (began, Instant::now(), sum)
                })
            })
            .collect();
        join_transfer(producers, consumers)
    });
    let expected = (0..total).fold(0u64, u64::wrapping_add);
    assert_eq!(sum, expected, "items lost or duplicated");
    overall(&spans)
}

fn bench<M: Mover>(
    c: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    id: BenchmarkId,
    capacity: usize,
    threads: usize,
) {
    c.bench_function(id, |b| {
        b.iter_custom(|iters| transfer::<M>(capacity, threads, iters * ITEMS_PER_ITER))
    });
}

fn batches(c: &mut Criterion) {
    for threads in [1, 2] {
        let mut group = c.benchmark_group(format!("batch_{threads}p{threads}c"));
        group.throughput(Throughput::Elements(ITEMS_PER_ITER));
        let name = format!("ringpool batch {BATCH}");
        bench::<Batch>(&mut group, BenchmarkId::from_parameter(name), 128, threads);
        bench::<Single>(
            &mut group,
            BenchmarkId::from_parameter("ringpool single"),
            128,
            threads,
        );
        bench::<Vyukov>(
            &mut group,
            BenchmarkId::from_parameter("ArrayQueue"),
            128,
            threads,
        );
        group.finish();
    }
}

fn capacities(c: &mut Criterion) {
    let mut group = c.benchmark_group("capacity_1p1c");
    group.throughput(Throughput::Elements(ITEMS_PER_ITER));
    for capacity in CAPACITIES {
        bench::<Single>(
            &mut group,
            BenchmarkId::new("ringpool", capacity),
            capacity,
            1,
        );
        bench::<Vyukov>(
            &mut group,
            BenchmarkId::new("ArrayQueue", capacity),
            capacity,
            1,
        );
    }
    group.finish();
}

criterion_group! {
    name = benches;
    // Short on purpose: a 2-core machine shared with other work, run by hand.
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = batches, capacities
}
criterion_main!(benches);
