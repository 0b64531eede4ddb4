//! Nothing a caller passes or does makes the pool panic, abort or hang:
//! `wait` under sustained load, every `Duration` at its extremes, panics
//! from user `Drop`s, builder inputs at their extremes, and every call made
//! from inside the pool's own handler.
//!
//! Every blocking step runs under a deadline (a `_timeout` call, or a
//! helper thread joined through a channel with a timeout), so a regression
//! fails the test instead of hanging it.

use ringpool::{
    Autoscale, BuildError, Builder, JobError, Pool, RecvError, SubmitError, Timeout, WaitError,
};
use ringpool_core::MAX_CAPACITY;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Long enough for any honest wait on a loaded 2-core machine.
const PATIENCE: Duration = Duration::from_secs(30);

/// Runs `body` on a thread and returns its value, failing the test if it
/// has not returned within [`PATIENCE`].
fn within<T: Send + 'static>(what: &str, body: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(body());
    });
    rx.recv_timeout(PATIENCE)
        .unwrap_or_else(|_| panic!("{what} did not return within {PATIENCE:?}: it hangs"))
}

/// A busy wait of about `micros` (a job that takes real time).
fn work_for(micros: u64) {
    let until = Instant::now() + Duration::from_micros(micros);
    while Instant::now() < until {
        std::hint::spin_loop();
    }
}

// ---- 1. wait() under sustained load ----

/// Submitters never stop while the main thread waits: the pool is never
/// idle. `wait` must still return, once the jobs accepted before it are
/// done (checked: each marker job set its flag), while submitting goes on.
fn sustained_load(timed: bool) {
    let markers: Arc<Vec<AtomicBool>> = Arc::new((0..16).map(|_| AtomicBool::new(false)).collect());
    let flags = Arc::clone(&markers);
    let pool = Arc::new(
        Pool::builder()
            .workers(2)
            .queue_capacity(32)
            .discard_results()
            .build(move |_, job: usize| {
                work_for(20);
                if let Some(flag) = flags.get(job) {
                    flag.store(true, Ordering::Release);
                }
            })
            .unwrap(),
    );
    let stop = Arc::new(AtomicBool::new(false));
    let submitters: Vec<_> = (0..2)
        .map(|_| {
            let (pool, stop) = (Arc::clone(&pool), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut submitted = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    pool.submit(usize::MAX).unwrap();
                    submitted += 1;
                }
                submitted
            })
        })
        .collect();
    // Let the load build up: the queue is full from here on.
    std::thread::sleep(Duration::from_millis(30));
    for marker in 0..markers.len() {
        pool.submit(marker).unwrap();
    }
    let waiter = Arc::clone(&pool);
    let waited = within("wait under sustained load", move || {
        let started = Instant::now();
        let outcome = if timed {
            waiter.wait_timeout(PATIENCE)
        } else {
            waiter.wait()
        };
        (outcome, started.elapsed())
    });
    // The load goes on after the wait returned: the submitters stop only
    // below, so the wait did not wait for them (or for idle).
    let at_return = pool.metrics().submitted;
    let deadline = Instant::now() + PATIENCE;
    while pool.metrics().submitted == at_return && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    let still_loaded = pool.metrics().submitted > at_return;
    stop.store(true, Ordering::Relaxed);
    let submitted: u64 = submitters.into_iter().map(|s| s.join().unwrap()).sum();
    assert_eq!(waited.0, Ok(()), "wait under load");
    assert!(
        markers.iter().all(|m| m.load(Ordering::Acquire)),
        "wait returned before the jobs accepted before it were done"
    );
    assert!(
        still_loaded,
        "the load had stopped: the test proves nothing"
    );
    assert!(submitted > 0);
    pool.wait_timeout(PATIENCE).unwrap();
}

#[test]
fn wait_returns_under_sustained_load() {
    sustained_load(false);
}

#[test]
fn wait_timeout_returns_under_sustained_load() {
    sustained_load(true);
}

// ---- 2. Every Duration at its extremes ----

