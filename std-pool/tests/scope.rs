//! Scoped pools (`ringpool::scope`): jobs, results, errors and handlers
//! that borrow from the caller's stack; every worker joined before the
//! scope returns, after a panic in the closure too, those started by
//! autoscale and resize included; everything the scope owns dropped inside
//! it; exactly-once delivery under load. Every test runs under a watchdog,
//! so a hang is a failure. Sizes shrink with `RINGPOOL_STRESS_SCALE` (the
//! ThreadSanitizer run) and under miri (`ci/miri.sh` runs this file).

use ringpool::{Autoscale, BuildError, Builder, JobError, Pool, WaitError};
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex, mpsc};
use std::time::{Duration, Instant};

/// Runs `test` on its own thread and fails if it takes longer than
/// `limit` (generous: the machine is shared; under miri, much longer).
fn within(limit: Duration, test: impl FnOnce() + Send + 'static) {
    let limit = if cfg!(miri) { limit * 100 } else { limit };
    let (done, finished) = mpsc::channel();
    let runner = std::thread::spawn(move || {
        test();
        let _ = done.send(());
    });
    match finished.recv_timeout(limit) {
        Ok(()) => runner.join().unwrap(),
        // The test panicked: report its panic.
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            if let Err(payload) = runner.join() {
                std::panic::resume_unwind(payload);
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("test still running after {limit:?}"),
    }
}

/// The builder every test starts from: under miri without per-job timing
/// (the job clock reads the CPU's counter, which miri cannot run).
fn builder() -> Builder {
    Pool::builder().job_timing(!cfg!(miri))
}

/// Jobs for a full-size run, divided by `RINGPOOL_STRESS_SCALE`; tiny
/// under miri.
fn jobs(full: usize) -> usize {
    if cfg!(miri) {
        return 40;
    }
    let scale = std::env::var("RINGPOOL_STRESS_SCALE")
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    (full / scale).max(100)
}

/// Counts the worker threads that ran a job and have not yet exited: a
/// thread-local guard, made at a thread's first job, is dropped (and
/// counted down) when its thread exits, before a join of it returns.
#[derive(Clone, Default)]
struct LiveThreads {
    live: Arc<AtomicUsize>,
    seen: Arc<AtomicUsize>,
}

struct Alive(Arc<AtomicUsize>);

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

thread_local! {
    static ALIVE: RefCell<Option<Alive>> = const { RefCell::new(None) };
}

impl LiveThreads {
    /// Called from a job: counts the calling thread once.
    fn enter(&self) {
        ALIVE.with(|alive| {
            let mut alive = alive.borrow_mut();
            if alive.is_none() {
                self.live.fetch_add(1, Ordering::SeqCst);
                self.seen.fetch_add(1, Ordering::SeqCst);
                *alive = Some(Alive(Arc::clone(&self.live)));
            }
        });
    }
    fn live(&self) -> usize {
        self.live.load(Ordering::SeqCst)
    }
    fn seen(&self) -> usize {
        self.seen.load(Ordering::SeqCst)
    }
}

/// Sets its flag when dropped.
struct DropFlag<'a>(&'a AtomicBool);

impl Drop for DropFlag<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Counts its drops.
struct Token<'a>(&'a AtomicUsize);

