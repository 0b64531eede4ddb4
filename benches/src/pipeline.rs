//! The pool bound rows: the tiny-job pipeline of the pool rows (one
//! submitter, `workers` threads, one drainer) over two bare queues, with no
//! pool around it.
//!
//! [`SpinPipeline<Q>`] is not a pool: its threads never park (an idle worker
//! spins and yields, burning a core), it counts nothing, catches no panic,
//! has no close, metrics or results beyond the value. It is what a pool
//! built on `Q` could reach at best, so it separates the cost of the queues
//! from the cost of the pool's own protocol:
//!
//! * over `ArrayQueue` (Vyukov's queue, not lock-free) it bounds a pool built
//!   on the fastest bounded queue measured here;
//! * over ringpool's `Ring` it bounds any pool that moves jobs and results
//!   through ringpool's lock-free ring, ringpool's own pool included.
//!
//! [`LanePipeline`] is the same with results through one wait-free SPSC
//! ring per worker ([`rtrb`]) instead of a shared queue: the bound of a pool
//! whose jobs cross ringpool's ring and whose results take per-worker lanes.

use crate::pools::{Drain, PoolPeer, Work};
use crate::queues::{ArrayQueue, BenchQueue, RingpoolRing};
use std::hint::spin_loop;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};

/// A queue the pipeline can run on, with its row's name.
pub trait PipelineQueue: BenchQueue + Send + 'static {
    /// The bound row's name.
    const PIPELINE: &'static str;
}

impl PipelineQueue for ArrayQueue {
    const PIPELINE: &'static str = "bound: ArrayQueue pipeline, spinning";
}

impl PipelineQueue for RingpoolRing {
    const PIPELINE: &'static str = "bound: ringpool Ring pipeline, spinning";
}

/// Spin a few times, then yield: every wait of the pipeline.
#[inline]
fn pause(attempts: &mut u32) {
    if *attempts < 8 {
        spin_loop();
    } else {
        thread::yield_now();
    }
    *attempts = attempts.saturating_add(1);
}

/// Pushes `item`, waiting while `queue` is full.
#[inline]
fn push_waiting<Q: BenchQueue>(queue: &Q, mut item: u64) {
    let mut attempts = 0;
    while let Err(back) = queue.try_push(item) {
        item = back;
        pause(&mut attempts);
    }
}

/// The submitting side and the workers of a pipeline: jobs through `Q`,
/// each result handed to a per-worker `deliver`.
struct Crew<Q> {
    jobs: Arc<Q>,
    stop: Arc<AtomicBool>,
    workers: Vec<JoinHandle<()>>,
}

impl<Q: BenchQueue + Send + 'static> Crew<Q> {
    /// Starts one thread per `deliver`, each running jobs from a fresh `Q`
    /// and handing their values to its `deliver`, spinning while the queue
    /// is empty, until [`Crew::finish`].
    fn start<D: FnMut(u64) + Send + 'static>(work: Work, delivers: Vec<D>) -> Self {
        let jobs: Arc<Q> = Arc::from(Q::boxed());
        let stop = Arc::new(AtomicBool::new(false));
        let workers = delivers
            .into_iter()
            .map(|mut deliver| {
                let (jobs, stop) = (jobs.clone(), stop.clone());
                thread::spawn(move || {
                    let mut attempts = 0;
                    loop {
                        if let Some(job) = jobs.try_pop() {
                            attempts = 0;
                            deliver(work.apply(job));
                        } else if stop.load(Ordering::Acquire) {
                            return;
                        } else {
                            pause(&mut attempts);
                        }
                    }
                })
            })
            .collect();
        Self {
            jobs,
            stop,
            workers,
        }
    }

    #[inline]
    fn submit(&self, job: u64) {
        push_waiting(&*self.jobs, job);
    }

    fn finish(self) {
        self.stop.store(true, Ordering::Release);
        for worker in self.workers {
            worker.join().expect("pipeline worker panicked");
        }
    }
}

/// Jobs and results through two `Q`s; see the module docs.
pub struct SpinPipeline<Q>(Crew<Q>);

/// The pipeline's result queue.
pub struct SpinDrain<Q>(Arc<Q>);

impl<Q: PipelineQueue> Drain for SpinDrain<Q> {
    #[inline]
    fn recv(&mut self) -> u64 {
        let mut attempts = 0;
        loop {
            if let Some(value) = self.0.try_pop() {
                return value;
            }
            pause(&mut attempts);
        }
    }
}

impl<Q: PipelineQueue> PoolPeer for SpinPipeline<Q> {
    const NAME: &'static str = Q::PIPELINE;
    type Drain = SpinDrain<Q>;
    fn start(workers: usize, work: Work) -> (Self, SpinDrain<Q>) {
        let results: Arc<Q> = Arc::from(Q::boxed());
        let delivers = (0..workers)
            .map(|_| {
                let results = results.clone();
                move |value| push_waiting(&*results, value)
            })
            .collect();
        (Self(Crew::start(work, delivers)), SpinDrain(results))
    }
    #[inline]
    fn submit(&self, job: u64) {
        self.0.submit(job);
    }
    fn finish(self) {
        self.0.finish();
    }
}

/// Jobs through ringpool's `Ring`, results through one SPSC lane per
/// worker, drained round-robin; see the module docs.
pub struct LanePipeline(Crew<RingpoolRing>);

/// The lanes' consumer ends and the round-robin cursor.
pub struct LaneDrain {
    lanes: Vec<rtrb::Consumer<u64>>,
    next: usize,
}

impl Drain for LaneDrain {
    #[inline]
    fn recv(&mut self) -> u64 {
        let mut attempts = 0;
        loop {
            for _ in 0..self.lanes.len() {
                self.next = (self.next + 1) % self.lanes.len();
                if let Ok(value) = self.lanes[self.next].pop() {
                    return value;
                }
            }
            pause(&mut attempts);
        }
    }
}

impl PoolPeer for LanePipeline {
    const NAME: &'static str = "bound: ringpool Ring jobs, per-worker SPSC results, spinning";
    type Drain = LaneDrain;
    fn start(workers: usize, work: Work) -> (Self, LaneDrain) {
        let (producers, lanes): (Vec<_>, Vec<_>) = (0..workers)
            .map(|_| rtrb::RingBuffer::new(crate::queues::CAPACITY))
            .unzip();
        let delivers = producers
            .into_iter()
            .map(|mut lane| {
                move |mut value| {
                    let mut waits = 0;
                    while let Err(rtrb::PushError::Full(back)) = lane.push(value) {
                        value = back;
                        pause(&mut waits);
                    }
                }
            })
            .collect();
        (
            Self(Crew::start(work, delivers)),
            LaneDrain { lanes, next: 0 },
        )
    }
    #[inline]
    fn submit(&self, job: u64) {
        self.0.submit(job);
    }
    fn finish(self) {
        self.0.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pools::throughput;

    #[test]
    fn every_pipeline_delivers_every_result() {
        // `throughput` checks the sum of the results.
        throughput::<SpinPipeline<ArrayQueue>>(2, 100, 5_000, Work::Tiny, &|| {}, &|| {});
        throughput::<SpinPipeline<RingpoolRing>>(2, 100, 5_000, Work::Tiny, &|| {}, &|| {});
        throughput::<LanePipeline>(2, 100, 5_000, Work::Tiny, &|| {}, &|| {});
    }
}
