//! The async face (`submit_async`, `recv_async`, `ResultStream`,
//! `wait_async`) under two executors: tokio's multi-thread runtime and
//! pollster (a thread that parks until its waker is called, so a lost
//! wake-up is a hang). Every test runs under a deadline: a lost wake-up
//! fails it instead of hanging the run. Stress sizes shrink with
//! `RINGPOOL_STRESS_SCALE` (the ThreadSanitizer run sets it).

use ringpool::{JobId, Pool, SubmitError, WaitError};
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Barrier, Mutex, OnceLock, Weak};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

/// How long any one test may take before it counts as hung.
const DEADLINE: Duration = Duration::from_secs(60);

/// `full`, divided by `RINGPOOL_STRESS_SCALE`.
fn scaled(full: usize) -> usize {
    let scale = std::env::var("RINGPOOL_STRESS_SCALE")
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    (full / scale).max(20)
}

/// Runs `make()`'s future on a tokio multi-thread runtime, failing after
/// [`DEADLINE`].
fn on_tokio<F: Future<Output = ()> + Send + 'static>(make: impl FnOnce() -> F) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_time()
        .build()
        .unwrap();
    let future = make();
    runtime.block_on(async move {
        tokio::time::timeout(DEADLINE, tokio::spawn(future))
            .await
            .expect("hung: the deadline passed")
            .unwrap();
    });
}

/// Runs `make()`'s future with `pollster::block_on` on a thread of its own,
/// failing after [`DEADLINE`] (the hung thread is left behind).
fn on_pollster<F: Future<Output = ()> + 'static>(make: impl FnOnce() -> F + Send + 'static) {
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            pollster::block_on(make());
        }));
        let _ = done.send(result);
    });
    match finished.recv_timeout(DEADLINE) {
        Ok(Ok(())) => {}
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(_) => panic!("hung: the deadline passed"),
    }
}

/// Polls `future` once with the task's own waker.
async fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    poll_fn(|cx| Poll::Ready(Pin::new(&mut *future).poll(cx))).await
}

/// A pool with one worker and a queue of one whose job 0 holds the worker
/// until the returned sender is used (and signals on the barrier when it
/// has started); every other job runs at once. Handler: the job back.
struct Gated {
    pool: Arc<Pool<usize, usize>>,
    started: Arc<Barrier>,
    release: mpsc::Sender<()>,
}

fn gated(queue: usize) -> Gated {
    let started = Arc::new(Barrier::new(2));
    let (release, released) = mpsc::channel::<()>();
    let released = Mutex::new(released);
    let at_start = Arc::clone(&started);
    let pool = Pool::builder()
        .workers(1)
        .queue_capacity(queue)
        .build(move |_, job: usize| {
            if job == 0 {
                at_start.wait();
                let _ = released.lock().unwrap().recv_timeout(DEADLINE);
            }
            job
        })
        .unwrap();
    let pool = Arc::new(pool);
    Gated {
        pool,
        started,
        release,
    }
}

impl Gated {
    /// Job 0 running, the queue filled with jobs `1..=queue`.
    fn fill(&self, queue: usize) {
        self.pool.submit(0).unwrap();
        self.started.wait();
        for job in 1..=queue {
            self.pool.try_submit(job).unwrap();
        }
    }
}

/// Releases job 0 from another thread after a moment, so that the waiting
/// future must be woken (not merely find room on its next poll).
fn release_later(release: mpsc::Sender<()>) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        release.send(()).unwrap();
    })
}

async fn backpressure() {
    let g = gated(1);
    g.fill(1);
    let mut submit = g.pool.submit_async(2);
    assert!(
        poll_once(&mut submit).await.is_pending(),
        "the queue is full"
    );
    assert_eq!(
        g.pool.metrics().submitted,
        2,
        "a waiting job is not counted"
    );
    let releaser = release_later(g.release.clone());
    let id = submit.await.unwrap();
    releaser.join().unwrap();
    g.pool.wait_async().await.unwrap();
    let m = g.pool.metrics();
    assert_eq!((m.submitted, m.succeeded, m.rejected), (3, 3, 0));
    let results = g.pool.results().unwrap();
    let mut got: Vec<_> = (0..3).map(|_| results.try_recv().unwrap()).collect();
    got.sort_by_key(|r| r.job_id);
    assert_eq!(got[2].job_id, id);
    assert_eq!(
        got.iter()
            .map(|r| r.outcome.clone().unwrap())
            .collect::<Vec<_>>(),
        [0, 1, 2]
    );
}

