//! A/B of the std pool before (old) and after (new) the async face, in one
//! process, interleaved rounds (alternating which goes first): tiny jobs
//! (job * 2), 2 workers, blocking submits from the main thread, a drainer
//! thread receiving every result with blocking `recv`. No async waiter is
//! ever registered: this measures what the waker list costs the sync hot
//! path. Two queue sizes: 1024 (notifies mostly find nobody parked) and 16
//! (submitters, workers and the drainer park often, so notifies find
//! thread waiters and take the event's slow path, where the new code adds
//! one load of the waker count). Prints per-round jobs/s and the median of
//! per-round new/old ratios for each.
use std::time::Instant;

const JOBS: u64 = 200_000;

macro_rules! run {
    ($krate:ident, $queue:expr) => {{
        let pool = $krate::Pool::builder()
            .workers(2)
            .queue_capacity($queue)
            .job_timing(false)
            .build(|_, job: u64| job * 2)
            .unwrap();
        let results = pool.results().unwrap();
        let drainer = std::thread::spawn(move || {
            let mut sum = 0u64;
            for _ in 0..JOBS {
                sum = sum.wrapping_add(results.recv().unwrap().outcome.unwrap());
            }
            sum
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
    }};
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let rounds: usize = std::env::args().nth(1).map_or(15, |a| a.parse().unwrap());
    for queue in [1024usize, 16] {
        // Warm-up of both.
        let _ = (run!(old, queue), run!(new, queue));
        let (mut olds, mut news, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..rounds {
            let (o, n) = if round % 2 == 0 {
                let o = run!(old, queue);
                (o, run!(new, queue))
            } else {
                let n = run!(new, queue);
                (run!(old, queue), n)
            };
            println!(
                "queue {queue:4} round {round:2}: old {o:>10.0} jobs/s  new {n:>10.0} jobs/s  new/old {:.3}",
                n / o
            );
            olds.push(o);
            news.push(n);
            ratios.push(n / o);
        }
        println!(
            "queue {queue}: median old {:.0} jobs/s, median new {:.0} jobs/s, median of per-round new/old {:.3} (min {:.3}, max {:.3})",
            median(&mut olds),
            median(&mut news),
            median(&mut ratios),
            ratios.first().unwrap(),
            ratios.last().unwrap()
        );
    }
}
