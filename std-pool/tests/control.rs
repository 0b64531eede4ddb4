//! Control (issue 14): pause/resume, queue deadlines, priority levels, one
//! behaviour per test, and a loaded run with exact accounting: every job
//! exactly once (ran, expired, or handed back by stop-now) and the metrics
//! agree.

use ringpool::{
    AGE_EVERY, BuildError, JobError, JobOptions, MAX_PRIORITIES, Pool, RecvError, SubmitError,
};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const LONG: Duration = Duration::from_secs(20);

#[test]
fn pause_holds_queued_jobs_and_resume_runs_them() {
    let pool = Pool::new(2, 16, |_, job: u64| job).unwrap();
    let results = pool.results().unwrap();
    assert!(pool.pause());
    assert!(!pool.pause(), "already paused");
    for job in 0..16 {
        pool.submit(job).unwrap();
    }
    // Submits queue up to capacity, then refuse as usual.
    assert_eq!(pool.try_submit(99), Err(SubmitError::Full(99)));
    std::thread::sleep(Duration::from_millis(30));
    let m = pool.metrics();
    assert!(m.paused);
    assert_eq!((m.started, m.queue_depth), (0, 16));
    assert!(pool.wait_timeout(Duration::from_millis(10)).is_err());
    assert_eq!(results.try_recv().unwrap_err(), RecvError::Empty);
    assert!(pool.resume());
    pool.wait_timeout(LONG).unwrap();
    assert_eq!(pool.metrics().succeeded, 16);
    assert!(!pool.metrics().paused);
}

#[test]
fn pause_lets_running_jobs_finish() {
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let release_rx = Mutex::new(release_rx);
    let pool = Pool::new(1, 4, move |_, job: u32| {
        if job == 0 {
            started_tx.send(()).unwrap();
            release_rx.lock().unwrap().recv().unwrap();
        }
        job
    })
    .unwrap();
    pool.submit(0).unwrap();
    started_rx.recv_timeout(LONG).unwrap();
    pool.pause();
    pool.submit(1).unwrap();
    release_tx.send(()).unwrap();
    // Job 0 finishes; job 1 stays queued.
    let deadline = Instant::now() + LONG;
    while pool.metrics().succeeded < 1 {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(1));
    }
    std::thread::sleep(Duration::from_millis(20));
    let m = pool.metrics();
    assert_eq!((m.succeeded, m.queue_depth), (1, 1));
    pool.resume();
    pool.wait_timeout(LONG).unwrap();
    assert_eq!(pool.metrics().succeeded, 2);
}

/// CPU time (user + system, in clock ticks) of this process's threads
/// whose name starts with `prefix`.
fn cpu_ticks_of(prefix: &str) -> u64 {
    let mut total = 0;
    for task in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
        let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
        let Some(open) = stat.find('(') else { continue };
        let Some(close) = stat.rfind(')') else {
            continue;
        };
        if !stat[open + 1..close].starts_with(prefix) {
            continue;
        }
        let fields: Vec<&str> = stat[close + 2..].split(' ').collect();
        // utime and stime are fields 14 and 15 of stat; fields[0] is field 3.
        total += fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    }
    total
}

#[test]
#[cfg(target_os = "linux")]
fn a_paused_pool_with_queued_jobs_uses_no_cpu() {
    let pool = Pool::builder()
        .workers(4)
        .queue_capacity(64)
        .thread_name("pzidle")
        .build(|_, job: u64| job)
        .unwrap();
    pool.pause();
    for job in 0..64 {
        pool.submit(job).unwrap();
    }
    std::thread::sleep(Duration::from_millis(50));
    let before = cpu_ticks_of("pzidle");
    std::thread::sleep(Duration::from_millis(500));
    let used = cpu_ticks_of("pzidle") - before;
    // 4 spinning workers would use ~100 ticks (100 Hz) in 0.5 s each.
    assert!(used <= 2, "paused workers used {used} ticks in 0.5 s");
    pool.resume();
    pool.wait_timeout(LONG).unwrap();
    assert_eq!(pool.metrics().succeeded, 64);
}

