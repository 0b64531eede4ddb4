//! The pool's API contract, one behaviour per test: construction errors,
//! submit variants and their refusals, results, errors and panics, wait,
//! close, stop-now, resize, metrics.

use ringpool::{Autoscale, BuildError, JobError, Pool, RecvError, SubmitError, Timeout, WaitError};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

/// A gate that holds jobs until opened, so tests can fill the queue.
#[derive(Clone)]
struct Gate(Arc<AtomicBool>);

impl Gate {
    fn closed() -> Self {
        Self(Arc::new(AtomicBool::new(false)))
    }
    fn open(&self) {
        self.0.store(true, Ordering::Release);
    }
    fn pass(&self) {
        while !self.0.load(Ordering::Acquire) {
            std::thread::sleep(Duration::from_micros(200));
        }
    }
}

#[test]
fn worker_pool_scenario_every_job_once() {
    let pool = Pool::new(3, 10, |ctx, job: u64| (ctx.worker_id, job)).unwrap();
    let results = pool.results().unwrap();
    let ids: Vec<_> = (1..=10).map(|j| pool.submit(j).unwrap()).collect();
    assert_eq!(ids, (1..=10).collect::<Vec<_>>());
    pool.close();
    pool.wait().unwrap();
    let mut seen = HashSet::new();
    for r in results {
        let (worker, job) = r.outcome.unwrap();
        assert_eq!(worker, r.worker_id);
        assert!((1..=3).contains(&worker));
        assert_eq!(job, r.job_id);
        assert!(seen.insert(job), "job {job} twice");
    }
    assert_eq!(seen.len(), 10);
}

#[test]
fn bad_arguments_are_errors() {
    assert_eq!(
        Pool::new(0, 10, |_, x: u8| x).unwrap_err(),
        BuildError::ZeroWorkers
    );
    assert!(matches!(
        Pool::new(1, 0, |_, x: u8| x).unwrap_err(),
        BuildError::Capacity { which: "queue", .. }
    ));
    assert!(matches!(
        Pool::new(1, ringpool_core::MAX_CAPACITY + 1, |_, x: u8| x).unwrap_err(),
        BuildError::Capacity { which: "queue", .. }
    ));
    assert!(matches!(
        Pool::builder()
            .workers(1)
            .results_capacity(0)
            .build(|_, x: u8| x)
            .unwrap_err(),
        BuildError::Capacity {
            which: "results",
            ..
        }
    ));
    assert!(matches!(
        Pool::builder()
            .workers(5)
            .max_workers(4)
            .build(|_, x: u8| x)
            .unwrap_err(),
        BuildError::TooManyWorkers {
            requested: 5,
            max: 4
        }
    ));
    let scaling = Autoscale {
        min_workers: 3,
        max_workers: 2,
        grow_at_depth: 1,
        idle_timeout: Duration::from_millis(1),
    };
    assert!(matches!(
        Pool::builder()
            .autoscale(scaling)
            .build(|_, x: u8| x)
            .unwrap_err(),
        BuildError::BadScaling { min: 3, max: 2 }
    ));
    // Errors explain themselves.
    assert!(
        BuildError::ZeroWorkers
            .to_string()
            .contains("at least one worker")
    );
}

#[test]
fn submit_after_close_hands_the_job_back() {
    let pool = Pool::new(1, 4, |_, x: String| x.len()).unwrap();
    pool.close();
    for result in [
        pool.submit("a".to_string()),
        pool.try_submit("b".to_string()),
        pool.submit_timeout("c".to_string(), Duration::from_millis(1)),
    ] {
        match result {
            Err(SubmitError::Closed(job)) => assert_eq!(job.len(), 1),
            other => panic!("expected Closed, got {other:?}"),
        }
    }
    assert_eq!(pool.metrics().rejected, 3);
}

