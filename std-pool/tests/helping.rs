//! The helping wait (`Builder::helping`): blocked callers run queued jobs
//! as parked workers. Under load: every job exactly once, worker ids always
//! in `1..=workers`, never two handlers at once under one worker id and
//! never more handlers at once than workers; a nested call from a helped
//! handler gets the answers it gets on a worker; the caller's own state is
//! restored after a turn, also after a panic. Sizes shrink with
//! `RINGPOOL_STRESS_SCALE` (the ThreadSanitizer run sets it).

use ringpool::{JobError, Pool, RecvError, SubmitError, WaitError};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long any blocking call of these tests may take: a lost wake-up
/// fails the test instead of hanging it.
const LIMIT: Duration = Duration::from_secs(60);

/// Jobs for a full-size run, divided by `RINGPOOL_STRESS_SCALE`.
fn jobs(full: usize) -> usize {
    let scale = std::env::var("RINGPOOL_STRESS_SCALE")
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    (full / scale).max(50)
}

/// Whether the calling thread is one of the pool's worker threads (the
/// default thread name prefix), not a helper.
fn on_worker_thread() -> bool {
    std::thread::current()
        .name()
        .is_some_and(|name| name.starts_with("ringpool-worker"))
}

/// Watches the handlers: how many run at once (pool-wide and per worker
/// id), the most ever, and how many ran on a helper's thread.
struct Watch {
    active: AtomicUsize,
    most: AtomicUsize,
    per_id: Vec<AtomicUsize>,
    same_id_overlaps: AtomicUsize,
    bad_ids: AtomicUsize,
    helped: AtomicUsize,
}

impl Watch {
    fn new(max_workers: usize) -> Arc<Self> {
        Arc::new(Self {
            active: AtomicUsize::new(0),
            most: AtomicUsize::new(0),
            per_id: (0..=max_workers).map(|_| AtomicUsize::new(0)).collect(),
            same_id_overlaps: AtomicUsize::new(0),
            bad_ids: AtomicUsize::new(0),
            helped: AtomicUsize::new(0),
        })
    }

    /// Runs `work` as a handler with worker id `id`, counting.
    fn run<T>(&self, id: usize, work: impl FnOnce() -> T) -> T {
        if id == 0 || id >= self.per_id.len() {
            self.bad_ids.fetch_add(1, Ordering::SeqCst);
        }
        let slot = &self.per_id[id.min(self.per_id.len() - 1)];
        if slot.fetch_add(1, Ordering::SeqCst) != 0 {
            self.same_id_overlaps.fetch_add(1, Ordering::SeqCst);
        }
        let now = self.active.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        if !on_worker_thread() {
            self.helped.fetch_add(1, Ordering::SeqCst);
        }
        let value = work();
        self.active.fetch_sub(1, Ordering::SeqCst);
        slot.fetch_sub(1, Ordering::SeqCst);
        value
    }
}

/// Spins for about `nanos` nanoseconds.
fn busy(nanos: u64) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_nanos(nanos) {
        std::hint::spin_loop();
    }
}

