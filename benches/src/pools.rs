//! The pool rows: every worker pool under test behind [`PoolPeer`], the job
//! handlers ([`Work`]) and the drivers that time them.
//!
//! Every pool gets the same job (`u64`) and handler ([`Work::apply`], which
//! returns `job * 2`, after a calibrated spin for CPU-bound jobs) and hands
//! the result back to a *drainer* through whatever its users would use:
//! ringpool its own results stream; the Go-style pool a crossbeam-channel
//! bounded results channel; the Rust-book pool, `threadpool` and rayon a std
//! mpsc channel whose sender the job closure carries (rayon's scoped spawns
//! borrow one sender; the others clone it per job, as their users do).
//!
//! * [`throughput`]: a drainer thread receives every result while the
//!   calling thread submits `jobs` jobs after a warm-up; timed from the first
//!   submit after the warm-up until the drainer has received the last result.
//!   Pool construction and shutdown are outside the timed part. The sum of
//!   the results is checked.
//! * [`latency`]: one job at a time into an idle pool (a pause of `gap`
//!   before each, so idle workers have gone to sleep); submit to result
//!   received, per job.
//! * [`idle_cpu`]: the process's CPU time (`getrusage`) while a started pool
//!   sits idle.

use std::convert::Infallible;
use std::hint::black_box;
use std::ops::Range;
use std::sync::{Arc, Barrier, Mutex, mpsc};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// Job and result channel capacity of every bounded pool.
pub const QUEUE_CAPACITY: usize = 128;

/// What a job does before returning `job * 2`.
#[derive(Clone, Copy, Debug)]
pub enum Work {
    /// Nothing: the tiny job.
    Tiny,
    /// A spin of this many iterations (see [`calibrate_spin`]).
    Spin(u64),
}

impl Work {
    /// The handler every pool runs.
    #[inline]
    pub fn apply(self, job: u64) -> u64 {
        match self {
            Work::Tiny => job * 2,
            Work::Spin(iters) => {
                black_box(spin(iters));
                job * 2
            }
        }
    }
}

/// A CPU-bound loop of `iters` dependent multiply-adds.
#[inline(never)]
pub fn spin(iters: u64) -> u64 {
    let mut x = 1u64;
    for i in 0..iters {
        x = black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(i));
    }
    x
}

/// Iterations of [`spin`] that take `target` on this thread: after 50 ms of
/// spinning (so the core has left any idle or low-frequency state), the
/// fastest of nine timed runs (the least disturbed by other load) sets the
/// rate.
pub fn calibrate_spin(target: Duration) -> u64 {
    const PROBE: u64 = 1_000_000;
    let warm = Instant::now();
    while warm.elapsed() < Duration::from_millis(50) {
        black_box(spin(black_box(10_000)));
    }
    let best = (0..9)
        .map(|_| {
            let t0 = Instant::now();
            black_box(spin(black_box(PROBE)));
            t0.elapsed()
        })
        .min()
        .expect("nine probes");
    let per_iter = best.as_secs_f64() / PROBE as f64;
    ((target.as_secs_f64() / per_iter).round() as u64).max(1)
}

/// The receiving end of a pool's results.
pub trait Drain: Send {
    /// The next result, blocking.
    fn recv(&mut self) -> u64;
}

/// A pool under test.
pub trait PoolPeer: Sized {
    /// The row's name.
    const NAME: &'static str;
    /// Where its results arrive.
    type Drain: Drain;
    /// A started pool of `workers` threads running `work`.
    fn start(workers: usize, work: Work) -> (Self, Self::Drain);
    /// Submits one job, blocking while a bounded queue is full.
    fn submit(&self, job: u64);
    /// Submits every job of `jobs` (rayon overrides it with a scope).
    fn submit_all(&self, jobs: Range<u64>) {
        for job in jobs {
            self.submit(job);
        }
    }
    /// Closes the pool and joins its threads (every result was drained).
    fn finish(self);
}

/// ringpool: `Pool::builder().workers(n).queue_capacity(128)`, per-job timing
/// off (no peer reads a clock per job), results through its stream.
pub struct Ringpool(ringpool::Pool<u64, u64, Infallible>);

/// ringpool's results stream.
pub struct RingpoolDrain(ringpool::Results<u64, u64, Infallible>);

impl Drain for RingpoolDrain {
    #[inline]
    fn recv(&mut self) -> u64 {
        match self.0.recv().expect("ringpool results ended early").outcome {
            Ok(value) => value,
            Err(e) => panic!("ringpool job failed: {e:?}"),
        }
    }
}