/// A pool with one worker held on a gate and a full queue of one.
fn held_pool() -> (Arc<Pool<u32, u32>>, mpsc::Sender<()>) {
    let (release, gate) = mpsc::channel::<()>();
    let gate = Mutex::new(gate);
    let pool = Pool::builder()
        .workers(1)
        .queue_capacity(1)
        .build(move |_, job: u32| {
            if job == 0 {
                let _ = gate.lock().unwrap().recv();
            }
            job
        })
        .unwrap();
    pool.submit(0).unwrap();
    while pool.metrics().busy_workers == 0 {
        std::thread::sleep(Duration::from_millis(1));
    }
    pool.submit(1).unwrap(); // the queue of one is full
    (Arc::new(pool), release)
}

#[test]
fn submit_timeout_duration_max_waits_like_submit() {
    let (pool, release) = held_pool();
    let submitter = Arc::clone(&pool);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(submitter.submit_timeout(2, Duration::MAX));
    });
    assert!(
        rx.recv_timeout(Duration::from_millis(50)).is_err(),
        "waits for room"
    );
    release.send(()).unwrap();
    assert!(rx.recv_timeout(PATIENCE).unwrap().is_ok());
    assert_eq!(pool.wait_timeout(PATIENCE), Ok(()));
    // Zero: no wait at all; room now, so accepted.
    assert!(pool.submit_timeout(3, Duration::ZERO).is_ok());
}

#[test]
fn wait_timeout_and_recv_timeout_take_duration_max() {
    let (pool, release) = held_pool();
    let results = pool.results().unwrap();
    release.send(()).unwrap();
    let waiter = Arc::clone(&pool);
    assert_eq!(
        within("wait_timeout(MAX)", move || waiter
            .wait_timeout(Duration::MAX)),
        Ok(())
    );
    let got = within("recv_timeout(MAX)", move || {
        let a = results
            .recv_timeout(Duration::MAX)
            .unwrap()
            .outcome
            .unwrap();
        let b = results
            .recv_timeout(Duration::MAX)
            .unwrap()
            .outcome
            .unwrap();
        (a.min(b), a.max(b))
    });
    assert_eq!(got, (0, 1));
    assert_eq!(pool.wait_timeout(Duration::ZERO), Ok(()));
}

#[test]
fn shutdown_timeout_and_drop_timeout_take_duration_max() {
    let pool = Pool::new(2, 4, |_, job: u32| job).unwrap();
    pool.submit(1).unwrap();
    assert_eq!(
        within("shutdown_timeout(MAX)", move || pool
            .shutdown_timeout(Duration::MAX)),
        Ok(())
    );

    let done = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&done);
    let pool = Pool::builder()
        .workers(1)
        .drop_timeout(Duration::MAX)
        .discard_results()
        .build(move |_, _job: u32| {
            std::thread::sleep(Duration::from_millis(5));
            count.fetch_add(1, Ordering::Relaxed);
        })
        .unwrap();
    for job in 0..4 {
        pool.submit(job).unwrap();
    }
    within("drop with drop_timeout(MAX)", move || drop(pool));
    assert_eq!(done.load(Ordering::Relaxed), 4, "Drop waited for every job");

    let pool = Pool::builder()
        .workers(1)
        .drop_timeout(Duration::ZERO)
        .build(|_, job: u32| job)
        .unwrap();
    pool.submit(1).unwrap();
    within("drop with drop_timeout(ZERO)", move || drop(pool));
}

#[test]
fn spill_after_above_its_maximum_is_a_build_error() {
    for wait in [
        Duration::MAX,
        Builder::MAX_SPILL_AFTER + Duration::from_nanos(1),
    ] {
        let err = Pool::builder()
            .spill_after(wait)
            .build(|_, job: u32| job)
            .unwrap_err();
        assert_eq!(
            err,
            BuildError::Duration {
                which: "spill_after",
                max: Builder::MAX_SPILL_AFTER
            }
        );
        assert!(err.to_string().contains("spill_after"));
    }
    // The maximum itself is accepted, and nobody draining still cannot
    // deadlock the submit-everything-then-collect order.
    let pool = Pool::builder()
        .workers(1)
        .queue_capacity(1)
        .results_capacity(1)
        .spill_after(Builder::MAX_SPILL_AFTER)
        .build(|_, job: u32| job)
        .unwrap();
    let pool = within("submit with nobody draining", move || {
        for job in 0..4 {
            pool.submit(job).unwrap();
        }
        pool
    });
    pool.close();
    assert_eq!(pool.results().unwrap().count(), 4);
    // Zero spills at once.
    let pool = Pool::builder()
        .workers(1)
        .results_capacity(1)
        .spill_after(Duration::ZERO)
        .build(|_, job: u32| job)
        .unwrap();
    for job in 0..4 {
        pool.submit(job).unwrap();
    }
    pool.close();
    assert_eq!(pool.results().unwrap().count(), 4);
}