impl Drop for Token<'_> {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn jobs_and_handler_borrow_the_callers_stack() {
    within(Duration::from_secs(60), || {
        let data: Vec<u64> = (1..=4_000).collect();
        let per_chunk = Mutex::new(Vec::new()); // the handler writes here
        let threads = LiveThreads::default();
        let total = ringpool::scope(
            builder()
                .workers(3)
                .queue_capacity(4)
                .thread_name("scope-borrow"),
            |_, (index, chunk): (usize, &[u64])| {
                threads.enter();
                let sum: u64 = chunk.iter().sum();
                per_chunk.lock().unwrap().push((index, sum));
                sum
            },
            |pool| {
                let results = pool.results().unwrap();
                std::thread::scope(|s| {
                    let drainer = s.spawn(|| results.map(|r| r.outcome.unwrap()).sum::<u64>());
                    for job in data.chunks(250).enumerate() {
                        pool.submit(job).unwrap();
                    }
                    pool.close();
                    drainer.join().unwrap()
                })
            },
        )
        .unwrap();
        assert_eq!(total, 4_000 * 4_001 / 2);
        let mut per_chunk = per_chunk.into_inner().unwrap();
        per_chunk.sort_unstable();
        let expected: Vec<_> = data
            .chunks(250)
            .map(|c| c.iter().sum::<u64>())
            .enumerate()
            .collect();
        assert_eq!(per_chunk, expected);
        // Every worker that ran a job has exited: joined before the return.
        assert!(threads.seen() >= 1);
        assert_eq!(threads.live(), 0);
    });
}

#[test]
fn results_and_errors_borrow_too() {
    within(Duration::from_secs(60), || {
        let text = String::from("alpha beta gamma delta");
        let words: Vec<&str> = text.split(' ').collect();
        let mut out: Vec<Result<&str, JobError<&str>>> = ringpool::scope_fallible(
            builder().workers(2),
            |_, i: usize| {
                let word = words[i];
                if word.starts_with('g') {
                    Err(word) // an error borrowing `text`
                } else {
                    Ok(word) // a result borrowing `text`
                }
            },
            |pool| {
                let results = pool.results().unwrap();
                for i in 0..words.len() {
                    pool.submit(i).unwrap();
                }
                pool.close();
                results.map(|r| r.outcome).collect()
            },
        )
        .unwrap();
        out.sort_by_key(|o| format!("{o:?}"));
        assert_eq!(
            out,
            [
                Err(JobError::Failed("gamma")),
                Ok("alpha"),
                Ok("beta"),
                Ok("delta")
            ]
        );
    });
}

#[test]
fn a_handler_panic_is_that_jobs_error_and_the_scope_returns() {
    within(Duration::from_secs(60), || {
        let limit = 3u32;
        let outcomes = ringpool::scope(
            builder().workers(2),
            |_, n: u32| {
                assert!(n < limit, "job {n} over the limit");
                n
            },
            |pool| {
                let results = pool.results().unwrap();
                for n in 0..5 {
                    pool.submit(n).unwrap();
                }
                pool.close();
                let mut outcomes: Vec<_> = results.map(|r| (r.job_id, r.outcome)).collect();
                outcomes.sort_by_key(|(id, _)| *id);
                outcomes
            },
        )
        .unwrap();
        assert_eq!(outcomes.len(), 5);
        assert!(outcomes[..3].iter().all(|(_, o)| o.is_ok()));
        for (_, outcome) in &outcomes[3..] {
            match outcome {
                Err(JobError::Panicked(message)) => assert!(message.contains("over the limit")),
                other => panic!("expected a panic, got {other:?}"),
            }
        }
    });
}