#[test]
fn tokio_submit_async_waits_on_a_full_queue_and_resumes() {
    on_tokio(backpressure);
}

#[test]
fn pollster_submit_async_waits_on_a_full_queue_and_resumes() {
    on_pollster(backpressure);
}

async fn close_while_waiting() {
    let g = gated(1);
    g.fill(1);
    let mut submit = g.pool.submit_async(7);
    assert!(poll_once(&mut submit).await.is_pending());
    let closer = {
        let pool = Arc::clone(&g.pool);
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            pool.close()
        })
    };
    // Woken by the close: the job comes back.
    assert_eq!(submit.await, Err(SubmitError::Closed(7)));
    assert!(closer.join().unwrap());
    g.release.send(()).unwrap();
    g.pool.wait_async().await.unwrap();
    let m = g.pool.metrics();
    assert_eq!((m.submitted, m.succeeded, m.rejected), (2, 2, 1));
}

#[test]
fn tokio_close_while_waiting_hands_the_job_back() {
    on_tokio(close_while_waiting);
}

#[test]
fn pollster_close_while_waiting_hands_the_job_back() {
    on_pollster(close_while_waiting);
}

/// A job that logs when it runs and when it is dropped.
struct Tracked {
    n: usize,
    log: Arc<Log>,
}

struct Log {
    ran: Vec<AtomicUsize>,
    dropped: Vec<AtomicUsize>,
}

impl Log {
    fn new(jobs: usize) -> Arc<Self> {
        Arc::new(Self {
            ran: (0..jobs).map(|_| AtomicUsize::new(0)).collect(),
            dropped: (0..jobs).map(|_| AtomicUsize::new(0)).collect(),
        })
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.log.dropped[self.n].fetch_add(1, Ordering::SeqCst);
    }
}

/// Many tasks submit through a small queue; every other one gives up after
/// a short timeout (dropping its pending future), some cancel explicitly.
/// Exact accounting: each job ran once and was queued (its submit returned
/// an id), or never ran and was handed back or dropped with its future; and
/// every job was dropped exactly once.
#[test]
fn tokio_dropped_submit_futures_lose_and_duplicate_nothing() {
    on_tokio(|| async {
        let jobs = scaled(4_000);
        let log = Log::new(jobs);
        let pool = Arc::new(
            Pool::builder()
                .workers(2)
                .queue_capacity(2)
                .build(|_, job: Tracked| {
                    job.log.ran[job.n].fetch_add(1, Ordering::SeqCst);
                    std::hint::black_box((0..200u64).sum::<u64>());
                    job.n
                })
                .unwrap(),
        );
        let results = pool.results().unwrap();
        let collector = tokio::spawn(async move {
            let mut ids = Vec::new();
            while let Some(r) = results.recv_async().await {
                ids.push((r.job_id, r.outcome.unwrap()));
            }
            ids
        });
        let tasks = 16;
        let mut handles = Vec::new();
        for task in 0..tasks {
            let pool = Arc::clone(&pool);
            let log = Arc::clone(&log);
            handles.push(tokio::spawn(async move {
                let mut queued = Vec::new();
                let mut cancelled = 0;
                for n in (task..jobs).step_by(tasks) {
                    let job = Tracked {
                        n,
                        log: Arc::clone(&log),
                    };
                    match n % 3 {
                        // Gives up quickly: the future is dropped pending.
                        0 => {
                            let submit = pool.submit_async(job);
                            if let Ok(id) =
                                tokio::time::timeout(Duration::from_micros(50), submit).await
                            {
                                queued.push((id.unwrap(), n));
                            }
                        }
                        // Races a timer; the loser is cancelled for its job.
                        1 => {
                            let mut submit = pool.submit_async(job);
                            tokio::select! {
                                id = &mut submit => queued.push((id.unwrap(), n)),
                                () = tokio::time::sleep(Duration::from_micros(20)) => {
                                    match submit.cancel() {
                                        Some(back) => { assert_eq!(back.n, n); cancelled += 1; }
                                        None => unreachable!("resolved futures leave the select"),
                                    }
                                }
                            }
                        }
                        _ => queued.push((pool.submit_async(job).await.unwrap(), n)),
                    }
                }
                (queued, cancelled)
            }));
        }
        let mut queued = Vec::new();
        let mut cancelled = 0;
        for handle in handles {
            let (q, c) = handle.await.unwrap();
            queued.extend(q);
            cancelled += c;
        }
        pool.wait_async().await.unwrap();
        pool.close();
        let mut delivered = collector.await.unwrap();
        delivered.sort_unstable();
        queued.sort_unstable();
        assert_eq!(delivered, queued, "each queued job gives one result");
        let was_queued: Vec<bool> = {
            let mut q = vec![false; jobs];
            for &(_, n) in &queued {
                q[n] = true;
            }
            q
        };
        for (n, &queued) in was_queued.iter().enumerate() {
            let ran = log.ran[n].load(Ordering::SeqCst);
            assert_eq!(ran, usize::from(queued), "job {n} ran {ran} times");
            assert_eq!(log.dropped[n].load(Ordering::SeqCst), 1, "job {n}");
        }
        let m = pool.metrics();
        assert_eq!(m.submitted as usize, queued.len());
        assert_eq!(m.rejected as usize, jobs - queued.len());
        assert!(cancelled <= jobs - queued.len());
    });
}