/// `Instant + Duration::MAX` used to overflow in the idle park and kill the
/// worker (still counted, so the next submit blocked for ever).
#[test]
fn autoscale_idle_timeout_takes_any_duration() {
    for idle_timeout in [Duration::MAX, Duration::ZERO] {
        let pool = Pool::builder()
            .workers(1)
            .autoscale(Autoscale {
                min_workers: 1,
                max_workers: 3,
                grow_at_depth: 1,
                idle_timeout,
            })
            .queue_capacity(8)
            .build(|_, job: u32| {
                std::thread::sleep(Duration::from_millis(1));
                job
            })
            .unwrap();
        let results = pool.results().unwrap();
        let pool = within("autoscaled submits", move || {
            for round in 0..3 {
                for job in 0..16 {
                    pool.submit(round * 100 + job).unwrap();
                }
                // Idle a little: surplus workers park with their deadline.
                pool.wait_timeout(PATIENCE).unwrap();
                std::thread::sleep(Duration::from_millis(20));
            }
            pool
        });
        let m = pool.metrics();
        assert_eq!(m.succeeded, 48, "idle_timeout {idle_timeout:?}");
        assert_eq!(m.panicked, 0);
        assert!((1..=3).contains(&pool.workers()));
        pool.close();
        assert_eq!(results.count(), 48);
    }
}

// ---- 3. Panics from user Drops ----

/// A value whose Drop panics.
struct Bomb;

impl Drop for Bomb {
    fn drop(&mut self) {
        panic!("Bomb::drop");
    }
}

#[test]
fn a_panic_payload_whose_drop_panics_does_not_kill_the_worker() {
    let pool = Pool::new(1, 8, |_, job: u32| {
        if job.is_multiple_of(2) {
            std::panic::panic_any(Bomb);
        }
        job
    })
    .unwrap();
    let results = pool.results().unwrap();
    for job in 0..6 {
        pool.submit(job).unwrap();
    }
    assert_eq!(
        pool.wait_timeout(PATIENCE),
        Ok(()),
        "every job's accounting closed"
    );
    assert_eq!(pool.workers(), 1);
    let m = pool.metrics();
    assert_eq!((m.panicked, m.succeeded), (3, 3));
    pool.close();
    let mut outcomes: Vec<_> = results
        .map(|r| (r.job_id, r.outcome, r.worker_id))
        .collect();
    outcomes.sort_by_key(|o| o.0);
    for (id, outcome, worker) in outcomes {
        assert_eq!(worker, 1, "the one worker lived on");
        match outcome {
            Ok(job) => assert_eq!(u64::from(job) % 2, 1, "job id {id}"),
            Err(JobError::Panicked(message)) => {
                assert_eq!(message, "panic with a non-string payload");
            }
            Err(JobError::Failed(never)) => match never {},
            Err(JobError::Expired) => panic!("no job here has a deadline"),
        }
    }
}

#[test]
fn a_discarded_value_or_error_whose_drop_panics_does_not_kill_the_worker() {
    let pool = Pool::builder()
        .workers(1)
        .queue_capacity(4)
        .discard_results()
        .drop_timeout(Duration::ZERO)
        .build_fallible(|_, job: u32| {
            if job.is_multiple_of(2) {
                Ok(Bomb)
            } else {
                Err(Bomb)
            }
        })
        .unwrap();
    // A dead worker would leave these submits blocked for ever.
    let pool = within("submits to a pool whose results panic on drop", move || {
        for job in 0..8 {
            pool.submit(job).unwrap();
        }
        pool
    });
    assert_eq!(pool.wait_timeout(PATIENCE), Ok(()));
    let m = pool.metrics();
    assert_eq!((m.succeeded, m.failed, m.panicked), (4, 4, 0));
    assert_eq!(pool.workers(), 1);
    // The worker still serves.
    pool.submit(8).unwrap();
    assert_eq!(pool.wait_timeout(PATIENCE), Ok(()));
    assert_eq!(pool.metrics().succeeded, 5);
}