#[test]
fn a_panic_in_the_closure_joins_every_worker_then_propagates() {
    within(Duration::from_secs(60), || {
        let handler_dropped = AtomicBool::new(false);
        let finished = AtomicBool::new(false);
        let tokens_dropped = AtomicUsize::new(0);
        let started = Barrier::new(2);
        let threads = LiveThreads::default();
        let flag = DropFlag(&handler_dropped);
        // The handler takes `flag`; the rest it borrows.
        let ran = AtomicUsize::new(0);
        let (started, finished, threads, ran) = (&started, &finished, &threads, &ran);
        let tokens = &tokens_dropped;
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            ringpool::scope(
                builder()
                    .workers(1)
                    .queue_capacity(8)
                    .thread_name("scope-panic"),
                move |_, (n, _token): (u32, Token<'_>)| {
                    let _owned = &flag; // the handler owns the drop flag
                    threads.enter();
                    ran.fetch_add(1, Ordering::SeqCst);
                    if n == 0 {
                        started.wait(); // the closure may panic now
                        // Still running while the scope ends: until the
                        // five queued jobs are dropped unrun (or, if the
                        // scope wrongly ran them, a deadline).
                        let deadline = Instant::now() + Duration::from_secs(10);
                        while tokens.load(Ordering::SeqCst) < 5 && Instant::now() < deadline {
                            std::thread::sleep(Duration::from_micros(200));
                        }
                        finished.store(true, Ordering::SeqCst);
                    }
                },
                |pool| {
                    for n in 0..6 {
                        pool.submit((n, Token(tokens))).unwrap();
                    }
                    started.wait(); // job 0 runs; jobs 1..=5 are queued
                    panic!("the closure gives up");
                },
            )
        }));
        // The closure's panic came out of `scope`, unchanged ...
        let payload = caught.expect_err("the panic must propagate");
        assert_eq!(
            payload.downcast_ref::<&str>(),
            Some(&"the closure gives up")
        );
        // ... after the running job finished and its worker was joined ...
        assert!(finished.load(Ordering::SeqCst));
        assert_eq!(threads.seen(), 1);
        assert_eq!(threads.live(), 0);
        // ... and after the handler and every job were dropped: job 0 by the
        // handler, jobs 1..=5 unrun (stop-now), inside the scope.
        assert!(handler_dropped.load(Ordering::SeqCst));
        assert_eq!(ran.load(Ordering::SeqCst), 1);
        assert_eq!(tokens_dropped.load(Ordering::SeqCst), 6);
    });
}

#[test]
fn results_not_received_are_dropped_inside_the_scope() {
    within(Duration::from_secs(60), || {
        let dropped = AtomicUsize::new(0);
        ringpool::scope(
            builder().workers(2),
            |_, ()| Token(&dropped), // a result that borrows, with a Drop
            |pool| {
                for _ in 0..10 {
                    pool.submit(()).unwrap();
                }
                // Returns with ten results nobody received.
            },
        )
        .unwrap();
        assert_eq!(dropped.load(Ordering::SeqCst), 10);
    });
}

#[test]
fn a_build_error_comes_back_and_the_closure_does_not_run() {
    within(Duration::from_secs(60), || {
        let ran = AtomicBool::new(false);
        let error = ringpool::scope(
            builder().workers(0),
            |_, job: u32| job,
            |_| ran.store(true, Ordering::SeqCst),
        )
        .unwrap_err();
        assert_eq!(error, BuildError::ZeroWorkers);
        assert!(!ran.load(Ordering::SeqCst));
    });
}

#[test]
fn autoscale_and_resize_inside_a_scope_every_worker_joined() {
    within(Duration::from_secs(60), || {
        let threads = LiveThreads::default();
        let open = AtomicBool::new(false);
        let ran = AtomicUsize::new(0);
        let scaling = Autoscale {
            min_workers: 1,
            max_workers: 4,
            grow_at_depth: 1,
            idle_timeout: Duration::from_millis(1),
        };
        let grew = ringpool::scope(
            builder()
                .workers(1)
                .queue_capacity(16)
                .autoscale(scaling)
                .discard_results()
                .thread_name("scope-scale"),
            |_, _job: u32| {
                threads.enter();
                while !open.load(Ordering::Acquire) {
                    std::thread::sleep(Duration::from_micros(200));
                }
                ran.fetch_add(1, Ordering::Relaxed);
            },
            |pool| {
                for job in 0..12 {
                    pool.submit(job).unwrap();
                }
                // A deep queue grows the pool (each submit may add one).
                let deadline = Instant::now() + Duration::from_secs(20);
                while threads.seen() < 2 && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(1));
                }
                let grew = pool.workers();
                open.store(true, Ordering::Release);
                pool.wait().unwrap();
                // Resize up (new threads) and down (retirements) in the scope.
                pool.resize(4).unwrap();
                assert_eq!(pool.workers(), 4);
                for job in 0..8 {
                    pool.submit(job).unwrap();
                }
                pool.resize(1).unwrap();
                assert_eq!(pool.wait_timeout(Duration::from_secs(20)), Ok(()));
                grew
            },
        )
        .unwrap();
        assert!(grew >= 2, "autoscale never grew: {grew} workers");
        assert!(threads.seen() >= 2);
        assert_eq!(ran.load(Ordering::Relaxed), 20);
        // Every thread that ever ran a job, grown or resized in, is gone.
        assert_eq!(threads.live(), 0);
    });
}

