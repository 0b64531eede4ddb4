//! What the async face costs against the blocking calls, same pool, same
//! process, interleaved rounds: tiny jobs (job * 2), 2 workers, 200 000
//! jobs per round.
//!
//! * sync: the main thread `submit`s, a drainer thread `recv`s.
//! * async: on a tokio multi-thread runtime with 2 worker threads, one task
//!   `submit_async`s, another `recv_async`s (each parks its task, not its
//!   thread, on a full queue or an empty result ring).
//!
//! Queues of 1024 and 16. Prints the median jobs/s of each and the median
//! of per-round async/sync ratios.
use std::sync::Arc;
use std::time::Instant;

const JOBS: u64 = 200_000;

fn pool(queue: usize) -> new::Pool<u64, u64> {
    new::Pool::builder()
        .workers(2)
        .queue_capacity(queue)
        .job_timing(false)
        .build(|_, job: u64| job * 2)
        .unwrap()
}

fn sync_round(queue: usize) -> f64 {
    let pool = pool(queue);
    let results = pool.results().unwrap();
    let drainer = std::thread::spawn(move || {
        (0..JOBS).fold(0u64, |sum, _| sum.wrapping_add(results.recv().unwrap().outcome.unwrap()))
    });
    let t0 = Instant::now();
    for job in 0..JOBS {
        pool.submit(job).unwrap();
    }
    let sum = drainer.join().unwrap();
    let secs = t0.elapsed().as_secs_f64();
    assert_eq!(sum, JOBS * (JOBS - 1));
    pool.shutdown();
    JOBS as f64 / secs
}

fn async_round(runtime: &tokio::runtime::Runtime, queue: usize) -> f64 {
    let pool = Arc::new(pool(queue));
    let results = pool.results().unwrap();
    let t0 = Instant::now();
    let sum = runtime.block_on(async {
        let drainer = tokio::spawn(async move {
            let mut sum = 0u64;
            for _ in 0..JOBS {
                sum = sum.wrapping_add(results.recv_async().await.unwrap().outcome.unwrap());
            }
            sum
        });
        let submitter = {
            let pool = Arc::clone(&pool);
            tokio::spawn(async move {
                for job in 0..JOBS {
                    pool.submit_async(job).await.unwrap();
                }
            })
        };
        submitter.await.unwrap();
        drainer.await.unwrap()
    });
    let secs = t0.elapsed().as_secs_f64();
    assert_eq!(sum, JOBS * (JOBS - 1));
    JOBS as f64 / secs
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let rounds: usize = std::env::args().nth(1).map_or(15, |a| a.parse().unwrap());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    for queue in [1024usize, 16] {
        let _ = (sync_round(queue), async_round(&runtime, queue));
        let (mut syncs, mut asyncs, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..rounds {
            let (s, a) = if round % 2 == 0 {
                let s = sync_round(queue);
                (s, async_round(&runtime, queue))
            } else {
                let a = async_round(&runtime, queue);
                (sync_round(queue), a)
            };
            syncs.push(s);
            asyncs.push(a);
            ratios.push(a / s);
        }
        println!(
            "queue {queue}: median sync {:.0} jobs/s, median async {:.0} jobs/s, median of per-round async/sync {:.3}",
            median(&mut syncs),
            median(&mut asyncs),
            median(&mut ratios)
        );
    }
}