#[test]
fn try_submit_and_timeout_when_full() {
    let gate = Gate::closed();
    let g = gate.clone();
    let pool = Pool::builder()
        .workers(1)
        .queue_capacity(2)
        .discard_results()
        .build(move |_, x: u32| {
            g.pass();
            x
        })
        .unwrap();
    // The worker takes job 1 and blocks at the gate; then two fit.
    pool.submit(1).unwrap();
    while pool.metrics().started == 0 {
        std::thread::yield_now();
    }
    let mut accepted = 1;
    let full = loop {
        match pool.try_submit(accepted + 1) {
            Ok(_) => accepted += 1,
            Err(e) => break e,
        }
    };
    assert_eq!(accepted, 3, "1 running + a queue of 2");
    assert!(matches!(full, SubmitError::Full(j) if j == accepted + 1));
    let start = Instant::now();
    match pool.submit_timeout(99, Duration::from_millis(50)) {
        Err(SubmitError::Timeout(99)) => {}
        other => panic!("expected Timeout(99), got {other:?}"),
    }
    assert!(start.elapsed() >= Duration::from_millis(50));
    gate.open();
    pool.wait().unwrap();
    assert_eq!(pool.metrics().succeeded, u64::from(accepted));
}

#[test]
fn blocking_submit_waits_for_room() {
    let pool = Pool::builder()
        .workers(1)
        .queue_capacity(1)
        .discard_results()
        .build(|_, _: u32| std::thread::sleep(Duration::from_millis(2)))
        .unwrap();
    for i in 0..20 {
        pool.submit(i).unwrap();
    }
    pool.wait().unwrap();
    assert_eq!(pool.metrics().succeeded, 20);
}

#[test]
fn close_releases_a_blocked_submitter_with_its_job() {
    let gate = Gate::closed();
    let g = gate.clone();
    let pool = Arc::new(
        Pool::builder()
            .workers(1)
            .queue_capacity(1)
            .discard_results()
            .build(move |_, _: u32| g.pass())
            .unwrap(),
    );
    pool.submit(1).unwrap();
    while pool.metrics().started == 0 {
        std::thread::yield_now();
    }
    pool.submit(2).unwrap(); // fills the queue
    let blocked = {
        let pool = pool.clone();
        std::thread::spawn(move || pool.submit(3))
    };
    std::thread::sleep(Duration::from_millis(50)); // let it park
    pool.close();
    assert!(matches!(
        blocked.join().unwrap(),
        Err(SubmitError::Closed(3))
    ));
    gate.open();
    pool.wait().unwrap();
    let m = pool.metrics();
    assert_eq!((m.submitted, m.succeeded, m.rejected), (2, 2, 1));
}

#[test]
fn errors_and_panics_are_job_outcomes() {
    let pool = Pool::builder()
        .workers(2)
        .queue_capacity(16)
        .build_fallible(|_, x: i32| match x {
            0 => panic!("boom on zero"),
            x if x < 0 => Err(format!("negative: {x}")),
            x => Ok(x * 10),
        })
        .unwrap();
    let results = pool.results().unwrap();
    for x in [1, 0, -2, 3, 0, 4] {
        pool.submit(x).unwrap();
    }
    pool.close();
    let mut outcomes: Vec<_> = results.map(|r| (r.job_id, r.outcome)).collect();
    outcomes.sort_by_key(|(id, _)| *id);
    let outcomes: Vec<_> = outcomes.into_iter().map(|(_, o)| o).collect();
    assert_eq!(outcomes[0], Ok(10));
    assert_eq!(outcomes[1], Err(JobError::Panicked("boom on zero".into())));
    assert_eq!(outcomes[2], Err(JobError::Failed("negative: -2".into())));
    assert_eq!(outcomes[3], Ok(30));
    assert_eq!(outcomes[4], Err(JobError::Panicked("boom on zero".into())));
    assert_eq!(outcomes[5], Ok(40));
    let m = pool.metrics();
    assert_eq!((m.succeeded, m.failed, m.panicked), (3, 1, 2));
    // The workers survived the panics and exit cleanly.
    pool.shutdown();
}

#[test]
fn wait_returns_after_panics_and_pool_keeps_serving() {
    let pool = Pool::builder()
        .workers(1)
        .queue_capacity(4)
        .discard_results()
        .build(|_, x: u32| assert!(x.is_multiple_of(2), "odd job {x}"))
        .unwrap();
    for x in 0..10 {
        pool.submit(x).unwrap();
    }
    pool.wait().unwrap();
    pool.submit(100).unwrap();
    pool.wait().unwrap();
    let m = pool.metrics();
    assert_eq!((m.succeeded, m.panicked), (6, 5));
}