#[test]
fn wait_from_the_closure_works_and_nothing_deadlocks() {
    within(Duration::from_secs(60), || {
        let counts = [AtomicUsize::new(0), AtomicUsize::new(0)];
        ringpool::scope(
            builder().workers(2).discard_results(),
            |_, i: usize| {
                counts[i % 2].fetch_add(1, Ordering::Relaxed);
            },
            |pool| {
                for i in 0..10 {
                    pool.submit(i).unwrap();
                }
                assert_eq!(pool.wait_timeout(Duration::from_secs(20)), Ok(()));
                assert_eq!(pool.pending(), 0);
                let unstarted = pool.stop_now();
                assert!(unstarted.is_empty());
                assert_eq!(
                    pool.wait_timeout(Duration::from_secs(20)),
                    Ok::<(), WaitError>(())
                );
            },
        )
        .unwrap();
        assert_eq!(counts.map(AtomicUsize::into_inner), [5, 5]);
    });
}

/// A scope whose closure leaves the pool paused still ends: its end
/// resumes the pool, every queued job runs, and the workers are joined.
#[test]
fn a_scope_left_paused_resumes_runs_its_jobs_and_ends() {
    within(Duration::from_secs(60), || {
        let ran = AtomicUsize::new(0);
        ringpool::scope(
            builder().workers(2).discard_results(),
            |_, _: usize| {
                ran.fetch_add(1, Ordering::Relaxed);
            },
            |pool| {
                pool.pause();
                for i in 0..8 {
                    pool.submit(i).unwrap();
                }
                assert_eq!(pool.pending(), 8);
            },
        )
        .unwrap();
        assert_eq!(ran.into_inner(), 8);
    });
}

/// The control and async calls reach a scoped pool with borrowing jobs
/// too: priorities, pause, cancel, `submit_async` and `wait_async`.
#[test]
fn control_and_async_calls_work_on_a_scoped_pool_with_borrowing_jobs() {
    within(Duration::from_secs(60), || {
        let words = [
            String::from("low"),
            String::from("high"),
            String::from("gone"),
        ];
        let order = Mutex::new(Vec::new());
        ringpool::scope(
            builder()
                .workers(1)
                .queue_capacity(4)
                .priorities(2)
                .cancellable(true)
                .discard_results(),
            |_, word: &str| order.lock().unwrap().push(word.len()),
            |pool| {
                pool.pause();
                pool.submit(&words[0]).unwrap();
                let high = ringpool::JobOptions::new().priority(1);
                pool.submit_with_options(&words[1], high).unwrap();
                let gone = pollster::block_on(pool.submit_async(&words[2])).unwrap();
                assert_eq!(
                    pool.cancel(gone),
                    ringpool::CancelOutcome::Cancelled("gone")
                );
                pool.resume();
                pollster::block_on(pool.wait_async()).unwrap();
            },
        )
        .unwrap();
        // The high job first, then the low one; the cancelled one never ran.
        assert_eq!(order.into_inner().unwrap(), [4, 3]);
    });
}

/// `mem::forget` of what the closure owns (a receiver, which keeps the
/// pool's shared state alive) leaks it, and changes nothing else: the
/// workers are still joined and the handler dropped before `scope` returns.
/// (Not under miri: the leak is the point, and miri reports leaks.)
#[test]
#[cfg_attr(miri, ignore)]
fn forgetting_a_receiver_leaks_but_cannot_skip_the_join() {
    within(Duration::from_secs(60), || {
        let handler_dropped = AtomicBool::new(false);
        let threads = LiveThreads::default();
        let flag = DropFlag(&handler_dropped);
        let threads_ref = &threads;
        ringpool::scope(
            builder().workers(2),
            move |_, job: u32| {
                let _owned = &flag;
                threads_ref.enter();
                job
            },
            |pool| {
                let results = pool.results().unwrap();
                for job in 0..20 {
                    pool.submit(job).unwrap();
                }
                std::mem::forget(results.clone());
                std::mem::forget(results);
            },
        )
        .unwrap();
        assert!(handler_dropped.load(Ordering::SeqCst));
        assert!(threads.seen() >= 1);
        assert_eq!(threads.live(), 0);
    });
}

