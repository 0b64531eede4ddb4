//! A/B of the std pool, old (main before the restructure) and new, in one
//! process, interleaved rounds: tiny jobs (job * 2), 2 workers, queue 1024,
//! a drainer thread receiving every result. Prints per-round jobs/s and the
//! median of per-round new/old ratios.
use std::time::Instant;

const JOBS: u64 = 200_000;

macro_rules! run {
    ($krate:ident) => {{
        let pool = $krate::Pool::builder()
            .workers(2)
            .queue_capacity(1024)
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

fn main() {
    let rounds: usize = std::env::args().nth(1).map_or(15, |a| a.parse().unwrap());
    // Warm-up of both.
    let _ = (run!(old), run!(new));
    let mut ratios = Vec::new();
    let (mut olds, mut news) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let (o, n) = if round % 2 == 0 {
            let o = run!(old);
            (o, run!(new))
        } else {
            let n = run!(new);
            (run!(old), n)
        };
        println!("round {round:2}: old {:>10.0} jobs/s  new {:>10.0} jobs/s  new/old {:.3}", o, n, n / o);
        ratios.push(n / o);
        olds.push(o);
        news.push(n);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[v.len() / 2]
    };
    println!(
        "median old {:.0} jobs/s, median new {:.0} jobs/s, median of per-round new/old {:.3}",
        median(&mut olds),
        median(&mut news),
        median(&mut ratios)
    );
}
