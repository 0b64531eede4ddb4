//! Batched hand-offs: `submit_many` / `try_submit_many` and workers that
//! take several jobs at once (`Builder::take_batch`). Every job runs exactly
//! once, results keep their ids, refused jobs stay with the caller in order.

use ringpool::{Pool, SubmitError};
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

#[test]
fn submit_many_from_threads_runs_each_job_once() {
    for take in [1, 2, 4] {
        let pool = Arc::new(
            Pool::builder()
                .workers(3)
                .queue_capacity(8)
                .take_batch(take)
                .build(|ctx, job: u64| (ctx.job_id, job))
                .unwrap(),
        );
        let results = pool.results().unwrap();
        let drainer = std::thread::spawn(move || results.collect::<Vec<_>>());
        let submitters: Vec<_> = (0..3u64)
            .map(|t| {
                let pool = Arc::clone(&pool);
                std::thread::spawn(move || {
                    let mut jobs = (t * 10_000)..(t * 10_000 + 3_000);
                    assert_eq!(pool.submit_many(&mut jobs), Ok(3_000));
                    assert!(jobs.is_empty());
                })
            })
            .collect();
        for s in submitters {
            s.join().unwrap();
        }
        pool.close();
        let got = drainer.join().unwrap();
        assert_eq!(got.len(), 9_000, "take_batch({take})");
        let mut jobs = HashSet::new();
        let mut ids = HashSet::new();
        for r in &got {
            let (id, job) = r.outcome.clone().unwrap();
            assert_eq!(id, r.job_id, "the handler saw the result's id");
            assert!(jobs.insert(job), "job {job} ran twice");
            assert!(ids.insert(id), "id {id} used twice");
        }
        let m = pool.metrics();
        assert_eq!((m.submitted, m.succeeded, m.rejected), (9_000, 9_000, 0));
    }
}

#[test]
fn refused_jobs_stay_in_the_iterator_in_order() {
    let pool = Pool::builder()
        .workers(1)
        .queue_capacity(4)
        .discard_results()
        .build(|_, _: u32| std::thread::sleep(Duration::from_millis(20)))
        .unwrap();
    let mut jobs = 0..50;
    let queued = match pool.try_submit_many(&mut jobs) {
        Err(SubmitError::Full(queued)) => queued,
        other => panic!("expected Full, got {other:?}"),
    };
    // The worker may have taken one already: 4 or 5 fit.
    assert!((4..=5).contains(&queued), "{queued}");
    assert_eq!(jobs, (queued as u32)..50);
    let back = pool.stop_now();
    assert!(back.windows(2).all(|w| w[0].1 < w[1].1));
    let mut late = 7..9;
    assert_eq!(pool.submit_many(&mut late), Err(SubmitError::Closed(0)));
    assert_eq!(late, 7..9);
    assert_eq!(pool.metrics().rejected, 2);
}

#[test]
fn an_iterator_shorter_than_its_hint_ends_the_call() {
    let pool = Pool::new(2, 16, |_, job: u32| job).unwrap();
    // Filter's size hint is (0, Some(10)): it promises up to 10, yields 3.
    let mut jobs = (0..10).filter(|j| j % 4 == 0);
    assert_eq!(pool.submit_many(&mut jobs), Ok(3));
    let mut none = std::iter::empty();
    assert_eq!(pool.submit_many(&mut none), Ok(0));
    pool.wait().unwrap();
    assert_eq!(pool.pending(), 0, "withdrawn admissions left the books");
    let m = pool.metrics();
    assert_eq!((m.submitted, m.succeeded), (3, 3));
}

#[test]
fn blocking_submit_many_waits_for_room_and_batches_run_once() {
    let ran = Arc::new(AtomicUsize::new(0));
    let r = Arc::clone(&ran);
    let pool = Pool::builder()
        .workers(2)
        .queue_capacity(2)
        .take_batch(4)
        .discard_results()
        .build(move |_, _: u32| {
            r.fetch_add(1, Ordering::Relaxed);
        })
        .unwrap();
    let mut jobs = 0..5_000;
    assert_eq!(pool.submit_many(&mut jobs), Ok(5_000));
    pool.wait().unwrap();
    assert_eq!(ran.load(Ordering::Relaxed), 5_000);
    assert_eq!(pool.metrics().succeeded, 5_000);
}

#[test]
fn recv_many_drains_ring_and_spill_in_order_once() {
    let pool = Pool::builder()
        .workers(1)
        .queue_capacity(64)
        .results_capacity(4)
        .spill_after(Duration::from_millis(1))
        .build(|_, job: u32| job)
        .unwrap();
    let results = pool.results().unwrap();
    let mut jobs = 0..200;
    assert_eq!(pool.submit_many(&mut jobs), Ok(200));
    pool.wait().unwrap();
    assert!(
        pool.metrics().results_spilled > 0,
        "the spill was exercised"
    );
    pool.close();
    let mut got = Vec::new();
    let mut calls = 0;
    loop {
        match results.recv_many(7, |r| got.push(r.outcome.unwrap())) {
            Ok(n) => assert!((1..=7).contains(&n), "{n}"),
            Err(ringpool::RecvError::Closed) => break,
            Err(other) => panic!("{other:?}"),
        }
        calls += 1;
    }
    // One worker: results in job order, each once.
    assert_eq!(got, (0..200).collect::<Vec<_>>());
    assert!(calls >= 200 / 7, "{calls}");
    assert_eq!(results.recv_many(0, |_| {}), Ok(0));
}

#[test]
fn take_batch_with_resize_and_stop_now_loses_nothing() {
    let ran = Arc::new(AtomicUsize::new(0));
    let r = Arc::clone(&ran);
    let pool = Pool::builder()
        .workers(1)
        .max_workers(4)
        .queue_capacity(256)
        .take_batch(4)
        .discard_results()
        .build(move |_, _: u32| {
            std::thread::sleep(Duration::from_micros(50));
            r.fetch_add(1, Ordering::Relaxed);
        })
        .unwrap();
    let mut jobs = 0..200;
    assert_eq!(pool.submit_many(&mut jobs), Ok(200));
    pool.resize(4).unwrap();
    std::thread::sleep(Duration::from_millis(2));
    pool.resize(2).unwrap();
    let back = pool.stop_now();
    pool.wait().unwrap();
    // Jobs held in a worker's batch run; the rest come back, once each.
    assert_eq!(back.len() + ran.load(Ordering::Relaxed), 200);
    let m = pool.metrics();
    assert_eq!(m.succeeded as usize, ran.load(Ordering::Relaxed));
    assert_eq!(m.cancelled as usize, back.len());
    assert_eq!(pool.pending(), 0);
}