#[test]
fn stop_now_while_paused_hands_back_every_level_and_workers_exit() {
    let pool = Pool::builder()
        .workers(2)
        .queue_capacity(4)
        .priorities(3)
        .build(|_, job: u32| job)
        .unwrap();
    let results = pool.results().unwrap();
    pool.pause();
    let mut ids = HashMap::new();
    for (job, level) in [(1, 0), (2, 1), (3, 2), (4, 0), (5, 2)] {
        let id = pool
            .submit_with_options(job, JobOptions::new().priority(level))
            .unwrap();
        ids.insert(id, job);
    }
    let back = pool.stop_now();
    // Highest level first, FIFO within a level.
    let jobs: Vec<u32> = back.iter().map(|(_, job)| *job).collect();
    assert_eq!(jobs, [3, 5, 2, 1, 4]);
    for (id, job) in &back {
        assert_eq!(ids[id], *job);
    }
    assert_eq!(pool.metrics().cancelled, 5);
    // Closed and drained: the stream ends and the workers leave, paused.
    assert_eq!(results.recv_timeout(LONG).unwrap_err(), RecvError::Closed);
    let deadline = Instant::now() + LONG;
    while pool.workers() > 0 {
        assert!(Instant::now() < deadline, "workers did not exit");
        std::thread::sleep(Duration::from_millis(1));
    }
    pool.wait_timeout(LONG).unwrap();
}

#[test]
fn close_while_paused_keeps_jobs_until_resume_and_shutdown_resumes() {
    let ran = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&ran);
    let pool = Pool::builder()
        .workers(2)
        .queue_capacity(8)
        .build(move |_, _job: u32| {
            counter.fetch_add(1, Ordering::Relaxed);
        })
        .unwrap();
    let results = pool.results().unwrap();
    pool.pause();
    for job in 0..8 {
        pool.submit(job).unwrap();
    }
    pool.close();
    assert_eq!(
        results.recv_timeout(Duration::from_millis(20)).unwrap_err(),
        RecvError::Timeout,
        "closed but paused: the queued jobs are still to come"
    );
    assert_eq!(ran.load(Ordering::Relaxed), 0);
    // shutdown resumes, runs every queued job and joins: no hang.
    pool.shutdown();
    assert_eq!(ran.load(Ordering::Relaxed), 8);
    assert_eq!(results.count(), 8);
}

#[test]
fn drop_while_paused_runs_the_queued_jobs() {
    let ran = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&ran);
    let pool = Pool::builder()
        .workers(1)
        .discard_results()
        .build(move |_, _job: u32| {
            counter.fetch_add(1, Ordering::Relaxed);
        })
        .unwrap();
    pool.pause();
    for job in 0..5 {
        pool.submit(job).unwrap();
    }
    drop(pool);
    assert_eq!(ran.load(Ordering::Relaxed), 5);
}

#[test]
fn an_expired_job_does_not_run_and_comes_back() {
    let ran = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&ran);
    let pool = Pool::new(1, 8, move |_, job: String| {
        counter.fetch_add(1, Ordering::Relaxed);
        job.len()
    })
    .unwrap();
    let results = pool.results().unwrap();
    pool.pause();
    let soon = Instant::now() + Duration::from_millis(5);
    let late = pool
        .submit_with_options("late".to_string(), JobOptions::new().deadline(soon))
        .unwrap();
    let fine = pool
        .submit_with_options("fine".to_string(), JobOptions::new().deadline_in(LONG))
        .unwrap();
    let plain = pool.submit("plain".to_string()).unwrap();
    std::thread::sleep(Duration::from_millis(10));
    pool.resume();
    pool.close();
    let mut outcomes: Vec<_> = results.map(|r| (r.job_id, r.outcome)).collect();
    outcomes.sort_by_key(|(id, _)| *id);
    assert_eq!(
        outcomes,
        [
            (late, Err(JobError::Expired)),
            (fine, Ok(4)),
            (plain, Ok(5))
        ]
    );
    assert_eq!(ran.load(Ordering::Relaxed), 2);
    assert_eq!(pool.take_expired(), [(late, "late".to_string())]);
    let m = pool.metrics();
    assert_eq!((m.expired, m.started, m.succeeded), (1, 2, 2));
}

#[test]
fn priorities_are_validated() {
    for bad in [0, MAX_PRIORITIES + 1] {
        let err = Pool::builder()
            .priorities(bad)
            .build(|_, job: u32| job)
            .unwrap_err();
        assert_eq!(
            err,
            BuildError::Priorities {
                requested: bad,
                max: MAX_PRIORITIES
            }
        );
    }
    let pool = Pool::builder()
        .priorities(MAX_PRIORITIES)
        .build(|_, job: u32| job)
        .unwrap();
    let top = JobOptions::new().priority(MAX_PRIORITIES - 1);
    pool.submit_with_options(1, top).unwrap();
    let over = JobOptions::new().priority(MAX_PRIORITIES);
    assert_eq!(
        pool.submit_with_options(2, over),
        Err(SubmitError::NoSuchPriority(2))
    );
    pool.wait_timeout(LONG).unwrap();
    let m = pool.metrics();
    assert_eq!(
        (m.submitted, m.rejected, m.priorities),
        (1, 1, MAX_PRIORITIES)
    );
}