/// Two submitters, two receivers (both helping) and a waiter (helping):
/// every job's result exactly once, ids in range, at most `workers`
/// handlers at once, never two under one id.
#[test]
fn helpers_and_workers_run_each_job_once_within_the_worker_count() {
    let total = jobs(200_000);
    let workers = 2;
    let watch = Watch::new(workers);
    let seen_by = Arc::clone(&watch);
    let pool = Arc::new(
        Pool::builder()
            .workers(workers)
            .queue_capacity(8)
            .spin_before_park(4)
            .helping(true)
            .build(move |ctx, job: usize| {
                seen_by.run(ctx.worker_id, || {
                    if job.is_multiple_of(97) {
                        busy(2_000);
                    }
                    job
                })
            })
            .unwrap(),
    );
    let results = pool.results().unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let receivers: Vec<_> = (0..2)
        .map(|_| {
            let results = results.clone();
            std::thread::spawn(move || {
                let mut got = Vec::new();
                loop {
                    match results.recv_timeout(LIMIT) {
                        Ok(r) => got.push(r.outcome.unwrap()),
                        Err(RecvError::Closed) => break got,
                        Err(other) => panic!("receive: {other:?}"),
                    }
                }
            })
        })
        .collect();
    let waiter = {
        let pool = Arc::clone(&pool);
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                assert!(matches!(
                    pool.wait_timeout(Duration::from_millis(1)),
                    Ok(()) | Err(WaitError::Timeout)
                ));
            }
        })
    };
    let submitters: Vec<_> = (0..2)
        .map(|s| {
            let pool = Arc::clone(&pool);
            std::thread::spawn(move || {
                for job in (s..total).step_by(2) {
                    pool.submit_timeout(job, LIMIT).unwrap();
                    if job.is_multiple_of(64) {
                        // Let the workers park now and then.
                        std::thread::sleep(Duration::from_micros(50));
                    }
                }
            })
        })
        .collect();
    for s in submitters {
        s.join().unwrap();
    }
    pool.wait_timeout(LIMIT).unwrap();
    done.store(true, Ordering::Relaxed);
    waiter.join().unwrap();
    pool.close();
    let mut seen = vec![0u8; total];
    for r in receivers {
        for job in r.join().unwrap() {
            seen[job] += 1;
        }
    }
    assert!(seen.iter().all(|&n| n == 1), "a job ran twice or never");
    assert_eq!(watch.bad_ids.load(Ordering::SeqCst), 0);
    assert_eq!(watch.same_id_overlaps.load(Ordering::SeqCst), 0);
    assert!(watch.most.load(Ordering::SeqCst) <= workers);
    let m = pool.metrics();
    assert_eq!(m.succeeded as usize, total);
    assert_eq!(m.started as usize, total);
}

/// One worker, sporadic jobs, a receiver that waits for each: the receiver
/// runs jobs itself (as worker 1), nested calls from such a job get
/// `WouldDeadlock`, and afterwards the receiver's thread is no longer
/// marked as inside the handler, also after a helped job panicked.
#[test]
fn a_waiting_receiver_runs_jobs_as_the_parked_worker() {
    type Receiver = ringpool::Results<u32, u32, String>;
    let watch = Watch::new(1);
    let seen_by = Arc::clone(&watch);
    let nested: Arc<Mutex<Option<Receiver>>> = Arc::new(Mutex::new(None));
    let inner = Arc::clone(&nested);
    let nested_answers = Arc::new(Mutex::new(Vec::new()));
    let answers = Arc::clone(&nested_answers);
    let pool = Pool::builder()
        .workers(1)
        .queue_capacity(4)
        .spin_before_park(0)
        .helping(true)
        .build_fallible(move |ctx, job: u32| {
            seen_by.run(ctx.worker_id, || {
                if !on_worker_thread() {
                    let receiver = inner.lock().unwrap().clone();
                    if let Some(receiver) = receiver {
                        let answer = receiver.recv_timeout(Duration::from_millis(1));
                        answers.lock().unwrap().push(answer.map(|_| ()));
                    }
                }
            });
            // Outside the watch: its counts stay balanced.
            if job == 7 {
                panic!("job 7");
            }
            Ok(job)
        })
        .unwrap();
    let results = pool.results().unwrap();
    *nested.lock().unwrap() = Some(results.clone());
    for job in 0..200 {
        // Give the worker time to park.
        std::thread::sleep(Duration::from_micros(300));
        pool.submit_timeout(job, LIMIT).unwrap();
        let result = results.recv_timeout(LIMIT).unwrap();
        assert_eq!(result.worker_id, 1);
        match job {
            7 => assert!(matches!(result.outcome, Err(JobError::Panicked(_)))),
            _ => assert_eq!(result.outcome, Ok(job)),
        }
        // The caller is itself again: a wait with nothing pending returns,
        // a receive with nothing pending times out.
        assert_eq!(pool.wait_timeout(LIMIT), Ok(()));
        assert_eq!(
            results.recv_timeout(Duration::from_micros(10)).unwrap_err(),
            RecvError::Timeout
        );
    }
    let helped = watch.helped.load(Ordering::SeqCst);
    assert!(helped > 0, "the receiver never helped in 200 sporadic jobs");
    let answers = nested_answers.lock().unwrap();
    assert_eq!(answers.len(), helped);
    assert!(answers.iter().all(|a| *a == Err(RecvError::WouldDeadlock)));
    assert_eq!(watch.same_id_overlaps.load(Ordering::SeqCst), 0);
    *nested.lock().unwrap() = None;
}