#[test]
fn wait_timeout_reports_pending_jobs() {
    let gate = Gate::closed();
    let g = gate.clone();
    let pool = Pool::builder()
        .workers(1)
        .queue_capacity(4)
        .discard_results()
        .build(move |_, _: u32| g.pass())
        .unwrap();
    pool.submit(1).unwrap();
    assert_eq!(
        pool.wait_timeout(Duration::from_millis(20)),
        Err(WaitError::Timeout)
    );
    assert_eq!(pool.pending(), 1);
    gate.open();
    assert_eq!(pool.wait_timeout(Duration::from_secs(10)), Ok(()));
}

#[test]
fn wait_is_not_fooled_by_the_next_batch() {
    // Batch 1 is held at gate 1 while a waiter starts waiting for it. When
    // it finishes, batch 2 (held at gate 2) is submitted at once: the waiter
    // must still return, although jobs are pending again when it wakes.
    let (gate1, gate2) = (Gate::closed(), Gate::closed());
    let (g1, g2) = (gate1.clone(), gate2.clone());
    let pool = Arc::new(
        Pool::builder()
            .workers(2)
            .queue_capacity(16)
            .discard_results()
            .build(move |_, batch: u32| if batch == 1 { g1.pass() } else { g2.pass() })
            .unwrap(),
    );
    for _ in 0..4 {
        pool.submit(1).unwrap();
    }
    let waiter = {
        let pool = pool.clone();
        std::thread::spawn(move || pool.wait_timeout(Duration::from_secs(20)))
    };
    std::thread::sleep(Duration::from_millis(200));
    gate1.open();
    while pool.pending() != 0 {
        std::hint::spin_loop();
    }
    for _ in 0..4 {
        pool.submit(2).unwrap();
    }
    assert_eq!(waiter.join().unwrap(), Ok(()));
    assert_eq!(pool.pending(), 4, "batch 2 still held");
    gate2.open();
    pool.wait().unwrap();
}

#[test]
fn results_end_after_close_and_drain() {
    let pool = Pool::new(2, 8, |_, x: u32| x + 1).unwrap();
    let results = pool.results().unwrap();
    pool.submit(1).unwrap();
    assert_eq!(results.recv().unwrap().outcome, Ok(2));
    assert_eq!(results.try_recv().unwrap_err(), RecvError::Empty);
    assert_eq!(
        results.recv_timeout(Duration::from_millis(10)).unwrap_err(),
        RecvError::Timeout
    );
    pool.close();
    assert_eq!(results.try_recv().unwrap_err(), RecvError::Closed);
    assert_eq!(results.recv(), None);
}

#[test]
fn collect_after_close_beyond_results_capacity_works() {
    // Go's order (submit all, close, wait, collect) with far more jobs than the queue and the result
    // ring hold, the receiver taken first by the submitting thread and read
    // only at the end: results spill, nothing waits, nothing is lost.
    let pool = Pool::builder()
        .workers(2)
        .queue_capacity(4)
        .results_capacity(6)
        .build(|_, x: u32| x)
        .unwrap();
    let results = pool.results().unwrap();
    for x in 0..1000 {
        pool.submit(x).unwrap();
    }
    pool.close();
    pool.wait().unwrap();
    assert_eq!(pool.metrics().results_pending, 1000);
    let mut all: Vec<u32> = results.map(|r| r.outcome.unwrap()).collect();
    all.sort_unstable();
    assert_eq!(all, (0..1000).collect::<Vec<_>>());
    assert_eq!(pool.metrics().results_pending, 0);
    assert!(
        pool.metrics().results_spilled > 0,
        "nobody drained: results spilled"
    );
}

#[test]
fn a_slow_but_active_receiver_gets_backpressure_not_spills() {
    // Workers finish jobs much faster than the receiver takes results: the
    // workers wait for room instead of spilling, so the backlog stays at
    // the result ring. (A receiver descheduled for longer than `spill_after`
    // would let results spill; with 1 s that needs a badly stalled machine.)
    let jobs = 2000;
    let pool = Pool::builder()
        .workers(2)
        .queue_capacity(8)
        .results_capacity(8)
        .spill_after(Duration::from_secs(1))
        .build(|_, x: u32| x)
        .unwrap();
    let results = pool.results().unwrap();
    let drainer = std::thread::spawn(move || {
        let mut count = 0;
        for _ in &results {
            std::thread::sleep(Duration::from_micros(20));
            count += 1;
        }
        count
    });
    for x in 0..jobs {
        pool.submit(x).unwrap();
    }
    pool.close();
    assert_eq!(drainer.join().unwrap(), jobs);
    let spilled = pool.metrics().results_spilled;
    assert_eq!(spilled, 0, "{spilled} of {jobs} results spilled");
}

