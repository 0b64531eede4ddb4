//! A/B of the std pool for issue 13's helping wait and lean per-job path:
//! two variants in one process, interleaved rounds (A then B in even
//! rounds, B then A in odd ones), medians of per-round B/A ratios.
//!
//! `help-ab MODE ROUNDS`, MODE one of:
//! * `help`: A = new tree, default settings; B = new tree, `helping(true)`;
//! * `lean`: A = old tree (setup.sh's commit); B = new tree, defaults;
//! * `batch`: A = new tree, defaults; B = new tree, `take_batch(4)`;
//! * `helpbatch`: A = new tree, defaults; B = new tree, helping + take_batch(4).
//!
//! Measures, each per round (the report's shapes, `benches/src/pools.rs`):
//! * tiny: 2 workers, queue 128, job timing off, `job * 2`; a drainer
//!   thread receives every result while the main thread submits 2 000
//!   warm-up jobs then 100 000 timed ones: jobs/s;
//! * sporadic: the same pool, one job at a time after a 200 µs pause,
//!   submit to result received: 40 samples per round, p50 per round and
//!   p50/p99 over all rounds' samples;
//! * idle: process CPU time (getrusage) over 300 ms of an idle started pool.
use std::time::{Duration, Instant};

const WARMUP: u64 = 2_000;
const JOBS: u64 = 100_000;
const SAMPLES: usize = 40;
const GAP: Duration = Duration::from_micros(200);
const IDLE: Duration = Duration::from_millis(300);

fn cpu() -> Duration {
    // SAFETY: getrusage writes the zeroed struct on our stack.
    let u = unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        assert_eq!(libc::getrusage(libc::RUSAGE_SELF, &mut u), 0);
        u
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(u.ru_utime) + tv(u.ru_stime)
}

struct Variant {
    tiny: fn() -> f64,
    sporadic: fn() -> Vec<Duration>,
    idle: fn() -> Duration,
}

macro_rules! variant {
    ($krate:ident, $configure:expr) => {{
        fn build() -> $krate::Pool<u64, u64> {
            let builder = $krate::Pool::builder()
                .workers(2)
                .queue_capacity(128)
                .job_timing(false);
            let configure: fn($krate::Builder) -> $krate::Builder = $configure;
            configure(builder).build(|_, job: u64| job * 2).unwrap()
        }
        fn tiny() -> f64 {
            let pool = build();
            let results = pool.results().unwrap();
            let total = WARMUP + JOBS;
            let drainer = std::thread::spawn(move || {
                let mut sum = 0u64;
                let mut t0 = None;
                for i in 0..total {
                    if i == WARMUP {
                        t0 = Some(Instant::now());
                    }
                    sum = sum.wrapping_add(results.recv().unwrap().outcome.unwrap());
                }
                (sum, t0.unwrap().elapsed())
            });
            for job in 0..total {
                pool.submit(job).unwrap();
            }
            let (sum, elapsed) = drainer.join().unwrap();
            assert_eq!(sum, total * (total - 1));
            pool.shutdown();
            JOBS as f64 / elapsed.as_secs_f64()
        }
        fn sporadic() -> Vec<Duration> {
            let pool = build();
            let results = pool.results().unwrap();
            let mut out = Vec::with_capacity(SAMPLES);
            for job in 0..SAMPLES as u64 {
                std::thread::sleep(GAP);
                let t0 = Instant::now();
                pool.submit(job).unwrap();
                let r = results.recv().unwrap();
                out.push(t0.elapsed());
                assert_eq!(r.outcome, Ok(job * 2));
            }
            pool.shutdown();
            out
        }
        fn idle() -> Duration {
            let pool = build();
            let results = pool.results().unwrap();
            pool.submit(1).unwrap();
            assert_eq!(results.recv().unwrap().outcome, Ok(2));
            std::thread::sleep(Duration::from_millis(100));
            let c0 = cpu();
            std::thread::sleep(IDLE);
            let used = cpu() - c0;
            pool.shutdown();
            used
        }
        Variant {
            tiny,
            sporadic,
            idle,
        }
    }};
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn pct(v: &[Duration], p: f64) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    v[((v.len() - 1) as f64 * p).round() as usize]
}