/// A waker that counts its wake-ups.
#[derive(Default)]
struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn wait_for_wake(counter: &CountingWaker, what: &str) {
    let deadline = Instant::now() + DEADLINE;
    while counter.0.load(Ordering::SeqCst) == 0 {
        assert!(Instant::now() < deadline, "{what} never woken");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Two futures wait on a full queue of 1; one slot frees, so one notify
/// picks the older future, which is dropped before it looks: the wake-up
/// passes to the other, which then gets the slot.
#[test]
fn a_wake_up_meant_for_a_dropped_future_passes_to_the_next() {
    let g = gated(1);
    g.fill(1);
    let (first, second) = (
        Arc::new(CountingWaker::default()),
        Arc::new(CountingWaker::default()),
    );
    let (first_waker, second_waker) = (
        Waker::from(Arc::clone(&first)),
        Waker::from(Arc::clone(&second)),
    );
    let mut a = g.pool.submit_async(10);
    let mut b = g.pool.submit_async(11);
    let poll = |f: &mut ringpool::SubmitFuture<'_, usize, usize, _>, w: &Waker| {
        Pin::new(f).poll(&mut Context::from_waker(w))
    };
    assert!(poll(&mut a, &first_waker).is_pending());
    assert!(poll(&mut b, &second_waker).is_pending());
    g.release.send(()).unwrap(); // job 0 ends, the worker takes job 1: one slot
    wait_for_wake(&first, "the older waiter");
    assert_eq!(
        second.0.load(Ordering::SeqCst),
        0,
        "notify_one woke one task"
    );
    drop(a);
    wait_for_wake(&second, "the waiter after a dropped one");
    match poll(&mut b, &second_waker) {
        Poll::Ready(Ok(_)) => {}
        other => panic!("expected the freed slot, got {other:?}"),
    }
    g.pool.wait().unwrap();
    let m = g.pool.metrics();
    assert_eq!((m.submitted, m.rejected), (3, 1));
}

async fn stream_ends_after_close() {
    let pool = Pool::new(2, 4, |_, job: u64| job * 2).unwrap();
    let results = pool.results().unwrap();
    let jobs = scaled(2_000) as u64;
    for job in 0..jobs {
        pool.submit_async(job).await.unwrap();
        // Keep the backlog within the result ring: drain what is ready.
        while let Ok(r) = results.try_recv() {
            assert!(r.outcome.unwrap() % 2 == 0);
        }
    }
    pool.close();
    let mut rest = 0;
    while let Some(r) = results.recv_async().await {
        assert!(r.outcome.unwrap() % 2 == 0);
        rest += 1;
    }
    assert!(rest <= jobs);
    assert!(results.recv_async().await.is_none(), "stays ended");
    assert_eq!(pool.metrics().succeeded, jobs);
}

#[test]
fn tokio_recv_async_ends_after_close() {
    on_tokio(stream_ends_after_close);
}

#[test]
fn pollster_recv_async_ends_after_close() {
    on_pollster(stream_ends_after_close);
}

/// A receiver parked in `recv_async` is woken by a delivery (made from
/// another thread after it parked) and by the end of the stream.
async fn recv_async_is_woken() {
    let pool = Arc::new(Pool::new(1, 4, |_, job: u32| job).unwrap());
    let results = pool.results().unwrap();
    let submitter = {
        let pool = Arc::clone(&pool);
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            pool.submit(5).unwrap();
            std::thread::sleep(Duration::from_millis(20));
            pool.close();
        })
    };
    assert_eq!(results.recv_async().await.unwrap().outcome, Ok(5));
    assert!(results.recv_async().await.is_none());
    submitter.join().unwrap();
}