#[test]
fn shutdown_timeout_does_not_wait_twice() {
    let gate = Gate::closed();
    let g = gate.clone();
    let pool = Pool::builder()
        .workers(1)
        .queue_capacity(4)
        .discard_results()
        .build(move |_, _: u32| g.pass())
        .unwrap();
    pool.submit(1).unwrap();
    let start = Instant::now();
    assert_eq!(
        pool.shutdown_timeout(Duration::from_millis(20)),
        Err(Timeout)
    );
    // Drop inside shutdown_timeout did not wait drop_timeout (10 s) again.
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    gate.open();
}

#[test]
fn stop_now_returns_every_unstarted_job() {
    let gate = Gate::closed();
    let g = gate.clone();
    let ran = Arc::new(AtomicUsize::new(0));
    let r = ran.clone();
    let pool = Pool::builder()
        .workers(2)
        .queue_capacity(32)
        .discard_results()
        .build(move |_, _: u32| {
            g.pass();
            r.fetch_add(1, Ordering::Relaxed);
        })
        .unwrap();
    for x in 0..30 {
        pool.submit(x).unwrap();
    }
    std::thread::sleep(Duration::from_millis(20));
    let back = pool.stop_now();
    gate.open();
    pool.wait().unwrap();
    let ran = ran.load(Ordering::Relaxed);
    assert_eq!(back.len() + ran, 30, "returned {} + ran {ran}", back.len());
    assert!(back.len() >= 28, "at most 2 jobs were running");
    // Handed back in queue order, with their ids.
    assert!(back.windows(2).all(|w| w[0].0 < w[1].0));
    assert!(back.iter().all(|&(id, job)| id == u64::from(job) + 1));
    assert!(matches!(pool.submit(1), Err(SubmitError::Closed(1))));
    assert_eq!(pool.metrics().cancelled, back.len() as u64);
}

#[test]
fn resize_up_and_down() {
    let pool = Pool::builder()
        .workers(2)
        .max_workers(8)
        .queue_capacity(8)
        .discard_results()
        .build(|_, _: u32| std::thread::sleep(Duration::from_micros(100)))
        .unwrap();
    assert_eq!(pool.workers(), 2);
    pool.resize(6).unwrap();
    assert_eq!(pool.workers(), 6);
    pool.resize(1).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while pool.workers() > 1 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(pool.workers(), 1);
    for x in 0..50 {
        pool.submit(x).unwrap();
    }
    pool.wait().unwrap();
    assert_eq!(pool.metrics().succeeded, 50);
    assert_eq!(pool.resize(0), Err(BuildError::ZeroWorkers));
    assert_eq!(
        pool.resize(9),
        Err(BuildError::TooManyWorkers {
            requested: 9,
            max: 8
        })
    );
}

#[test]
fn autoscale_grows_under_load_and_shrinks_when_idle() {
    let pool = Pool::builder()
        .workers(1)
        .autoscale(Autoscale {
            min_workers: 1,
            max_workers: 4,
            grow_at_depth: 2,
            idle_timeout: Duration::from_millis(20),
        })
        .queue_capacity(64)
        .discard_results()
        .build(|_, _: u32| std::thread::sleep(Duration::from_millis(1)))
        .unwrap();
    for x in 0..64 {
        pool.submit(x).unwrap();
    }
    assert!(pool.workers() > 1, "grew under load: {}", pool.workers());
    assert!(pool.workers() <= 4);
    pool.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while pool.workers() > 1 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(
        pool.workers(),
        1,
        "idle workers retired down to the minimum"
    );
    assert_eq!(pool.metrics().succeeded, 64);
}