// ---- 4. Builder inputs at their extremes ----

#[test]
fn huge_worker_counts_are_build_errors() {
    let max = Builder::MAX_WORKERS;
    let err = Pool::builder()
        .max_workers(usize::MAX)
        .build(|_, job: u32| job);
    assert_eq!(
        err.unwrap_err(),
        BuildError::TooManyWorkers {
            requested: usize::MAX,
            max
        }
    );
    let err = Pool::builder()
        .workers(usize::MAX)
        .discard_results()
        .build(|_, _job: u32| ());
    assert_eq!(
        err.unwrap_err(),
        BuildError::TooManyWorkers {
            requested: usize::MAX,
            max
        }
    );
    let err = Pool::builder()
        .workers(1)
        .autoscale(Autoscale {
            min_workers: 1,
            max_workers: usize::MAX,
            grow_at_depth: 1,
            idle_timeout: Duration::MAX,
        })
        .build(|_, job: u32| job);
    assert!(matches!(
        err.unwrap_err(),
        BuildError::TooManyWorkers { .. }
    ));
    // The maximum itself is fine (slot tables only; one thread started).
    let pool = Pool::builder()
        .workers(1)
        .max_workers(max)
        .build(|_, job: u32| job)
        .unwrap();
    assert_eq!(pool.workers(), 1);
}

#[test]
fn a_thread_name_with_nul_fails_fast() {
    let started = Instant::now();
    let err = Pool::builder()
        .thread_name("bad\0name")
        .drop_timeout(Duration::from_secs(10))
        .build(|_, job: u32| job)
        .unwrap_err();
    assert_eq!(err, BuildError::ThreadName);
    assert!(err.to_string().contains("NUL"));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "waited out the drop timeout"
    );
}

/// Sizes that pass validation but that no machine can hold: an error, not
/// an abort. With 1 MiB jobs, a queue of `MAX_CAPACITY` slots needs 2 PiB
/// on 64-bit targets (more than any address space; on 32-bit ones the size
/// overflows), so the allocation fails on every machine, whatever its
/// memory or overcommit policy. (The C tests check the realistic sizes
/// under an address-space limit.)
#[test]
fn tables_too_large_to_allocate_are_build_errors() {
    let err = Pool::builder()
        .workers(1)
        .queue_capacity(MAX_CAPACITY)
        .discard_results()
        .build(|_, job: Box<[u8; 1 << 20]>| {
            std::hint::black_box(&job);
        })
        .map(drop);
    // Boxed jobs are small; this one only must not abort.
    if let Err(e) = err {
        assert!(matches!(e, BuildError::OutOfMemory { .. }), "{e}");
    }
    let started = Instant::now();
    let err = Pool::builder()
        .workers(1)
        .queue_capacity(MAX_CAPACITY)
        .discard_results()
        .build(|_, job: [u8; 1 << 20]| {
            std::hint::black_box(&job);
        })
        .unwrap_err();
    assert_eq!(
        err,
        BuildError::OutOfMemory {
            which: "queue",
            len: MAX_CAPACITY
        }
    );
    assert!(err.to_string().contains("could not allocate"));
    assert!(started.elapsed() < Duration::from_secs(5));
}

// ---- 5. Calls from inside the pool's own handler ----

/// What a handler did with its own pool, reported as its result.
type Own = Arc<Mutex<Option<Arc<Pool<u32, String>>>>>;