#[test]
fn tokio_recv_async_is_woken_by_delivery_and_end() {
    on_tokio(recv_async_is_woken);
}

#[test]
fn pollster_recv_async_is_woken_by_delivery_and_end() {
    on_pollster(recv_async_is_woken);
}

/// The stream through `poll_recv` (and `futures_core::Stream` with the
/// `stream` feature): every result once, then `None`.
async fn result_stream() {
    let pool = Pool::new(2, 8, |_, job: u32| job).unwrap();
    let mut stream = pool.results().unwrap().into_stream();
    let jobs = scaled(1_000) as u32;
    let producer = async {
        for job in 0..jobs {
            pool.submit_async(job).await.unwrap();
        }
        pool.close();
    };
    let consumer = async {
        let mut seen = vec![false; jobs as usize];
        while let Some(r) = next(&mut stream).await {
            let job = r.outcome.unwrap() as usize;
            assert!(!seen[job], "job {job} twice");
            seen[job] = true;
        }
        assert!(seen.iter().all(|&s| s));
    };
    join(producer, consumer).await;
}

#[cfg(not(feature = "stream"))]
async fn next<J, R, E>(
    stream: &mut ringpool::ResultStream<J, R, E>,
) -> Option<ringpool::JobResult<R, E>> {
    poll_fn(|cx| stream.poll_recv(cx)).await
}

#[cfg(feature = "stream")]
async fn next<J, R, E>(
    stream: &mut ringpool::ResultStream<J, R, E>,
) -> Option<ringpool::JobResult<R, E>> {
    use futures_core::Stream;
    poll_fn(|cx| Pin::new(&mut *stream).poll_next(cx)).await
}

