//! A/B of issue 14's cost: the std pool before it (old) and after it (new),
//! in one process, interleaved rounds (alternating which goes first). A round
//! runs 200 000 tiny jobs (`job * 2`) through `workers(2).queue_capacity(1024)
//! .job_timing(false)`, submitted by the main thread while a drainer thread
//! receives every result. The A/B pair is old and new plain pools (one level,
//! no deadlines, not cancellable). After each pair the round also runs, on
//! the new tree: two priority levels (jobs at level 0), every job submitted
//! with a far deadline, and a cancellable pool: their cost relative to the
//! new plain pool of the same round.
use std::time::{Duration, Instant};

const JOBS: u64 = 200_000;

#[derive(Clone, Copy)]
enum Variant {
    Plain,
    Levels,
    Deadline,
    Cancellable,
}

macro_rules! run {
    ($krate:ident, $builder:expr, $submit:expr) => {{
        let pool = $builder.build(|_, job: u64| job * 2).unwrap();
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
            $submit(&pool, job);
        }
        let sum = drainer.join().unwrap();
        let secs = t0.elapsed().as_secs_f64();
        assert_eq!(sum, JOBS * (JOBS - 1));
        pool.shutdown();
        JOBS as f64 / secs
    }};
}

fn old() -> f64 {
    let builder = old::Pool::builder().workers(2).queue_capacity(1024).job_timing(false);
    run!(old, builder, |p: &old::Pool<u64, u64>, j| {
        p.submit(j).unwrap();
    })
}

fn new(variant: Variant) -> f64 {
    let builder = new::Pool::builder().workers(2).queue_capacity(1024).job_timing(false);
    match variant {
        Variant::Plain => run!(new, builder, |p: &new::Pool<u64, u64>, j| {
            p.submit(j).unwrap();
        }),
        Variant::Levels => run!(new, builder.priorities(2), |p: &new::Pool<u64, u64>, j| {
            p.submit(j).unwrap();
        }),
        Variant::Deadline => {
            let far = new::JobOptions::new().deadline(Instant::now() + Duration::from_secs(3600));
            run!(new, builder, |p: &new::Pool<u64, u64>, j| {
                p.submit_with_options(j, far).unwrap();
            })
        }
        Variant::Cancellable => run!(new, builder.cancellable(true), |p: &new::Pool<u64, u64>, j| {
            p.submit(j).unwrap();
        }),
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let rounds: usize = std::env::args().nth(1).map_or(15, |a| a.parse().unwrap());
    let _ = (old(), new(Variant::Plain)); // warm-up
    let (mut olds, mut news, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let mut extra: [Vec<f64>; 3] = Default::default();
    for round in 0..rounds {
        let (o, n) = if round % 2 == 0 {
            let o = old();
            (o, new(Variant::Plain))
        } else {
            let n = new(Variant::Plain);
            (old(), n)
        };
        let l = new(Variant::Levels);
        let d = new(Variant::Deadline);
        let c = new(Variant::Cancellable);
        println!(
            "round {round:2}: old {o:>10.0}  new {n:>10.0}  new/old {:.3} | levels/new {:.3}  deadline/new {:.3}  cancellable/new {:.3}",
            n / o,
            l / n,
            d / n,
            c / n
        );
        olds.push(o);
        news.push(n);
        ratios.push(n / o);
        extra[0].push(l / n);
        extra[1].push(d / n);
        extra[2].push(c / n);
    }
    println!(
        "median old {:.0} jobs/s, new {:.0} jobs/s; median per-round new/old {:.3}; \
         medians vs new plain: priorities(2) {:.3}, far deadline {:.3}, cancellable {:.3}",
        median(&mut olds),
        median(&mut news),
        median(&mut ratios),
        median(&mut extra[0]),
        median(&mut extra[1]),
        median(&mut extra[2]),
    );
}