/// A pool whose handler runs `inside` with a handle to the pool itself.
fn own_pool(
    workers: usize,
    capacity: usize,
    inside: impl Fn(&Pool<u32, String>, u32) -> String + Send + Sync + 'static,
) -> (Arc<Pool<u32, String>>, Own) {
    let own: Own = Arc::default();
    let handle = Arc::clone(&own);
    let pool = Arc::new(
        Pool::builder()
            .workers(workers)
            .queue_capacity(capacity)
            .build(move |_, job: u32| {
                let pool = handle.lock().unwrap().clone();
                match pool {
                    Some(pool) => inside(&pool, job),
                    None => String::from("no pool"),
                }
            })
            .unwrap(),
    );
    *own.lock().unwrap() = Some(Arc::clone(&pool));
    (pool, own)
}

#[test]
fn wait_from_inside_a_handler_is_an_error_not_a_hang() {
    let (pool, own) = own_pool(2, 4, |pool, _| {
        let wait = pool.wait();
        let timed = pool.wait_timeout(Duration::MAX);
        format!("{wait:?} {timed:?}")
    });
    let results = pool.results().unwrap();
    pool.submit(1).unwrap();
    let outcome = within("wait from a handler", move || {
        results.recv().unwrap().outcome
    });
    assert_eq!(outcome.unwrap(), "Err(WouldDeadlock) Err(WouldDeadlock)");
    assert_eq!(
        WaitError::WouldDeadlock.to_string(),
        "called from inside the pool's own handler, where it would never return"
    );
    own.lock().unwrap().take();
    // Outside a handler, wait works as before.
    assert_eq!(pool.wait_timeout(PATIENCE), Ok(()));
}

#[test]
fn a_handler_that_closes_its_pool_and_drains_the_results_returns() {
    let (pool, own) = own_pool(2, 8, |pool, job| {
        if job != 0 {
            return job.to_string();
        }
        pool.close();
        let results = pool.results().unwrap();
        let drained: Vec<_> = (&results).into_iter().map(|r| r.job_id).collect();
        let after = results.recv_timeout(Duration::MAX).unwrap_err();
        format!("drained {} then {after:?}", drained.len())
    });
    let results = pool.results().unwrap();
    for job in 1..=3 {
        pool.submit(job).unwrap();
    }
    pool.wait_timeout(PATIENCE).unwrap();
    pool.submit(0).unwrap();
    // The handler drains first, alone: only then receive here.
    let waiter = Arc::clone(&pool);
    within("close and drain from a handler", move || waiter.wait()).unwrap();
    let all: Vec<_> = within("the end of the stream", move || results.collect::<Vec<_>>());
    // The handler took the three earlier results itself; its own result is
    // the one left for the outside receiver.
    assert_eq!(all.len(), 1);
    assert_eq!(
        all[0].outcome.as_deref(),
        Ok("drained 3 then WouldDeadlock")
    );
    own.lock().unwrap().take();
}

/// Every worker submits into a full queue from its handler: a blocking
/// submit there must not wait (nobody would be left to make room).
#[test]
fn blocking_submit_from_every_worker_into_a_full_queue_returns_full() {
    let in_handlers = Arc::new(std::sync::Barrier::new(3));
    let (go, wait_go) = mpsc::channel::<()>();
    let wait_go = Arc::new(Mutex::new(wait_go));
    let barrier = Arc::clone(&in_handlers);
    let submitted = std::sync::Barrier::new(2);
    let (pool, own) = own_pool(2, 2, move |pool, job| {
        if job >= 100 {
            return String::from("filler");
        }
        barrier.wait(); // both workers are in a handler
        let _ = wait_go.lock().unwrap().recv(); // the queue is full now
        let outcome = match pool.submit(job + 200) {
            Err(SubmitError::Full(back)) => format!("Full({back})"),
            other => format!("{other:?}"),
        };
        submitted.wait(); // neither worker left its handler before both submitted
        outcome
    });
    let results = pool.results().unwrap();
    pool.submit(1).unwrap();
    pool.submit(2).unwrap();
    in_handlers.wait();
    pool.submit(100).unwrap();
    pool.submit(101).unwrap();
    assert_eq!(pool.try_submit(102), Err(SubmitError::Full(102)));
    go.send(()).unwrap();
    go.send(()).unwrap();
    let mut outcomes: Vec<String> = within("submit from every worker", move || {
        results.take(4).map(|r| r.outcome.unwrap()).collect()
    });
    outcomes.sort();
    assert_eq!(outcomes, ["Full(201)", "Full(202)", "filler", "filler"]);
    own.lock().unwrap().take();
}