/// Polls two futures on one task until both are done.
async fn join(a: impl Future<Output = ()>, b: impl Future<Output = ()>) {
    let (mut a, mut b) = (Box::pin(a), Box::pin(b));
    let (mut a_done, mut b_done) = (false, false);
    poll_fn(|cx| {
        if !a_done {
            a_done = a.as_mut().poll(cx).is_ready();
        }
        if !b_done {
            b_done = b.as_mut().poll(cx).is_ready();
        }
        if a_done && b_done {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
}

#[test]
fn tokio_result_stream_yields_each_result_once_then_ends() {
    on_tokio(result_stream);
}

#[test]
fn pollster_result_stream_yields_each_result_once_then_ends() {
    on_pollster(result_stream);
}

async fn wait_async_waits() {
    let done = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&done);
    let pool = Pool::builder()
        .workers(2)
        .queue_capacity(4)
        .discard_results()
        .build(move |_, job: u64| {
            std::thread::sleep(Duration::from_micros(job % 500));
            counter.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap();
    for round in 1..=3 {
        for job in 0..50 {
            pool.submit_async(job).await.unwrap();
        }
        pool.wait_async().await.unwrap();
        assert_eq!(done.load(Ordering::SeqCst), 50 * round);
        assert_eq!(pool.pending(), 0);
    }
    // Nothing in flight: ready at once.
    assert!(poll_once(&mut pool.wait_async()).await.is_ready());
}

#[test]
fn tokio_wait_async_waits_for_every_accepted_job() {
    on_tokio(wait_async_waits);
}

#[test]
fn pollster_wait_async_waits_for_every_accepted_job() {
    on_pollster(wait_async_waits);
}

/// From inside the pool's own handler nothing waits: `wait_async` is
/// `WouldDeadlock`, `submit_async` on a full queue is `Full`, `recv_async`
/// with nothing ready is `None`.
#[test]
fn inside_the_handler_the_futures_do_not_wait() {
    type Seen = (Result<(), WaitError>, Option<SubmitError<u32>>, bool);
    // A weak handle: the pool's Drop (which joins its workers) runs here.
    type Own = OnceLock<Weak<Pool<u32, Option<Seen>>>>;
    let own: Arc<Own> = Arc::new(OnceLock::new());
    let handle = Arc::clone(&own);
    let pool = Pool::builder()
        .workers(1)
        .queue_capacity(1)
        .build(move |_, job: u32| {
            if job != 0 {
                return None;
            }
            let pool = handle.get().unwrap().upgrade().unwrap();
            let results = pool.results().unwrap();
            Some(pollster::block_on(async {
                let waited = pool.wait_async().await;
                pool.submit_async(1).await.unwrap(); // fills the queue of 1
                let full = pool.submit_async(2).await.err();
                let none = results.recv_async().await.is_none();
                (waited, full, none)
            }))
        })
        .unwrap();
    let pool = Arc::new(pool);
    let _ = own.set(Arc::downgrade(&pool));
    let results = pool.results().unwrap();
    pool.submit(0).unwrap();
    let first = results.recv_timeout(DEADLINE).unwrap();
    assert_eq!(first.job_id, 1);
    let (waited, full, none) = first.outcome.unwrap().unwrap();
    assert_eq!(waited, Err(WaitError::WouldDeadlock));
    assert_eq!(full, Some(SubmitError::Full(2)));
    assert!(none);
    pool.close();
    assert_eq!(results.count(), 1); // job 1
    // Both handlers are over (the stream ended): this is the last handle.
    assert_eq!(Arc::strong_count(&pool), 1);
}

/// Many tasks submit, one drains with `recv_async`, some wait with
/// `wait_async`, blocking submitters share the queue: every job once.
#[test]
fn tokio_stress_many_tasks_mixed_with_threads() {
    on_tokio(|| async {
        let per_task = scaled(2_000);
        let tasks = 32;
        let threads = 2;
        let total = (tasks + threads) * per_task;
        let pool = Arc::new(Pool::new(2, 4, |_, job: usize| job).unwrap());
        let results = pool.results().unwrap();
        let collector = tokio::spawn(async move {
            let mut seen = vec![0u8; total];
            let mut stream = results.into_stream();
            while let Some(r) = next(&mut stream).await {
                seen[r.outcome.unwrap()] += 1;
            }
            seen
        });
        let blocking: Vec<_> = (0..threads)
            .map(|t| {
                let pool = Arc::clone(&pool);
                std::thread::spawn(move || {
                    for i in 0..per_task {
                        pool.submit((tasks + t) * per_task + i).unwrap();
                    }
                })
            })
            .collect();
        let mut handles = Vec::new();
        for task in 0..tasks {
            let pool = Arc::clone(&pool);
            handles.push(tokio::spawn(async move {
                let mut ids: Vec<JobId> = Vec::with_capacity(per_task);
                for i in 0..per_task {
                    ids.push(pool.submit_async(task * per_task + i).await.unwrap());
                    if i % 500 == 0 {
                        pool.wait_async().await.unwrap();
                    }
                }
                ids
            }));
        }
        for handle in handles {
            assert_eq!(handle.await.unwrap().len(), per_task);
        }
        for thread in blocking {
            thread.join().unwrap();
        }
        pool.close();
        let seen = collector.await.unwrap();
        assert!(seen.iter().all(|&n| n == 1), "every job exactly once");
    });
}

/// The same with pollster: one OS thread per submitting future.
#[test]
fn pollster_stress_threads_submitting_async() {
    let per_thread = scaled(5_000);
    let threads = 4;
    let pool = Arc::new(Pool::new(2, 2, |_, job: usize| job).unwrap());
    let results = pool.results().unwrap();
    let total = threads * per_thread;
    let drain = std::thread::spawn(move || {
        pollster::block_on(async {
            let mut seen = vec![0u8; total];
            while let Some(r) = results.recv_async().await {
                seen[r.outcome.unwrap()] += 1;
            }
            seen
        })
    });
    let submitters: Vec<_> = (0..threads)
        .map(|t| {
            let pool = Arc::clone(&pool);
            std::thread::spawn(move || {
                pollster::block_on(async {
                    for i in 0..per_thread {
                        pool.submit_async(t * per_thread + i).await.unwrap();
                    }
                })
            })
        })
        .collect();
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        for s in submitters {
            s.join().unwrap();
        }
        pool.close();
        let _ = done.send(drain.join().unwrap());
    });
    let seen = finished
        .recv_timeout(DEADLINE)
        .expect("hung: the deadline passed");
    assert!(seen.iter().all(|&n| n == 1), "every job exactly once");
}