#[test]
fn metrics_snapshot_counts_and_histograms() {
    let gate = Gate::closed();
    let g = gate.clone();
    let pool = Pool::builder()
        .workers(2)
        .queue_capacity(8)
        .build(move |_, x: u32| {
            g.pass();
            x
        })
        .unwrap();
    let results = pool.results().unwrap();
    for x in 0..6 {
        pool.submit(x).unwrap();
    }
    // Both workers take a job and block at the gate (however slowly the
    // machine schedules them).
    let deadline = Instant::now() + Duration::from_secs(30);
    while pool.metrics().started < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    std::thread::sleep(Duration::from_millis(20));
    let m = pool.metrics();
    assert_eq!(m.submitted, 6);
    assert_eq!(m.busy_workers, 2);
    assert_eq!(m.idle_workers, 0);
    assert_eq!(m.queue_depth, 4);
    assert_eq!(m.queue_capacity, 8);
    gate.open();
    pool.wait().unwrap();
    let m = pool.metrics();
    assert_eq!((m.started, m.succeeded), (6, 6));
    assert_eq!((m.busy_workers, m.idle_workers), (0, 2));
    assert_eq!(m.results_pending, 6);
    assert_eq!(m.run_time.count(), 6);
    assert!(
        m.queue_wait.p99() >= Duration::from_millis(10),
        "jobs waited at the gate"
    );
    drop(results);
}

#[test]
fn drop_finishes_accepted_jobs() {
    let ran = Arc::new(AtomicUsize::new(0));
    let r = ran.clone();
    let pool = Pool::builder()
        .workers(2)
        .queue_capacity(64)
        .discard_results()
        .build(move |_, _: u32| {
            std::thread::sleep(Duration::from_micros(200));
            r.fetch_add(1, Ordering::Relaxed);
        })
        .unwrap();
    for x in 0..50 {
        pool.submit(x).unwrap();
    }
    drop(pool);
    assert_eq!(ran.load(Ordering::Relaxed), 50);
}

#[test]
fn drop_never_hangs_on_a_stuck_job() {
    let gate = Gate::closed();
    let g = gate.clone();
    let pool = Pool::builder()
        .workers(1)
        .queue_capacity(4)
        .drop_timeout(Duration::from_millis(50))
        .discard_results()
        .build(move |_, _: u32| g.pass())
        .unwrap();
    pool.submit(1).unwrap();
    let start = Instant::now();
    drop(pool);
    assert!(start.elapsed() < Duration::from_secs(5));
    gate.open(); // the detached worker finishes and exits
}

#[test]
fn many_receivers_share_the_stream() {
    let pool = Pool::new(2, 64, |_, x: u32| x).unwrap();
    let receivers: Vec<_> = (0..3).map(|_| pool.results().unwrap()).collect();
    let barrier = Arc::new(Barrier::new(4));
    let handles: Vec<_> = receivers
        .into_iter()
        .map(|r| {
            let b = barrier.clone();
            std::thread::spawn(move || {
                b.wait();
                r.map(|res| res.outcome.unwrap()).collect::<Vec<_>>()
            })
        })
        .collect();
    barrier.wait();
    for x in 0..1000 {
        pool.submit(x).unwrap();
    }
    pool.close();
    let mut all: Vec<u32> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    all.sort_unstable();
    assert_eq!(all, (0..1000).collect::<Vec<_>>());
}

#[test]
fn job_timing_off_reads_no_clock() {
    let pool = Pool::builder()
        .workers(1)
        .queue_capacity(4)
        .job_timing(false)
        .build(|_, x: u32| {
            std::thread::sleep(Duration::from_millis(2));
            x
        })
        .unwrap();
    let results = pool.results().unwrap();
    pool.submit(1).unwrap();
    let r = results.recv().unwrap();
    assert_eq!((r.queue_wait, r.run_time), (Duration::ZERO, Duration::ZERO));
    let m = pool.metrics();
    assert_eq!(
        (m.succeeded, m.run_time.count(), m.queue_wait.count()),
        (1, 0, 0)
    );
    // And with timing on (the default), the same job is timed.
    let timed = Pool::new(1, 4, |_, x: u32| {
        std::thread::sleep(Duration::from_millis(2));
        x
    })
    .unwrap();
    let results = timed.results().unwrap();
    timed.submit(1).unwrap();
    assert!(results.recv().unwrap().run_time >= Duration::from_millis(2));
}