/// The unscoped receiver, reached through the dereference to `Pool`, may
/// outlive the scope (its types are 'static here): reading it afterwards
/// must touch nothing the scope borrowed. Under miri this is the check that
/// the pool's copy of the handler (the shim) and the worker bodies leave
/// nothing dangling behind: the handler's data is dropped before the
/// receiver is read and dropped.
#[test]
fn an_unscoped_receiver_may_outlive_its_scope_soundly() {
    within(Duration::from_secs(60), || {
        let escaped = {
            let table: Vec<u64> = vec![3, 1, 4, 1, 5];
            let flag_dropped = AtomicBool::new(false);
            let escaped = {
                let flag = DropFlag(&flag_dropped);
                let table = &table;
                ringpool::scope(
                    builder().workers(2),
                    move |_, i: usize| {
                        let _owned = &flag;
                        table[i] * 10
                    },
                    |pool| {
                        let escaped = Pool::results(pool).unwrap();
                        for i in 0..5 {
                            pool.submit(i).unwrap();
                        }
                        escaped
                    },
                )
                .unwrap()
            };
            assert!(flag_dropped.load(Ordering::SeqCst)); // the handler is gone
            escaped
        }; // and so is everything it borrowed
        let mut got: Vec<u64> = escaped.map(|r| r.outcome.unwrap()).collect();
        got.sort_unstable();
        assert_eq!(got, [10, 10, 30, 40, 50]);
    });
}

#[test]
fn stress_exactly_once_with_autoscale_and_three_submitters() {
    within(Duration::from_secs(300), || {
        let total = jobs(200_000);
        let ran: Vec<AtomicU8> = (0..total).map(|_| AtomicU8::new(0)).collect();
        let received: Vec<AtomicU8> = (0..total).map(|_| AtomicU8::new(0)).collect();
        let threads = LiveThreads::default();
        let scaling = Autoscale {
            min_workers: 1,
            max_workers: 4,
            grow_at_depth: 8,
            // Short: workers retire and are started again all run long.
            idle_timeout: Duration::from_micros(500),
        };
        let submitted = ringpool::scope(
            builder()
                .workers(2)
                .queue_capacity(64)
                .autoscale(scaling)
                .thread_name("scope-stress"),
            |_, i: usize| {
                threads.enter();
                ran[i].fetch_add(1, Ordering::Relaxed); // borrowed by the handler
                i
            },
            |pool| {
                let results = pool.results().unwrap();
                let submitters = 3;
                std::thread::scope(|s| {
                    let drainer = s.spawn(|| {
                        let mut n = 0;
                        for r in &results {
                            received[r.outcome.unwrap()].fetch_add(1, Ordering::Relaxed);
                            n += 1;
                        }
                        n
                    });
                    let handles: Vec<_> = (0..submitters)
                        .map(|k| {
                            s.spawn(move || {
                                let mut n = 0;
                                for i in (k..total).step_by(submitters) {
                                    pool.submit(i).unwrap();
                                    n += 1;
                                }
                                n
                            })
                        })
                        .collect();
                    let submitted: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
                    pool.close();
                    assert_eq!(drainer.join().unwrap(), submitted);
                    submitted
                })
            },
        )
        .unwrap();
        assert_eq!(submitted, total);
        for i in 0..total {
            assert_eq!(ran[i].load(Ordering::Relaxed), 1, "job {i} ran");
            assert_eq!(received[i].load(Ordering::Relaxed), 1, "result {i}");
        }
        assert_eq!(threads.live(), 0);
    });
}