#[test]
fn highest_level_first_fifo_within_a_level() {
    let pool = Pool::builder()
        .workers(1)
        .queue_capacity(8)
        .priorities(3)
        .build(|_, job: (usize, u32)| job)
        .unwrap();
    let results = pool.results().unwrap();
    pool.pause();
    // Fewer jobs than AGE_EVERY: no aged take happens, strict order.
    let jobs = [(0, 1), (2, 1), (1, 1), (0, 2), (2, 2), (1, 2)];
    assert!(jobs.len() < AGE_EVERY);
    for job in jobs {
        pool.submit_with_options(job, JobOptions::new().priority(job.0))
            .unwrap();
    }
    let m = pool.metrics();
    assert_eq!(&m.level_depths[..4], [2, 2, 2, 0]);
    assert_eq!(m.queue_depth, 6);
    pool.resume();
    pool.close();
    let order: Vec<_> = results.map(|r| r.outcome.unwrap()).collect();
    assert_eq!(order, [(2, 1), (2, 2), (1, 1), (1, 2), (0, 1), (0, 2)]);
}

/// A steady stream of high jobs (each high job submits the next one, so
/// the high level is never empty) does not starve a low job: it runs
/// within `AGE_EVERY * levels` takes.
#[test]
fn a_low_job_is_not_starved_by_a_stream_of_high_jobs() {
    const HIGHS: u64 = 1_000;
    let order = Arc::new(Mutex::new(Vec::new()));
    let slot: Arc<Mutex<Option<Arc<Pool<u64>>>>> = Arc::default();
    let (inside, seen) = (Arc::clone(&slot), Arc::clone(&order));
    let pool = Arc::new(
        Pool::builder()
            .workers(1)
            .queue_capacity(16)
            .priorities(2)
            .discard_results()
            .build(move |_, job: u64| {
                seen.lock().unwrap().push(job);
                // The chain ends once the test has taken the pool back.
                let pool = inside.lock().unwrap().clone();
                if let Some(pool) = pool.filter(|_| job != 0 && job < HIGHS) {
                    let high = JobOptions::new().priority(1);
                    // From inside the handler: never waits; room is there
                    // (one high job queued at a time per chain), unless the
                    // test has closed the pool meanwhile.
                    match pool.submit_with_options(job + 1, high) {
                        Ok(_) | Err(ringpool::SubmitError::Closed(_)) => {}
                        Err(other) => panic!("chained submit: {other:?}"),
                    }
                }
            })
            .unwrap(),
    );
    *slot.lock().unwrap() = Some(Arc::clone(&pool));
    pool.pause();
    // Four chains of high jobs keep the high level busy, then one low job.
    let high = JobOptions::new().priority(1);
    for first in [1, 1, 1, 1] {
        pool.submit_with_options(first, high).unwrap();
    }
    pool.submit(0).unwrap(); // low: level 0
    pool.resume();
    let deadline = Instant::now() + LONG;
    while !order.lock().unwrap().contains(&0) {
        assert!(Instant::now() < deadline, "the low job never ran");
        std::thread::sleep(Duration::from_millis(1));
    }
    slot.lock().unwrap().take(); // break the cycle
    let position = order.lock().unwrap().iter().position(|&j| j == 0).unwrap();
    assert!(
        position < AGE_EVERY * 2,
        "low job ran after {position} high jobs"
    );
    // A handler may still hold a clone of the pool: close, let every job
    // end (their clones go with them), then the last handle joins.
    pool.close();
    pool.wait_timeout(LONG).unwrap();
    let pool = Arc::try_unwrap(pool).expect("no handler holds the pool");
    pool.shutdown();
}

