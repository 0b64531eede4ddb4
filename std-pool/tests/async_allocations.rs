//! No heap allocation per job from async code: after a warm-up, 100 000
//! jobs submitted with `submit_async` through a queue of 4 (so the future
//! waits for room over and over: its waker is registered, woken and
//! re-armed) and received by a `ResultStream` on another thread (which
//! waits for results the same way) allocate nothing, on any thread. The
//! executor is pollster (its waker is a reference-counted pointer: cloning
//! it allocates nothing). A counting global allocator proves it, as in
//! `allocations.rs`; like that file this is its own test binary with its
//! own `main` (`harness = false`), so no libtest thread allocates in the
//! counted window.

use ringpool::Pool;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

mod counting;
use counting::{ALLOCATIONS, COUNTING};

const WARM_UP: u64 = 20_000;
const COUNTED: u64 = 100_000;

fn async_steady_state_allocates_nothing_per_job() {
    // The instrument works: an allocation while counting is counted.
    COUNTING.store(true, Ordering::SeqCst);
    drop(std::hint::black_box(vec![1u8; 64]));
    COUNTING.store(false, Ordering::SeqCst);
    assert!(
        ALLOCATIONS.swap(0, Ordering::SeqCst) > 0,
        "the counter counts nothing"
    );

    let ran = Arc::new([AtomicBool::new(false), AtomicBool::new(false)]);
    let ran_in_handler = Arc::clone(&ran);
    let pool = Arc::new(
        Pool::builder()
            .workers(2)
            .queue_capacity(4)
            // Room for every result: a receiver descheduled for longer
            // than `spill_after` on a loaded machine would otherwise make
            // the workers spill (a growable buffer, which allocates).
            .results_capacity(1 << 17)
            .build(move |ctx, job: u64| {
                ran_in_handler[(ctx.worker_id - 1) % 2].store(true, Ordering::Relaxed);
                job * 2
            })
            .unwrap(),
    );
    // Rounds: the receiver thread takes exactly `jobs` results per round,
    // meeting the submitter at the barrier between rounds.
    let rounds = Arc::new(Barrier::new(2));
    let mut stream = pool.results().unwrap().into_stream();
    let receiver_rounds = Arc::clone(&rounds);
    let receiver = std::thread::spawn(move || {
        pollster::block_on(async {
            for jobs in [WARM_UP, COUNTED] {
                receiver_rounds.wait();
                for _ in 0..jobs {
                    let r = poll_fn(|cx| stream.poll_recv(cx)).await.unwrap();
                    assert!(r.outcome.is_ok_and(|doubled| doubled % 2 == 0));
                }
                receiver_rounds.wait();
            }
        });
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    // Polls of a counted submit that found the queue full and waited.
    let mut waits = 0u64;
    pollster::block_on(async {
        for (jobs, counted) in [(WARM_UP, false), (COUNTED, true)] {
            rounds.wait();
            COUNTING.store(counted, Ordering::SeqCst);
            for job in 0..jobs {
                let mut submit = pool.submit_async(job);
                poll_fn(|cx| {
                    let poll = Pin::new(&mut submit).poll(cx);
                    waits += u64::from(counted && poll.is_pending());
                    poll
                })
                .await
                .unwrap();
            }
            pool.wait_async().await.unwrap();
            rounds.wait(); // every result received
            COUNTING.store(false, Ordering::SeqCst);
            assert!(Instant::now() < deadline, "took over 60 s");
            if !counted {
                // A worker first scheduled in the counted window would
                // allocate std's thread start-up there.
                assert!(
                    ran.iter().all(|r| r.load(Ordering::Relaxed)),
                    "a worker ran no warm-up job"
                );
                let _ = pool.metrics();
            }
        }
    });
    receiver.join().unwrap();
    let allocations = ALLOCATIONS.swap(0, Ordering::SeqCst);
    let m = pool.metrics();
    assert_eq!(
        allocations, 0,
        "{allocations} allocations during {COUNTED} async jobs ({} results spilled)",
        m.results_spilled
    );
    assert_eq!(m.succeeded, WARM_UP + COUNTED);
    print!("({waits} submit polls waited for room) ");
}

fn main() {
    // `cargo test -- --list` and name filters reach this binary too; it has
    // one test and runs it whatever the arguments.
    print!("test async_steady_state_allocates_nothing_per_job ... ");
    async_steady_state_allocates_nothing_per_job();
    println!("ok");
}