impl PoolPeer for Ringpool {
    const NAME: &'static str = "ringpool";
    type Drain = RingpoolDrain;
    fn start(workers: usize, work: Work) -> (Self, RingpoolDrain) {
        let pool = ringpool::Pool::builder()
            .workers(workers)
            .queue_capacity(QUEUE_CAPACITY)
            .job_timing(false)
            .build(move |_, job: u64| work.apply(job))
            .expect("ringpool builds");
        let results = pool.results().expect("results taken once");
        (Self(pool), RingpoolDrain(results))
    }
    #[inline]
    fn submit(&self, job: u64) {
        self.0.submit(job).expect("ringpool accepts jobs");
    }
    fn finish(self) {
        self.0.close();
        self.0.shutdown();
    }
}

/// ringpool started as [`Ringpool`], with `configure` applied to its builder.
fn ringpool_with(
    workers: usize,
    work: Work,
    configure: fn(ringpool::Builder) -> ringpool::Builder,
) -> (ringpool::Pool<u64, u64, Infallible>, RingpoolDrain) {
    let builder = ringpool::Pool::builder()
        .workers(workers)
        .queue_capacity(QUEUE_CAPACITY)
        .job_timing(false);
    let pool = configure(builder)
        .build(move |_, job: u64| work.apply(job))
        .expect("ringpool builds");
    let results = pool.results().expect("results taken once");
    (pool, RingpoolDrain(results))
}

/// ringpool as [`Ringpool`] with the helping wait on
/// (`Builder::helping(true)`): a blocked submitter or drainer runs queued
/// jobs as a parked worker.
pub struct RingpoolHelping(ringpool::Pool<u64, u64, Infallible>);

impl PoolPeer for RingpoolHelping {
    const NAME: &'static str = "ringpool (helping)";
    type Drain = RingpoolDrain;
    fn start(workers: usize, work: Work) -> (Self, RingpoolDrain) {
        let (pool, drain) = ringpool_with(workers, work, |b| b.helping(true));
        (Self(pool), drain)
    }
    #[inline]
    fn submit(&self, job: u64) {
        self.0.submit(job).expect("ringpool accepts jobs");
    }
    fn finish(self) {
        self.0.close();
        self.0.shutdown();
    }
}

/// ringpool as [`Ringpool`] with `Builder::take_batch(4)`: a worker that
/// finds the queue deep takes its share, up to 4 jobs, at once.
pub struct RingpoolTakeBatch(ringpool::Pool<u64, u64, Infallible>);

impl PoolPeer for RingpoolTakeBatch {
    const NAME: &'static str = "ringpool (take_batch 4)";
    type Drain = RingpoolDrain;
    fn start(workers: usize, work: Work) -> (Self, RingpoolDrain) {
        let (pool, drain) = ringpool_with(workers, work, |b| b.take_batch(4));
        (Self(pool), drain)
    }
    #[inline]
    fn submit(&self, job: u64) {
        self.0.submit(job).expect("ringpool accepts jobs");
    }
    fn finish(self) {
        self.0.close();
        self.0.shutdown();
    }
}

/// The Go pattern with crossbeam-channel: `workers` threads read a bounded
/// job channel and write a bounded results channel.
pub struct GoStyleCrossbeam {
    jobs: Option<crossbeam_channel::Sender<u64>>,
    workers: Vec<JoinHandle<()>>,
}

/// The Go-style pool's results channel.
pub struct CrossbeamDrain(crossbeam_channel::Receiver<u64>);

impl Drain for CrossbeamDrain {
    #[inline]
    fn recv(&mut self) -> u64 {
        self.0.recv().expect("results channel closed early")
    }
}

impl PoolPeer for GoStyleCrossbeam {
    const NAME: &'static str = "Go-style crossbeam-channel";
    type Drain = CrossbeamDrain;
    fn start(workers: usize, work: Work) -> (Self, CrossbeamDrain) {
        let (job_tx, job_rx) = crossbeam_channel::bounded::<u64>(QUEUE_CAPACITY);
        let (res_tx, res_rx) = crossbeam_channel::bounded::<u64>(QUEUE_CAPACITY);
        let workers = (0..workers)
            .map(|_| {
                let job_rx = job_rx.clone();
                let res_tx = res_tx.clone();
                thread::spawn(move || {
                    for job in job_rx {
                        if res_tx.send(work.apply(job)).is_err() {
                            break;
                        }
                    }
                })
            })
            .collect();
        (
            Self {
                jobs: Some(job_tx),
                workers,
            },
            CrossbeamDrain(res_rx),
        )
    }
    #[inline]
    fn submit(&self, job: u64) {
        self.jobs
            .as_ref()
            .expect("open")
            .send(job)
            .expect("workers alive");
    }
    fn finish(mut self) {
        self.jobs = None;
        for w in self.workers.drain(..) {
            w.join().expect("worker panicked");
        }
    }
}