#[test]
fn other_calls_from_inside_a_handler_work() {
    let (pool, own) = own_pool(2, 8, |pool, job| match job {
        1 => format!("{:?}", pool.try_submit(50).map(|_| ())),
        2 => format!("{:?}", pool.submit_timeout(51, Duration::MAX).map(|_| ())),
        3 => format!("{:?}", pool.resize(2)),
        4 => format!(
            "{} {} {}",
            pool.metrics().workers,
            pool.workers(),
            pool.is_closed()
        ),
        _ => String::from("child"),
    });
    let results = pool.results().unwrap();
    for job in 1..=4 {
        pool.submit(job).unwrap();
        pool.wait_timeout(PATIENCE).unwrap();
    }
    pool.close();
    let mut outcomes: Vec<String> = within("calls from a handler", move || {
        results.map(|r| r.outcome.unwrap()).collect()
    });
    outcomes.sort();
    assert_eq!(outcomes.len(), 6, "{outcomes:?}");
    assert_eq!(outcomes.iter().filter(|o| *o == "Ok(())").count(), 3);
    assert!(outcomes.contains(&"Ok(())".to_string()));
    assert!(outcomes.contains(&"2 2 false".to_string()));
    assert_eq!(outcomes.iter().filter(|o| *o == "child").count(), 2);
    own.lock().unwrap().take();
}

/// A handler that owns the last handle and drops (or shuts down) the pool:
/// it closes and returns at once (not after the 60 s drop timeout); the job
/// accepted before still runs.
#[test]
fn shutdown_and_drop_from_inside_a_handler_return_at_once() {
    for shutdown in [false, true] {
        let slot: Arc<Mutex<Option<Pool<u32>>>> = Arc::default();
        let inside = Arc::clone(&slot);
        let done = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&done);
        let taken = Arc::new(AtomicBool::new(false));
        let took = Arc::clone(&taken);
        let pool = Pool::builder()
            .workers(1)
            .queue_capacity(4)
            .drop_timeout(Duration::from_secs(60))
            .discard_results()
            .build(move |_, job: u32| {
                if job == 0 {
                    let pool = inside.lock().unwrap().take();
                    if let Some(pool) = pool {
                        took.store(true, Ordering::Relaxed);
                        if shutdown {
                            assert_eq!(pool.shutdown_timeout(Duration::MAX), Err(Timeout));
                        } else {
                            drop(pool);
                        }
                    }
                }
                count.fetch_add(1, Ordering::Relaxed);
            })
            .unwrap();
        pool.submit(1).unwrap();
        {
            let mut held = slot.lock().unwrap();
            let pool = held.insert(pool);
            pool.submit(0).unwrap();
            pool.submit(2).unwrap();
        }
        let started = Instant::now();
        while done.load(Ordering::Relaxed) < 3 {
            assert!(started.elapsed() < PATIENCE, "the handler's drop hung");
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(
            taken.load(Ordering::Relaxed),
            "the handler held the last handle"
        );
        assert!(slot.lock().unwrap().is_none());
    }
}

#[test]
fn recv_from_inside_a_handler_never_waits() {
    let (pool, own) = own_pool(1, 4, |pool, _| {
        let results = pool.results().unwrap();
        let recv = results.recv().map(|r| r.job_id);
        let timed = results.recv_timeout(Duration::MAX).map(|r| r.job_id);
        let tried = results.try_recv().map(|r| r.job_id);
        format!("{recv:?} {timed:?} {tried:?}")
    });
    let results = pool.results().unwrap();
    pool.submit(1).unwrap();
    let outcome = within("recv from a handler", move || {
        results.recv().unwrap().outcome
    });
    assert_eq!(outcome.unwrap(), "None Err(WouldDeadlock) Err(Empty)");
    assert!(RecvError::WouldDeadlock.to_string().contains("handler"));
    own.lock().unwrap().take();
}