/// `help-ab count TREE HELPING JOBS`: one tiny-job run of `JOBS` (no
/// warm-up, timing ignored), for an instruction count under callgrind
/// (run it at two sizes: the difference ÷ the jobs is per job).
fn count(args: &[String]) {
    let (tree, helping, jobs) = (&args[2], args[3] == "1", args[4].parse::<u64>().unwrap());
    macro_rules! one {
        ($krate:ident) => {{
            let pool = $krate::Pool::builder()
                .workers(2)
                .queue_capacity(128)
                .job_timing(false)
                .build(|_, job: u64| job * 2)
                .unwrap();
            let results = pool.results().unwrap();
            let drainer = std::thread::spawn(move || {
                (0..jobs).fold(0u64, |s, _| s.wrapping_add(results.recv().unwrap().outcome.unwrap()))
            });
            for job in 0..jobs {
                pool.submit(job).unwrap();
            }
            assert_eq!(drainer.join().unwrap(), jobs * (jobs - 1));
            pool.shutdown();
        }};
    }
    match (tree.as_str(), helping) {
        ("old", _) => one!(old),
        ("new", false) => one!(new),
        _ => {
            let pool = new::Pool::builder()
                .workers(2)
                .queue_capacity(128)
                .job_timing(false)
                .helping(true)
                .build(|_, job: u64| job * 2)
                .unwrap();
            let results = pool.results().unwrap();
            let drainer = std::thread::spawn(move || {
                (0..jobs).fold(0u64, |s, _| s.wrapping_add(results.recv().unwrap().outcome.unwrap()))
            });
            for job in 0..jobs {
                pool.submit(job).unwrap();
            }
            assert_eq!(drainer.join().unwrap(), jobs * (jobs - 1));
            pool.shutdown();
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).is_some_and(|m| m == "count") {
        return count(&args);
    }
    let mode = std::env::args().nth(1).unwrap_or_else(|| "help".into());
    let rounds: usize = std::env::args().nth(2).map_or(9, |a| a.parse().unwrap());
    let (a, b) = match mode.as_str() {
        "help" => (variant!(new, |b| b), variant!(new, |b| b.helping(true))),
        "lean" => (variant!(old, |b| b), variant!(new, |b| b)),
        "batch" => (variant!(new, |b| b), variant!(new, |b| b.take_batch(4))),
        "helpbatch" => (
            variant!(new, |b| b),
            variant!(new, |b| b.helping(true).take_batch(4)),
        ),
        other => panic!("unknown mode {other}"),
    };
    let _ = ((a.tiny)(), (b.tiny)());
    let (mut ta, mut tb, mut tr) = (vec![], vec![], vec![]);
    let (mut la, mut lb, mut lr) = (vec![], vec![], vec![]);
    let (mut ia, mut ib) = (vec![], vec![]);
    for round in 0..rounds {
        let order: [&Variant; 2] = if round % 2 == 0 { [&a, &b] } else { [&b, &a] };
        let mut t = [0.0; 2];
        let mut l: [Vec<Duration>; 2] = [vec![], vec![]];
        let mut i = [Duration::ZERO; 2];
        for (k, v) in order.iter().enumerate() {
            let slot = if round % 2 == 0 { k } else { 1 - k };
            t[slot] = (v.tiny)();
            l[slot] = (v.sporadic)();
            i[slot] = (v.idle)();
        }
        let (p50a, p50b) = (pct(&l[0], 0.5), pct(&l[1], 0.5));
        println!(
            "round {round:2}: tiny A {:>9.0} B {:>9.0} B/A {:.3} | sporadic p50 A {:>6.1?} B {:>6.1?} B/A {:.3} | idle cpu A {:?} B {:?}",
            t[0],
            t[1],
            t[1] / t[0],
            p50a,
            p50b,
            p50b.as_secs_f64() / p50a.as_secs_f64(),
            i[0],
            i[1]
        );
        tr.push(t[1] / t[0]);
        lr.push(p50b.as_secs_f64() / p50a.as_secs_f64());
        ta.push(t[0]);
        tb.push(t[1]);
        la.extend_from_slice(&l[0]);
        lb.extend_from_slice(&l[1]);
        ia.push(i[0].as_secs_f64());
        ib.push(i[1].as_secs_f64());
    }
    println!("mode {mode}, {rounds} rounds");
    println!(
        "tiny jobs/s: median A {:.0}, B {:.0}; median per-round B/A {:.3}",
        median(&ta),
        median(&tb),
        median(&tr)
    );
    println!(
        "sporadic: A p50 {:?} p99 {:?}; B p50 {:?} p99 {:?}; median per-round p50 B/A {:.3}",
        pct(&la, 0.5),
        pct(&la, 0.99),
        pct(&lb, 0.5),
        pct(&lb, 0.99),
        median(&lr)
    );
    println!(
        "idle cpu over {IDLE:?}: median A {:.2} ms, B {:.2} ms",
        median(&ia) * 1e3,
        median(&ib) * 1e3
    );
}