/// A std mpsc results channel (the Rust-book pool, `threadpool`, rayon).
pub struct MpscDrain(mpsc::Receiver<u64>);

impl Drain for MpscDrain {
    #[inline]
    fn recv(&mut self) -> u64 {
        self.0.recv().expect("results channel closed early")
    }
}

type BookJob = Box<dyn FnOnce() + Send + 'static>;

/// The Rust book's final-chapter pool: boxed closures over an unbounded std
/// mpsc channel whose receiver the workers share behind a `Mutex`.
pub struct RustBook {
    sender: Option<mpsc::Sender<BookJob>>,
    workers: Vec<JoinHandle<()>>,
    results: mpsc::Sender<u64>,
    work: Work,
}

impl PoolPeer for RustBook {
    const NAME: &'static str = "Rust-book std mpsc";
    type Drain = MpscDrain;
    fn start(workers: usize, work: Work) -> (Self, MpscDrain) {
        let (sender, receiver) = mpsc::channel::<BookJob>();
        let receiver = Arc::new(Mutex::new(receiver));
        let workers = (0..workers)
            .map(|_| {
                let receiver = Arc::clone(&receiver);
                thread::spawn(move || {
                    loop {
                        let message = receiver.lock().expect("not poisoned").recv();
                        match message {
                            Ok(job) => job(),
                            Err(_) => break,
                        }
                    }
                })
            })
            .collect();
        let (results, rx) = mpsc::channel();
        (
            Self {
                sender: Some(sender),
                workers,
                results,
                work,
            },
            MpscDrain(rx),
        )
    }
    #[inline]
    fn submit(&self, job: u64) {
        let results = self.results.clone();
        let work = self.work;
        self.sender
            .as_ref()
            .expect("open")
            .send(Box::new(move || {
                let _ = results.send(work.apply(job));
            }))
            .expect("workers alive");
    }
    fn finish(mut self) {
        self.sender = None;
        for w in self.workers.drain(..) {
            w.join().expect("worker panicked");
        }
    }
}

/// The `threadpool` crate: `execute` of a closure that sends the result.
pub struct ThreadPoolCrate {
    pool: threadpool::ThreadPool,
    results: mpsc::Sender<u64>,
    work: Work,
}

impl PoolPeer for ThreadPoolCrate {
    const NAME: &'static str = "threadpool";
    type Drain = MpscDrain;
    fn start(workers: usize, work: Work) -> (Self, MpscDrain) {
        let (results, rx) = mpsc::channel();
        (
            Self {
                pool: threadpool::ThreadPool::new(workers),
                results,
                work,
            },
            MpscDrain(rx),
        )
    }
    #[inline]
    fn submit(&self, job: u64) {
        let results = self.results.clone();
        let work = self.work;
        self.pool.execute(move || {
            let _ = results.send(work.apply(job));
        });
    }
    fn finish(self) {
        self.pool.join();
    }
}

/// rayon: a `ThreadPool` of `workers` threads; batches go through
/// `in_place_scope` + `Scope::spawn` (the scope borrows one results sender),
/// single jobs through `ThreadPool::spawn`.
pub struct Rayon {
    pool: rayon::ThreadPool,
    results: mpsc::Sender<u64>,
    work: Work,
}

impl PoolPeer for Rayon {
    const NAME: &'static str = "rayon scope/spawn";
    type Drain = MpscDrain;
    fn start(workers: usize, work: Work) -> (Self, MpscDrain) {
        let (results, rx) = mpsc::channel();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(workers)
            .build()
            .expect("rayon pool builds");
        (
            Self {
                pool,
                results,
                work,
            },
            MpscDrain(rx),
        )
    }
    fn submit(&self, job: u64) {
        let results = self.results.clone();
        let work = self.work;
        self.pool.spawn(move || {
            let _ = results.send(work.apply(job));
        });
    }
    fn submit_all(&self, jobs: Range<u64>) {
        let results = &self.results;
        let work = self.work;
        self.pool.in_place_scope(|s| {
            for job in jobs {
                s.spawn(move |_| {
                    let _ = results.send(work.apply(job));
                });
            }
        });
    }
    fn finish(self) {}
}