/// Helpers while the crew is resized up and down, then stop-now: every
/// job runs at most once, each one is either run or handed back, ids stay
/// within `max_workers` and never overlap.
#[test]
fn helping_under_resize_and_stop_now_loses_nothing() {
    let total = jobs(50_000);
    let max = 3;
    let watch = Watch::new(max);
    let seen_by = Arc::clone(&watch);
    let runs: Arc<Vec<AtomicUsize>> = Arc::new((0..total).map(|_| AtomicUsize::new(0)).collect());
    let counted = Arc::clone(&runs);
    let pool = Arc::new(
        Pool::builder()
            .workers(1)
            .max_workers(max)
            .queue_capacity(16)
            .spin_before_park(2)
            .helping(true)
            .discard_results()
            .build(move |ctx, job: usize| {
                seen_by.run(ctx.worker_id, || {
                    counted[job].fetch_add(1, Ordering::SeqCst);
                });
            })
            .unwrap(),
    );
    let resizer = {
        let pool = Arc::clone(&pool);
        std::thread::spawn(move || {
            for round in 0..200 {
                let _ = pool.resize(1 + round % max);
                std::thread::sleep(Duration::from_micros(100));
            }
        })
    };
    let submitter = {
        let pool = Arc::clone(&pool);
        std::thread::spawn(move || {
            let mut accepted = 0;
            for job in 0..total {
                match pool.submit_timeout(job, LIMIT) {
                    Ok(_) => {}
                    Err(SubmitError::Closed(_)) => break,
                    Err(other) => panic!("submit: {other:?}"),
                }
                accepted += 1;
                if job.is_multiple_of(32) {
                    let _ = pool.wait_timeout(Duration::from_millis(1));
                }
            }
            accepted
        })
    };
    resizer.join().unwrap();
    let unstarted = pool.stop_now();
    let accepted = submitter.join().unwrap();
    pool.wait_timeout(LIMIT).unwrap();
    for (_, job) in &unstarted {
        assert_eq!(runs[*job].load(Ordering::SeqCst), 0, "handed back and run");
    }
    let ran = runs
        .iter()
        .filter(|r| r.load(Ordering::SeqCst) == 1)
        .count();
    assert!(runs.iter().all(|r| r.load(Ordering::SeqCst) <= 1));
    assert_eq!(ran + unstarted.len(), accepted);
    assert_eq!(watch.bad_ids.load(Ordering::SeqCst), 0);
    assert_eq!(watch.same_id_overlaps.load(Ordering::SeqCst), 0);
    assert!(watch.most.load(Ordering::SeqCst) <= max);
}

/// Autoscale with helping: workers grow under bursts and retire after an
/// idle timeout while receivers help; every job once, ids within
/// `max_workers`, never two handlers at once under one id.
#[test]
fn helping_with_autoscale_runs_each_job_once() {
    let total = jobs(20_000);
    let max = 3;
    let watch = Watch::new(max);
    let seen_by = Arc::clone(&watch);
    let pool = Pool::builder()
        .workers(1)
        .autoscale(ringpool::Autoscale {
            min_workers: 1,
            max_workers: max,
            grow_at_depth: 4,
            idle_timeout: Duration::from_millis(2),
        })
        .queue_capacity(32)
        .spin_before_park(2)
        .helping(true)
        .build(move |ctx, job: usize| seen_by.run(ctx.worker_id, || job))
        .unwrap();
    let results = pool.results().unwrap();
    let mut seen = vec![0u8; total];
    let mut next = 0;
    while next < total {
        // A burst (the crew grows), then a pause (surplus workers retire).
        let burst = (next + 64).min(total);
        for job in next..burst {
            pool.submit_timeout(job, LIMIT).unwrap();
        }
        for _ in next..burst {
            let r = results.recv_timeout(LIMIT).unwrap();
            seen[r.outcome.unwrap()] += 1;
        }
        next = burst;
        if next.is_multiple_of(512) {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    assert!(seen.iter().all(|&n| n == 1), "a job ran twice or never");
    assert_eq!(watch.bad_ids.load(Ordering::SeqCst), 0);
    assert_eq!(watch.same_id_overlaps.load(Ordering::SeqCst), 0);
    assert!(watch.most.load(Ordering::SeqCst) <= max);
    assert!((1..=max).contains(&pool.workers()));
}
