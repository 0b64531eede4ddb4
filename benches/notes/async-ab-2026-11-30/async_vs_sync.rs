//! What the async face costs against the blocking calls, same pool, same
//! process, interleaved rounds: tiny jobs (job * 2; `JOB_NS=n` makes each
//! spin n ns first), 2 workers, 200 000 jobs per round (`JOBS=n`).
//!
//! * sync: the main thread `submit`s, a drainer thread `recv`s.
//! * async: on a tokio multi-thread runtime with 2 worker threads, one task
//!   `submit_async`s, another `recv_async`s (each parks its task, not its
//!   thread, on a full queue or an empty result ring).
//!
//! * async without yields: the same with `spin_before_park(0)`. At commit
//!   58e5073 a future that found nothing first yielded to its executor up
//!   to `spin_before_park` times before registering its waker, so this
//!   column measured registering at once against yielding first; from the
//!   next commit on (yields removed) the futures ignore the setting and this
//!   column differs only in the pool's own threads not spinning.
//!
//! Queues of 1024 and 16. Prints the median jobs/s of each and the medians
//! of per-round ratios.
use std::sync::Arc;
use std::time::Instant;

/// Jobs per round: `JOBS` in the environment, else 200 000.
fn jobs() -> u64 {
    std::env::var("JOBS").map_or(200_000, |v| v.parse().unwrap())
}

/// Nanoseconds each job spins: `JOB_NS` in the environment, else 0.
fn job_ns() -> u64 {
    std::env::var("JOB_NS").map_or(0, |v| v.parse().unwrap())
}

fn pool(queue: usize, spin: u32) -> new::Pool<u64, u64> {
    let spin_ns = job_ns();
    new::Pool::builder()
        .workers(2)
        .queue_capacity(queue)
        .spin_before_park(spin)
        .job_timing(false)
        .build(move |_, job: u64| {
            if spin_ns > 0 {
                let t = Instant::now();
                while t.elapsed().as_nanos() < u128::from(spin_ns) {
                    std::hint::spin_loop();
                }
            }
            job * 2
        })
        .unwrap()
}

fn sync_round(queue: usize) -> f64 {
    let jobs = jobs();
    let pool = pool(queue, 32);
    let results = pool.results().unwrap();
    let drainer = std::thread::spawn(move || {
        (0..jobs).fold(0u64, |sum, _| {
            sum.wrapping_add(results.recv().unwrap().outcome.unwrap())
        })
    });
    let t0 = Instant::now();
    for job in 0..jobs {
        pool.submit(job).unwrap();
    }
    let sum = drainer.join().unwrap();
    let secs = t0.elapsed().as_secs_f64();
    assert_eq!(sum, jobs * (jobs - 1));
    pool.shutdown();
    jobs as f64 / secs
}

fn async_round(runtime: &tokio::runtime::Runtime, queue: usize, spin: u32) -> f64 {
    let jobs = jobs();
    let pool = Arc::new(pool(queue, spin));
    let results = pool.results().unwrap();
    let t0 = Instant::now();
    let sum = runtime.block_on(async {
        let drainer = tokio::spawn(async move {
            let mut sum = 0u64;
            for _ in 0..jobs {
                sum = sum.wrapping_add(results.recv_async().await.unwrap().outcome.unwrap());
            }
            sum
        });
        let submitter = {
            let pool = Arc::clone(&pool);
            tokio::spawn(async move {
                for job in 0..jobs {
                    pool.submit_async(job).await.unwrap();
                }
            })
        };
        submitter.await.unwrap();
        drainer.await.unwrap()
    });
    let secs = t0.elapsed().as_secs_f64();
    assert_eq!(sum, jobs * (jobs - 1));
    jobs as f64 / secs
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
        let _ = (sync_round(queue), async_round(&runtime, queue, 32));
        let (mut syncs, mut asyncs, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        let (mut nospins, mut nospin_ratios) = (Vec::new(), Vec::new());
        for round in 0..rounds {
            // Rotate the order of the three.
            let mut order = [0, 1, 2];
            order.rotate_left(round % 3);
            let mut got = [0.0; 3];
            for which in order {
                got[which] = match which {
                    0 => sync_round(queue),
                    1 => async_round(&runtime, queue, 32),
                    _ => async_round(&runtime, queue, 0),
                };
            }
            let [s, a, z] = got;
            syncs.push(s);
            asyncs.push(a);
            nospins.push(z);
            ratios.push(a / s);
            nospin_ratios.push(a / z);
        }
        println!(
            "queue {queue}: median sync {:.0} jobs/s, async {:.0} jobs/s, async without yields (spin_before_park 0) {:.0} jobs/s; medians of per-round ratios: async/sync {:.3}, async/async-without-yields {:.3}",
            median(&mut syncs),
            median(&mut asyncs),
            median(&mut nospins),
            median(&mut ratios),
            median(&mut nospin_ratios)
        );
    }
}