/// Sum of `2 * j` over `0..n`.
fn expected_sum(n: u64) -> u64 {
    (0..n).fold(0u64, |acc, j| acc.wrapping_add(j * 2))
}

/// Starts a `P` of `workers`, pushes `warmup` jobs through it, then times
/// `jobs` more, submitted by the calling thread and drained by another.
/// `mark_start` runs right before the timed part and `mark_end` right after
/// it (the report reads its allocation counter there). Returns the elapsed
/// time of the timed part.
pub fn throughput<P: PoolPeer>(
    workers: usize,
    warmup: u64,
    jobs: u64,
    work: Work,
    mark_start: &dyn Fn(),
    mark_end: &dyn Fn(),
) -> Duration {
    let (pool, mut drain) = P::start(workers, work);
    let warmed = Barrier::new(2);
    let total = warmup + jobs;
    let (elapsed, sum) = thread::scope(|s| {
        let warmed = &warmed;
        let drainer = s.spawn(move || {
            let mut sum = 0u64;
            for _ in 0..warmup {
                sum = sum.wrapping_add(drain.recv());
            }
            warmed.wait();
            for _ in warmup..total {
                sum = sum.wrapping_add(drain.recv());
            }
            sum
        });
        pool.submit_all(0..warmup);
        warmed.wait();
        mark_start();
        let t0 = Instant::now();
        pool.submit_all(warmup..total);
        let sum = drainer.join().expect("drainer panicked");
        let elapsed = t0.elapsed();
        mark_end();
        (elapsed, sum)
    });
    pool.finish();
    assert_eq!(sum, expected_sum(total), "{}: results lost", P::NAME);
    elapsed
}

/// How long a pool runs idle after its start before [`latency`] samples
/// it. A thread's first tens of milliseconds are not its steady state here:
/// on the 2-vCPU KVM machine of `BENCHMARKS.md`, hand-offs to freshly
/// started threads took 45-70 µs for about 30 ms and 5-7 µs after (every
/// pool alike; the kernel's per-thread load tracking, whose half-life is
/// 32 ms, is the likely cause; `benches/notes/latency-settle-2026-11-30.md`).
/// The idle-CPU figures settle the same way, and the Go design sleeps as
/// long before its samples (`benches/go`).
pub const LATENCY_SETTLE: Duration = Duration::from_millis(100);

/// Starts a `P` of `workers` tiny-job workers, lets it settle for
/// [`LATENCY_SETTLE`], then, `samples` times, pauses for `gap`, submits one
/// job and waits for its result; returns the submit-to-result times.
pub fn latency<P: PoolPeer>(workers: usize, samples: usize, gap: Duration) -> Vec<Duration> {
    let (pool, mut drain) = P::start(workers, Work::Tiny);
    thread::sleep(LATENCY_SETTLE);
    let mut out = Vec::with_capacity(samples);
    for job in 0..samples as u64 {
        thread::sleep(gap);
        let t0 = Instant::now();
        pool.submit(job);
        let value = drain.recv();
        out.push(t0.elapsed());
        assert_eq!(value, job * 2, "{}: wrong result", P::NAME);
    }
    pool.finish();
    out
}

/// CPU time (user + system) of this process so far.
pub fn process_cpu() -> Duration {
    // SAFETY: `getrusage` writes the struct we pass it, a valid, zeroed
    // `rusage` on our stack; RUSAGE_SELF is a valid `who`.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        let rc = libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        assert_eq!(rc, 0, "getrusage failed");
        usage
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// CPU time the whole process used while a started `P` of `workers` sat idle
/// for `idle` (after 100 ms to settle, during which it ran one job), and the
/// wall time of that idle period. The calling thread sleeps meanwhile.
pub fn idle_cpu<P: PoolPeer>(workers: usize, idle: Duration) -> (Duration, Duration) {
    let (pool, mut drain) = P::start(workers, Work::Tiny);
    pool.submit(1);
    assert_eq!(drain.recv(), 2);
    thread::sleep(Duration::from_millis(100));
    let c0 = process_cpu();
    let t0 = Instant::now();
    thread::sleep(idle);
    let cpu = process_cpu().saturating_sub(c0);
    let wall = t0.elapsed();
    pool.finish();
    (cpu, wall)
}