/// Several submitters, three levels, some jobs with deadlines that pass,
/// a stop-now in the middle: every job exactly once (ran, expired, or
/// handed back) and the metrics agree.
#[test]
fn loaded_run_accounts_for_every_job_exactly_once() {
    const SUBMITTERS: u64 = 4;
    const PER: u64 = 5_000;
    let ran: Arc<Mutex<Vec<u64>>> = Arc::default();
    let log = Arc::clone(&ran);
    let pool = Arc::new(
        Pool::builder()
            .workers(3)
            .queue_capacity(32)
            .priorities(3)
            .build(move |_, job: u64| {
                log.lock().unwrap().push(job);
                if job.is_multiple_of(97) {
                    std::thread::sleep(Duration::from_micros(50));
                }
                job
            })
            .unwrap(),
    );
    let results = pool.results().unwrap();
    let drainer = std::thread::spawn(move || {
        let mut ok = Vec::new();
        let mut expired = Vec::new();
        for r in results {
            match r.outcome {
                Ok(job) => ok.push((r.job_id, job)),
                Err(JobError::Expired) => expired.push(r.job_id),
                Err(other) => panic!("unexpected {other:?}"),
            }
        }
        (ok, expired)
    });
    let submitters: Vec<_> = (0..SUBMITTERS)
        .map(|s| {
            let pool = Arc::clone(&pool);
            std::thread::spawn(move || {
                let mut accepted = Vec::new();
                for i in 0..PER {
                    let job = s * PER + i;
                    let mut options = JobOptions::new().priority((job % 3) as usize);
                    if job.is_multiple_of(5) {
                        // Already past, or a few microseconds ahead.
                        options = options.deadline_in(Duration::from_micros(job % 7));
                    }
                    match pool.submit_with_options(job, options) {
                        Ok(id) => accepted.push((id, job)),
                        Err(SubmitError::Closed(_)) => break,
                        Err(other) => panic!("unexpected {other:?}"),
                    }
                    if i == PER / 2 && s == 0 {
                        pool.pause();
                        std::thread::sleep(Duration::from_millis(2));
                        pool.resume();
                    }
                }
                accepted
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(30));
    let stopped = pool.stop_now();
    let accepted: HashMap<u64, u64> = submitters
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let (ok, expired_ids) = drainer.join().unwrap();
    let expired_jobs = pool.take_expired();

    let mut seen: HashMap<u64, &str> = HashMap::new();
    let mut once = |id: u64, how: &'static str| {
        if let Some(before) = seen.insert(id, how) {
            panic!("job {id} both {before} and {how}");
        }
    };
    for &(id, job) in &ok {
        assert_eq!(accepted[&id], job);
        once(id, "ran");
    }
    for &(id, job) in &expired_jobs {
        assert_eq!(accepted[&id], job);
        once(id, "expired");
    }
    for &(id, job) in &stopped {
        assert_eq!(accepted[&id], job);
        once(id, "stopped");
    }
    assert_eq!(seen.len(), accepted.len(), "a job was lost");
    let mut expired_sorted = expired_ids.clone();
    expired_sorted.sort_unstable();
    let mut from_store: Vec<u64> = expired_jobs.iter().map(|(id, _)| *id).collect();
    from_store.sort_unstable();
    assert_eq!(expired_sorted, from_store, "expired results = expired jobs");
    assert_eq!(ran.lock().unwrap().len(), ok.len(), "ran = Ok results");
    let m = pool.metrics();
    assert_eq!(m.submitted, accepted.len() as u64);
    assert_eq!(m.succeeded, ok.len() as u64);
    assert_eq!(m.started, ok.len() as u64);
    assert_eq!(m.expired, expired_jobs.len() as u64);
    assert_eq!(m.cancelled, stopped.len() as u64);
    assert_eq!(m.submitted, m.succeeded + m.expired + m.cancelled);
    // Job 0 (and every 35th) had a deadline of now: expired when taken.
    assert!(
        ok.len() < 1_000 || !expired_jobs.is_empty(),
        "some deadlines passed"
    );
    pool.wait_timeout(LONG).unwrap();
}

/// The README's "Control" example, verbatim.
#[test]
fn readme_control_example() {
    use ringpool::CancelOutcome;
    let pool = Pool::builder()
        .workers(1)
        .priorities(2) // levels 0 (where submit queues) and 1
        .cancellable(true) // queued jobs can be taken back by id
        .build(|_, job: u32| job)
        .unwrap();
    let results = pool.results().unwrap();
    pool.pause(); // workers take nothing; submits still queue
    pool.submit(1).unwrap(); // level 0
    pool.submit_with_options(2, JobOptions::new().priority(1))
        .unwrap();
    pool.submit_with_options(3, JobOptions::new().deadline(Instant::now()))
        .unwrap();
    let id = pool.submit(4).unwrap();
    assert_eq!(pool.cancel(id), CancelOutcome::Cancelled(4)); // back, never runs, no result
    std::thread::sleep(Duration::from_millis(1));
    pool.resume();
    pool.close();
    let outcomes: Vec<_> = results.map(|r| r.outcome).collect();
    assert_eq!(outcomes, [Ok(2), Ok(1), Err(JobError::Expired)]); // level 1 first, FIFO within
    assert_eq!(pool.take_expired(), [(3, 3)]); // the expired job comes back too
}
