//! Ring throughput: ringpool's [`Ring`] against the two published crates of
//! its own algorithm family (Nikolaev's SCQ): lfqueue 0.8's
//! `ConstBoundedQueue` and `AllocBoundedQueue`, and nolock 0.4's
//! `queues::mpmc::bounded::scq`; against the two Vyukov-style bounded
//! MPMC queues it replaces, `crossbeam_queue::ArrayQueue` and heapless 0.8's
//! `mpmc::MpMcQueue`; and against three bounded channels used without
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
//! benchmark per queue: `ringpool`, `ArrayQueue`, `lfqueue-const`,
//! `lfqueue-alloc`, `nolock-scq`, `crossbeam-channel`, `flume`,
//! `sync_channel` and `heapless` (heapless in
//! `ring_4p4c` only with `RINGPOOL_BENCH_HEAPLESS_OVERSUBSCRIBED=1`, see
//! below).
//!
//! One criterion iteration is the transfer of [`ITEMS_PER_ITER`] items from
//! the producers to the consumers, and the throughput is reported in items
//! per second ([`Throughput::Elements`]). Each sample ([`Bencher::iter_custom`])
//! builds a fresh queue, spawns its threads in a [`std::thread::scope`], lets
//! them all wait on a barrier, and times from the barrier's release until the
//! last thread has finished: thread creation is outside the timed part,
//! identically for every queue.
//!
//! * Producer `p` pushes its share of the sample's items (the values are a
//!   disjoint range per producer).
//! * Consumer `c` pops exactly its share of the items, so every item is
//!   popped and every thread knows when to stop without a shared counter.
//!   Each consumer sums what it pops, and the sample panics unless the sums
//!   add up to the sum of everything pushed: a queue that loses or
//!   duplicates an item fails loudly instead of posting a number.
//! * On `Full` (push) and on empty (pop) every queue gets the same retry
//!   policy: a few `spin_loop` hints, then `yield_now`.
//! * Each thread reads the clock right after the start barrier and at its
//!   end; the sample is the first start to the last end (a clock read by the
//!   coordinating thread could come long after the transfer began on a
//!   2-core machine).
//!
//! The queues, the workload and the watchdog live in the library
//! (`ringpool_benches::queues`), shared with the report binary. Criterion
//! runs every queue in this one process: a queue that wedges inside a call
//! (heapless 0.8 can, see below) hangs this bench, which is run by hand; the
//! report runs each queue in a child process with a deadline instead, and
//! also at capacities 16 to 65 536.
//!
//! heapless runs with its `mpmc_large` feature (`usize` counters): with the
//! default `u8` counters the 2/2 run broke the queue (see
//! `benches/Cargo.toml`). Even so, heapless and `ArrayQueue` are not
//! lock-free (heapless issue 583): a thread preempted between claiming a cell
//! and publishing it blocks every peer at that cell, which an oversubscribed
//! run can turn into stalls of seconds. Such stalls are part of what this
//! bench measures; a thread with no progress for [`STUCK`] stops the run.
//!
//! The queues are heap-allocated (one `Box` each), each on its own
//! allocation, so that none benefits from stack placement.

use criterion::{Bencher, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::time::Duration;

use ringpool_benches::queues::{
    ArrayQueue, BenchQueue, CAPACITY, CrossbeamChannel, FlumeChannel, HeaplessQueue, LfqueueAlloc,
    LfqueueConst, NolockScq, RingpoolRing, StdSyncChannel, transfer,
};

/// lfqueue's const queue holding [`CAPACITY`] items.
type LfqueueConst128 = LfqueueConst<{ 2 * CAPACITY }>;

/// Items moved per criterion iteration (keep `benches/ring-ratios.sh` in step).
const ITEMS_PER_ITER: u64 = 10_000;

/// Producer/consumer thread counts benchmarked (`P` producers, `P` consumers).
const THREADS: [usize; 3] = [1, 2, 4];

/// A thread that has made no progress for this long means a lost item (or a
/// peer stalled for ages inside a queue that is not lock-free): the run stops
/// with a message instead of hanging.
const STUCK: Duration = Duration::from_secs(30);

/// Set this environment variable to run heapless in the oversubscribed 4/4
/// group too. It is off by default because there, on 2026-11-26 on a loaded
/// 2-core machine, a heapless thread made no progress for [`STUCK`] and the
/// run had to stop, taking the rest of the run with it.
const HEAPLESS_OVERSUBSCRIBED: &str = "RINGPOOL_BENCH_HEAPLESS_OVERSUBSCRIBED";

/// The criterion id of a queue (the names `benches/ring-ratios.sh` reads).
fn id<Q: BenchQueue>() -> BenchmarkId {
    let name = match Q::NAME {
        "heapless mpmc" => "heapless",
        "lfqueue ConstBoundedQueue" => "lfqueue-const",
        "lfqueue AllocBoundedQueue" => "lfqueue-alloc",
        "nolock scq" => "nolock-scq",
        "crossbeam-channel bounded" => "crossbeam-channel",
        "flume bounded" => "flume",
        "std sync_channel" => "sync_channel",
        other => other,
    };
    BenchmarkId::from_parameter(name)
}

fn bench_one<Q: BenchQueue>(b: &mut Bencher<'_>, threads: usize) {
    b.iter_custom(|iters| {
        transfer::<Q>(iters * ITEMS_PER_ITER, threads, STUCK).unwrap_or_else(|e| {
            eprintln!("{e}; stopping");
            std::process::exit(1)
        })
    });
}

fn ring_throughput(c: &mut Criterion) {
    for threads in THREADS {
        let mut group = c.benchmark_group(format!("ring_{threads}p{threads}c"));
        group.throughput(Throughput::Elements(ITEMS_PER_ITER));
        group.bench_with_input(id::<RingpoolRing>(), &threads, |b, &t| {
            bench_one::<RingpoolRing>(b, t)
        });
        group.bench_with_input(id::<ArrayQueue>(), &threads, |b, &t| {
            bench_one::<ArrayQueue>(b, t)
        });
        group.bench_with_input(id::<LfqueueConst128>(), &threads, |b, &t| {
            bench_one::<LfqueueConst128>(b, t)
        });
        group.bench_with_input(id::<LfqueueAlloc>(), &threads, |b, &t| {
            bench_one::<LfqueueAlloc>(b, t)
        });
        group.bench_with_input(id::<NolockScq>(), &threads, |b, &t| {
            bench_one::<NolockScq>(b, t)
        });
        group.bench_with_input(id::<CrossbeamChannel>(), &threads, |b, &t| {
            bench_one::<CrossbeamChannel>(b, t)
        });
        group.bench_with_input(id::<FlumeChannel>(), &threads, |b, &t| {
            bench_one::<FlumeChannel>(b, t)
        });
        group.bench_with_input(id::<StdSyncChannel>(), &threads, |b, &t| {
            bench_one::<StdSyncChannel>(b, t)
        });
        if threads <= 2 || std::env::var_os(HEAPLESS_OVERSUBSCRIBED).is_some() {
            group.bench_with_input(id::<HeaplessQueue>(), &threads, |b, &t| {
                bench_one::<HeaplessQueue>(b, t)
            });
        }
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
