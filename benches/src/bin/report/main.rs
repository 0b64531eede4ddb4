//! The benchmark report (issue 4): `cargo run --release -p ringpool-benches
//! --bin report [--quick] [--out DIR]` runs ringpool and every peer in this
//! one process, interleaved, and rewrites `BENCHMARKS.md` plus its PNG plots
//! in DIR (default: the repository root).
//!
//! # Method
//!
//! Every measured section runs in *rounds*: each round runs ringpool and
//! every peer once, in an order that rotates from round to round, so that
//! load changes on a shared machine hit every peer alike. A row gives the
//! median over rounds and the median of the per-round ratios to ringpool
//! (the ratio is "how many times ringpool's figure", so > 1 means ringpool
//! is faster). The seed's Go design runs as a child process per round (its
//! own timings, start-up excluded), built from `benches/go` with `go build`;
//! the report installs `golang-go` with apt-get when there is no Go and it
//! runs as root, and otherwise says why the Go rows are skipped.
//!
//! * Ring: [`queues::transfer`], `P` producers and `P` consumers moving
//!   `u64` items through a queue of capacity 128 (1/1, 2/2, 4/4); then the
//!   ring floor ([`bounds`]): one SCQ index ring on its own against
//!   `ArrayQueue`, items circulating through a full queue.
//! * Pools: [`pools::throughput`] (tiny jobs, results drained by another
//!   thread), for 2 workers and for 1, 2, 4, 8 workers; CPU-bound jobs of a
//!   calibrated 1 µs and 10 µs spin with one worker per core, as an
//!   efficiency against cores × (1 / job time), next to the same jobs spun by
//!   bare threads (the ceiling the machine allowed); [`pools::latency`] (one job
//!   at a time into an idle pool); [`pools::idle_cpu`] (`getrusage` across
//!   an idle period); the pool bounds ([`bounds`]): the tiny-job pipeline
//!   over bare spinning queues, next to ringpool and the peers its targets
//!   name.
//! * Allocations: this binary's global allocator counts every allocation;
//!   the count over each tiny-job run (after the warm-up, from the first
//!   timed submit until the last result) divided by its jobs. Peak memory:
//!   the allocator's peak of heap bytes in use above the level before the
//!   pool was built, during its tiny-job run (thread stacks not included),
//!   and the process's VmHWM at the end.
//!
//! * Context: /proc/cpuinfo, /proc/meminfo, /etc/os-release, `uname`, the
//!   load averages before and after, and the share of the machine's CPU time
//!   other processes used during the run (/proc/stat minus this process and
//!   its Go children).
//!
//! Every number in the output comes from the run that writes it.

mod alloc;
mod bounds;
mod gopeer;
mod machine;
mod plot;

use std::cell::Cell;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ringpool_benches::pools::{
    self, GoStyleCrossbeam, PoolPeer, QUEUE_CAPACITY, Rayon, Ringpool, RustBook, ThreadPoolCrate,
    Work,
};
use ringpool_benches::queues::{
    self, ArrayQueue, BenchQueue, CrossbeamChannel, FlumeChannel, HeaplessQueue, RingpoolRing,
    StdSyncChannel,
};

use gopeer::GoPeer;

#[global_allocator]
static GLOBAL: alloc::Counting = alloc::Counting;

/// Sizes of one run.
struct Config {
    quick: bool,
    rounds: usize,
    ring_items: u64,
    tiny_jobs: u64,
    warmup: u64,
    scaling_rounds: usize,
    scaling_jobs: u64,
    spin1_jobs: u64,
    spin10_jobs: u64,
    latency_samples: usize,
    gap: Duration,
    idle: Duration,
    stuck: Duration,
}

impl Config {
    fn full() -> Self {
        Self {
            quick: false,
            rounds: 11,
            ring_items: 200_000,
            tiny_jobs: 100_000,
            warmup: 2_000,
            scaling_rounds: 5,
            scaling_jobs: 50_000,
            spin1_jobs: 20_000,
            spin10_jobs: 4_000,
            latency_samples: 440,
            gap: Duration::from_micros(200),
            idle: Duration::from_secs(1),
            stuck: Duration::from_secs(2),
        }
    }

    fn quick() -> Self {
        Self {
            quick: true,
            rounds: 3,
            ring_items: 20_000,
            tiny_jobs: 10_000,
            warmup: 500,
            scaling_rounds: 1,
            scaling_jobs: 5_000,
            spin1_jobs: 2_000,
            spin10_jobs: 400,
            latency_samples: 60,
            gap: Duration::from_micros(200),
            idle: Duration::from_millis(200),
            stuck: Duration::from_secs(1),
        }
    }
}

type TransferFn = fn(u64, usize, Duration) -> Result<Duration, String>;
type ThroughputFn = fn(usize, u64, u64, Work, &dyn Fn(), &dyn Fn()) -> Duration;

/// A pool's drivers, monomorphised.
struct Peer {
    name: &'static str,
    throughput: ThroughputFn,
    latency: fn(usize, usize, Duration) -> Vec<Duration>,
    idle: fn(usize, Duration) -> (Duration, Duration),
}

fn peer<P: PoolPeer>() -> Peer {
    Peer {
        name: P::NAME,
        throughput: pools::throughput::<P>,
        latency: pools::latency::<P>,
        idle: pools::idle_cpu::<P>,
    }
}

fn queue<Q: BenchQueue>() -> (&'static str, TransferFn) {
    (Q::NAME, queues::transfer::<Q>)
}

/// The Go row's name.
const GO: &str = "Go (seed design)";

fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

/// Per-round values of one row, and per-round ratios to ringpool.
#[derive(Default, Clone)]
struct Row {
    values: Vec<f64>,
    ratios: Vec<f64>,
}

/// Rotates `0..n` by `round` (the order peers run in that round).
fn order(n: usize, round: usize) -> impl Iterator<Item = usize> {
    (0..n).map(move |i| (i + round) % n)
}

fn rate(items: u64, d: Duration) -> f64 {
    items as f64 / d.as_secs_f64()
}

fn fmt_rate(r: f64) -> String {
    if !r.is_finite() {
        "–".into()
    } else if r >= 1e6 {
        format!("{:.2} M/s", r / 1e6)
    } else {
        format!("{:.0} k/s", r / 1e3)
    }
}

fn fmt_ratio(r: f64) -> String {
    if r.is_finite() {
        format!("{r:.2}x")
    } else {
        "–".into()
    }
}

/// A ratio cell: "1.00x" on the row everything is compared with, else the
/// median of the row's per-round ratios.
fn ratio_cell(is_base: bool, ratios: &[f64]) -> String {
    if is_base {
        "1.00x".into()
    } else {
        fmt_ratio(median(ratios))
    }
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

struct Args {
    quick: bool,
    out: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("benches/ has a parent")
        .to_path_buf();
    let mut args = Args {
        quick: false,
        out: root,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => args.quick = true,
            "--out" => args.out = it.next().ok_or("--out needs a folder")?.into(),
            "-h" | "--help" => {
                println!(
                    "usage: report [--quick] [--out DIR]\n  \
                     writes DIR/BENCHMARKS.md and DIR/*.png (DIR: the repository root)"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    Ok(args)
}

fn main() {
    let args = parse_args().unwrap_or_else(|e| {
        eprintln!("report: {e}");
        std::process::exit(2)
    });
    if let Err(e) = run(&args) {
        eprintln!("report: {e}");
        std::process::exit(1);
    }
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let cfg = if args.quick {
        Config::quick()
    } else {
        Config::full()
    };
    std::fs::create_dir_all(&args.out)?;
    let font = plot::register_font()?;
    let machine = machine::Machine::read();
    let load_before = machine::load();
    let ticks_before = machine::cpu_ticks();
    let own_before = pools::process_cpu() + machine::children_cpu();
    let cores = machine.cores;

    let build_dir = std::env::temp_dir().join(format!("ringpool-report-{}", std::process::id()));
    std::fs::create_dir_all(&build_dir)?;
    let go = GoPeer::prepare(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("go"),
        &build_dir,
    );
    if let GoPeer::Skipped(why) = &go {
        eprintln!("report: Go rows skipped: {why}");
    }
    let go_skip = match &go {
        GoPeer::Skipped(why) => Some(why.clone()),
        GoPeer::Ready(_) => None,
    };

    let mut md = String::new();
    let mut skipped: Vec<String> = Vec::new();
    if let Some(why) = &go_skip {
        skipped.push(format!("{GO}: every Go row — {why}"));
    }

    // ---------------------------------------------------------------- ring
    eprintln!("report: ring rows");
    let ring_queues = [
        queue::<RingpoolRing>(),
        queue::<ArrayQueue>(),
        queue::<HeaplessQueue>(),
        queue::<CrossbeamChannel>(),
        queue::<FlumeChannel>(),
        queue::<StdSyncChannel>(),
    ];
    let configs = [1usize, 2, 4];
    let mut ring: Vec<Vec<Row>> = vec![vec![Row::default(); ring_queues.len()]; configs.len()];
    // Runs that the watchdog ended, per (config, queue); after
    // `MAX_STALLS` a queue is not run again in that configuration.
    const MAX_STALLS: usize = 2;
    let mut stalls: Vec<Vec<Vec<String>>> =
        vec![vec![Vec::new(); ring_queues.len()]; configs.len()];
    for round in 0..cfg.rounds {
        for (ci, &threads) in configs.iter().enumerate() {
            let mut this = vec![f64::NAN; ring_queues.len()];
            for qi in order(ring_queues.len(), round) {
                if stalls[ci][qi].len() >= MAX_STALLS {
                    continue;
                }
                let (_, transfer) = ring_queues[qi];
                match transfer(cfg.ring_items, threads, cfg.stuck) {
                    Ok(d) => this[qi] = rate(cfg.ring_items, d),
                    Err(e) => {
                        eprintln!("report: round {round}: {e}");
                        stalls[ci][qi].push(format!("round {}: {e}", round + 1));
                    }
                }
            }
            for qi in 0..ring_queues.len() {
                ring[ci][qi].values.push(this[qi]);
                ring[ci][qi].ratios.push(this[0] / this[qi]);
            }
        }
    }
    for (ci, by_queue) in stalls.iter().enumerate() {
        for (qi, list) in by_queue.iter().enumerate() {
            if list.is_empty() {
                continue;
            }
            let t = configs[ci];
            let ran = ring[ci][qi].values.iter().filter(|v| v.is_finite()).count();
            skipped.push(format!(
                "{} {t}/{t}: the watchdog ended {} run(s) ({}){}; the row gives the median of \
                 the {ran} run(s) that finished",
                ring_queues[qi].0,
                list.len(),
                list.join("; "),
                if list.len() >= MAX_STALLS {
                    format!(", after which it was not run again in {t}/{t}")
                } else {
                    String::new()
                }
            ));
        }
    }

    eprintln!("report: ring floor");
    let floor = bounds::floor(cfg.rounds, cfg.ring_items, cfg.stuck);

    // ------------------------------------------------- pool peers (Rust)
    let peers = [
        peer::<Ringpool>(),
        peer::<GoStyleCrossbeam>(),
        peer::<RustBook>(),
        peer::<ThreadPoolCrate>(),
        peer::<Rayon>(),
    ];
    let n_rows = peers.len() + 1; // + Go
    let go_row = peers.len();

    // Tiny jobs, 2 workers, with allocations and peak heap.
    eprintln!("report: tiny jobs, 2 workers");
    let mut tiny = vec![Row::default(); n_rows];
    let mut allocs: Vec<Vec<u64>> = vec![Vec::new(); peers.len()];
    let mut peak_heap: Vec<Vec<usize>> = vec![Vec::new(); peers.len()];
    let mut go_errors: Vec<String> = Vec::new();
    for round in 0..cfg.rounds {
        let mut this = vec![f64::NAN; n_rows];
        for pi in order(n_rows, round) {
            if pi == go_row {
                match go.tiny(2, cfg.tiny_jobs, QUEUE_CAPACITY) {
                    Ok(d) => this[pi] = rate(cfg.tiny_jobs, d),
                    Err(e) if go_skip.is_none() => go_errors.push(e),
                    Err(_) => {}
                }
                continue;
            }
            let a0 = Cell::new(0u64);
            let a1 = Cell::new(0u64);
            alloc::reset_peak();
            let base = alloc::in_use();
            let d = (peers[pi].throughput)(
                2,
                cfg.warmup,
                cfg.tiny_jobs,
                Work::Tiny,
                &|| a0.set(alloc::allocations()),
                &|| a1.set(alloc::allocations()),
            );
            peak_heap[pi].push(alloc::peak().saturating_sub(base));
            allocs[pi].push(a1.get() - a0.get());
            this[pi] = rate(cfg.tiny_jobs, d);
        }
        for pi in 0..n_rows {
            tiny[pi].values.push(this[pi]);
            tiny[pi].ratios.push(this[0] / this[pi]);
        }
    }

    eprintln!("report: pool bounds");
    let pool_bounds = bounds::pool_bounds(cfg.rounds, cfg.warmup, cfg.tiny_jobs);

    // Scaling: tiny jobs against workers.
    eprintln!("report: scaling 1, 2, 4, 8 workers");
    let worker_counts = [1usize, 2, 4, 8];
    let mut scaling = vec![vec![Row::default(); n_rows]; worker_counts.len()];
    for round in 0..cfg.scaling_rounds {
        for (wi, &w) in worker_counts.iter().enumerate() {
            let mut this = vec![f64::NAN; n_rows];
            for pi in order(n_rows, round + wi) {
                if pi == go_row {
                    match go.tiny(w, cfg.scaling_jobs, QUEUE_CAPACITY) {
                        Ok(d) => this[pi] = rate(cfg.scaling_jobs, d),
                        Err(e) if go_skip.is_none() => go_errors.push(e),
                        Err(_) => {}
                    }
                    continue;
                }
                let d = (peers[pi].throughput)(
                    w,
                    cfg.warmup,
                    cfg.scaling_jobs,
                    Work::Tiny,
                    &|| {},
                    &|| {},
                );
                this[pi] = rate(cfg.scaling_jobs, d);
            }
            for pi in 0..n_rows {
                scaling[wi][pi].values.push(this[pi]);
                scaling[wi][pi].ratios.push(this[0] / this[pi]);
            }
        }
    }

    // CPU-bound efficiency. Row `peers.len()` is the bare-threads baseline.
    eprintln!("report: CPU-bound jobs");
    let job_times = [Duration::from_micros(1), Duration::from_micros(10)];
    let mut spins = Vec::new();
    let bare_row = peers.len();
    let go_eff_row = peers.len() + 1;
    let eff_rows = peers.len() + 2;
    let mut go_iters: Vec<Vec<u64>> = vec![Vec::new(); job_times.len()];
    let mut efficiency = vec![vec![Row::default(); eff_rows]; job_times.len()];
    for (ji, &t) in job_times.iter().enumerate() {
        let iters = pools::calibrate_spin(t);
        spins.push(iters);
        let jobs = if ji == 0 {
            cfg.spin1_jobs
        } else {
            cfg.spin10_jobs
        };
        let ideal = cores as f64 / t.as_secs_f64();
        for round in 0..cfg.rounds {
            let mut this = vec![f64::NAN; eff_rows];
            for pi in order(eff_rows, round) {
                let d = if pi == go_eff_row {
                    match go.spin(cores, jobs, t) {
                        Ok((d, go_it)) => {
                            go_iters[ji].push(go_it);
                            d
                        }
                        Err(e) => {
                            if go_skip.is_none() {
                                go_errors.push(e);
                            }
                            continue;
                        }
                    }
                } else if pi == bare_row {
                    bare_threads(cores, jobs, iters)
                } else {
                    (peers[pi].throughput)(
                        cores,
                        jobs / 10,
                        jobs,
                        Work::Spin(iters),
                        &|| {},
                        &|| {},
                    )
                };
                this[pi] = rate(jobs, d) / ideal;
            }
            for pi in 0..eff_rows {
                efficiency[ji][pi].values.push(this[pi]);
                efficiency[ji][pi].ratios.push(this[0] / this[pi]);
            }
        }
    }

    // Latency of sporadic jobs.
    eprintln!("report: latency");
    let mut lat: Vec<Vec<Duration>> = vec![Vec::new(); n_rows];
    let mut lat_ratio: Vec<Vec<f64>> = vec![Vec::new(); n_rows];
    let per_round = (cfg.latency_samples / cfg.rounds).max(1);
    for round in 0..cfg.rounds {
        let mut p50 = vec![f64::NAN; n_rows];
        for pi in order(n_rows, round) {
            let mut samples = if pi == go_row {
                match go.latency(2, per_round, cfg.gap) {
                    Ok(s) => s,
                    Err(e) => {
                        if go_skip.is_none() {
                            go_errors.push(e);
                        }
                        continue;
                    }
                }
            } else {
                (peers[pi].latency)(2, per_round, cfg.gap)
            };
            samples.sort();
            p50[pi] = us(percentile(&samples, 0.5));
            lat[pi].extend(samples);
        }
        for pi in 0..n_rows {
            lat_ratio[pi].push(p50[pi] / p50[0]);
        }
    }
    for l in &mut lat {
        l.sort();
    }

    // Idle CPU.
    eprintln!("report: idle CPU ({:?} per pool)", cfg.idle);
    let mut idle = vec![f64::NAN; n_rows];
    for pi in 0..n_rows {
        let measured = if pi == go_row {
            match go.idle(2, cfg.idle) {
                Ok(m) => m,
                Err(e) => {
                    if go_skip.is_none() {
                        go_errors.push(e);
                    }
                    continue;
                }
            }
        } else {
            (peers[pi].idle)(2, cfg.idle)
        };
        idle[pi] = 100.0 * measured.0.as_secs_f64() / measured.1.as_secs_f64();
    }

    let load_after = machine::load();
    // Other processes' share of the machine's CPU time during the run, and
    // the hypervisor's steal: the context every figure was measured in.
    let contention = match (ticks_before, machine::cpu_ticks()) {
        (Some(b), Some(a)) if a.2 > b.2 => {
            let hz = machine::ticks_per_second();
            let total = (a.2 - b.2) as f64 / hz;
            let busy = (a.0 - b.0) as f64 / hz;
            let own = pools::process_cpu()
                .saturating_sub(own_before)
                .as_secs_f64();
            format!(
                "{:.0}% of the machine's CPU time went to processes other than the report and \
                 its Go runs, {:.1}% was stolen by the hypervisor (/proc/stat and getrusage, \
                 over the run)",
                100.0 * (busy - own).max(0.0) / total,
                100.0 * (a.1 - b.1) as f64 / hz / total
            )
        }
        _ => "unknown (/proc/stat unreadable)".to_string(),
    };
    let hwm = machine::vm_hwm_kb();
    let elapsed = started.elapsed();

    // ------------------------------------------------------------ plots
    let names: Vec<&str> = peers
        .iter()
        .map(|p| p.name)
        .chain(std::iter::once(GO))
        .collect();
    let has = |pi: usize| pi != go_row || go_skip.is_none();
    let scaling_series: Vec<(String, Vec<(usize, f64)>)> = (0..n_rows)
        .filter(|&pi| has(pi))
        .map(|pi| {
            (
                names[pi].to_string(),
                worker_counts
                    .iter()
                    .enumerate()
                    .map(|(wi, &w)| (w, median(&scaling[wi][pi].values)))
                    .filter(|(_, v)| v.is_finite())
                    .collect(),
            )
        })
        .collect();
    let scaling_png = "bench-throughput-workers.png";
    plot::throughput_vs_workers(
        &args.out.join(scaling_png),
        "Tiny jobs (x*2), results drained: throughput against workers",
        &scaling_series,
    )?;
    let lat_series: Vec<(String, [f64; 3])> = (0..n_rows)
        .filter(|&pi| !lat[pi].is_empty())
        .map(|pi| {
            let p = |q| us(percentile(&lat[pi], q));
            (names[pi].to_string(), [p(0.5), p(0.9), p(0.99)])
        })
        .collect();
    let lat_png = "bench-latency.png";
    plot::latency_percentiles(
        &args.out.join(lat_png),
        &format!(
            "Submit-to-result latency, one job every {} µs into an idle pool (2 workers)",
            cfg.gap.as_micros()
        ),
        &lat_series,
    )?;

    // ------------------------------------------------------------ report
    let w = &mut md;
    writeln!(w, "# Benchmarks\n")?;
    writeln!(
        w,
        "Written by `cargo run --release -p ringpool-benches --bin report{}` \
         (`benches/src/bin/report/`); do not edit by hand. Every number below comes from \
         that one run, which took {:.0} s.\n",
        if cfg.quick { " -- --quick" } else { "" },
        elapsed.as_secs_f64()
    )?;
    if cfg.quick {
        writeln!(
            w,
            "> **Quick run** (`--quick`, for CI): tiny sample sizes; the numbers only show \
             that the suite works and must not be quoted.\n"
        )?;
    }
    writeln!(w, "## Machine\n")?;
    writeln!(w, "| | |\n|---|---|")?;
    writeln!(w, "| CPU | {} |", machine.cpu)?;
    writeln!(w, "| cores (available parallelism) | {} |", machine.cores)?;
    writeln!(w, "| memory | {} |", machine.memory)?;
    writeln!(w, "| OS | {} |", machine.os)?;
    writeln!(w, "| kernel | {} |", machine.kernel)?;
    writeln!(w, "| date | {} |", machine.date)?;
    writeln!(
        w,
        "| load average (1, 5, 15 min) | {load_before} before, {load_after} after |"
    )?;
    writeln!(w, "| other load during the run | {contention} |")?;
    writeln!(w, "| code measured | {} |", code_version())?;
    writeln!(w, "| rustc | {} |", rustc_version())?;
    writeln!(
        w,
        "| Go | {} |",
        go.version()
            .unwrap_or_else(|| format!("skipped: {}", go_skip.as_deref().unwrap_or("?")))
    )?;
    writeln!(w, "| plot font | {font} |\n")?;

    writeln!(w, "## Method\n")?;
    writeln!(
        w,
        "Each section runs in **{} rounds** (scaling: {}); a round runs ringpool and every \
         peer once, in an order that rotates from round to round, all in this one process \
         (the Go design as a child process that times itself). A row gives the **median over \
         rounds** and the **median of the per-round ratios** \"ringpool ÷ peer\" (for \
         throughput and efficiency > 1 means ringpool is ahead; for latency the ratio is \
         peer p50 ÷ ringpool p50, so > 1 again means ringpool is ahead). The machine is shared \
         with other work: single rounds swing by ±20% or more, which is why only medians of \
         interleaved rounds are given. Workloads: `benches/src/queues.rs` and \
         `benches/src/pools.rs`; queue and result channel capacity {QUEUE_CAPACITY} for every \
         bounded peer; ringpool with `job_timing(false)` (no peer reads a clock per job). The \
         report's counting allocator (for the allocation figures) adds three relaxed atomic \
         operations to every allocation, so the peers that allocate per job pay slightly more \
         here than elsewhere.\n",
        cfg.rounds, cfg.scaling_rounds
    )?;

    writeln!(w, "## Ring\n")?;
    writeln!(
        w,
        "`P` producers and `P` consumers move {} `u64` items through one queue of capacity \
         128 (channels through `try_send`/`try_recv`); spin 8 then `yield_now` on Full/empty; \
         timed from the first thread's start to the last thread's end. 4/4 oversubscribes the \
         {} cores on purpose. A watchdog ends a run in which a thread makes no progress for \
         {:?} (a queue that lost an item or wedged; heapless 0.8 and ArrayQueue are not \
         lock-free, so a preempted thread can block its peers, but only for a time slice).\n",
        cfg.ring_items, cores, cfg.stuck
    )?;
    writeln!(w, "| queue | P/C | median items/s | ringpool ÷ queue |")?;
    writeln!(w, "|---|---|---|---|")?;
    for (ci, &threads) in configs.iter().enumerate() {
        for (qi, (name, _)) in ring_queues.iter().enumerate() {
            let row = &ring[ci][qi];
            let finished = row.values.iter().filter(|v| v.is_finite()).count();
            if finished == 0 {
                writeln!(
                    w,
                    "| {name} | {threads}/{threads} | no run finished (see Skipped) | – |"
                )?;
                continue;
            }
            let note = if finished < row.values.len() {
                format!(
                    " ({finished} of {} rounds finished; see Skipped)",
                    row.values.len()
                )
            } else {
                String::new()
            };
            writeln!(
                w,
                "| {name} | {threads}/{threads} | {}{note} | {} |",
                fmt_rate(median(&row.values)),
                ratio_cell(qi == 0, &row.ratios)
            )?;
        }
    }
    writeln!(w)?;
    floor.write(w)?;

    writeln!(w, "## Pool throughput: tiny jobs, 2 workers\n")?;
    writeln!(
        w,
        "{} jobs (handler `job * 2`) submitted by one thread while another drains every result, \
         after {} warm-up jobs; from the first timed submit to the last result received. Pool \
         construction and shutdown are not timed.\n",
        cfg.tiny_jobs, cfg.warmup
    )?;
    writeln!(w, "| pool | median jobs/s | ringpool ÷ pool |")?;
    writeln!(w, "|---|---|---|")?;
    for pi in 0..n_rows {
        if !has(pi) {
            writeln!(w, "| {} | skipped (see below) | – |", names[pi])?;
            continue;
        }
        writeln!(
            w,
            "| {} | {} | {} |",
            names[pi],
            fmt_rate(median(&tiny[pi].values)),
            ratio_cell(pi == 0, &tiny[pi].ratios)
        )?;
    }
    writeln!(w)?;
    pool_bounds.write(w)?;

    writeln!(w, "## Throughput against workers\n")?;
    writeln!(
        w,
        "Tiny jobs as above, {} jobs per run, medians of {} round(s); ratios in brackets.\n",
        cfg.scaling_jobs, cfg.scaling_rounds
    )?;
    writeln!(w, "![throughput against workers]({scaling_png})\n")?;
    write!(w, "| pool |")?;
    for wc in worker_counts {
        write!(w, " {wc} worker{} |", if wc == 1 { "" } else { "s" })?;
    }
    writeln!(w, "\n|---|{}", "---|".repeat(worker_counts.len()))?;
    for pi in (0..n_rows).filter(|&pi| has(pi)) {
        write!(w, "| {} |", names[pi])?;
        for by_workers in &scaling {
            let row = &by_workers[pi];
            if pi == 0 {
                write!(w, " {} |", fmt_rate(median(&row.values)))?;
            } else {
                write!(
                    w,
                    " {} ({}) |",
                    fmt_rate(median(&row.values)),
                    fmt_ratio(median(&row.ratios))
                )?;
            }
        }
        writeln!(w)?;
    }
    writeln!(w)?;

    writeln!(w, "## CPU-bound efficiency\n")?;
    writeln!(
        w,
        "{cores} workers (one per core); each job spins a loop calibrated on this machine at \
         the start of the section ({} iterations ≈ 1 µs, {} ≈ 10 µs). Efficiency = measured \
         jobs/s ÷ ideal jobs/s, ideal = cores × (1 / job time) = {:.0} jobs/s (1 µs) and {:.0} \
         jobs/s (10 µs). The drainer and submitter threads share the same cores. The last row is \
         the ceiling this machine allowed during the run: {cores} plain threads, each spinning \
         its share of the jobs, no pool, no results. The Go design calibrates its own loop the \
         same way ({}).\n",
        spins[0],
        spins[1],
        cores as f64 / 1e-6,
        cores as f64 / 10e-6,
        if go_iters.iter().all(|v| v.is_empty()) {
            "not run".to_string()
        } else {
            go_iters
                .iter()
                .zip(["1 µs", "10 µs"])
                .map(|(v, t)| {
                    format!(
                        "median {:.0} iterations ≈ {t}",
                        median(&v.iter().map(|&x| x as f64).collect::<Vec<_>>())
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        }
    )?;
    writeln!(
        w,
        "| pool | 1 µs jobs | ringpool ÷ pool | 10 µs jobs | ringpool ÷ pool |"
    )?;
    writeln!(w, "|---|---|---|---|---|")?;
    for pi in (0..peers.len()).chain([go_eff_row, bare_row]) {
        let name = if pi == bare_row {
            "bare threads, no pool (baseline)"
        } else if pi == go_eff_row {
            GO
        } else {
            names[pi]
        };
        if pi == go_eff_row && go_skip.is_some() {
            writeln!(w, "| {name} | skipped (see below) | | | |")?;
            continue;
        }
        write!(w, "| {name} |")?;
        for row in efficiency.iter().map(|e| &e[pi]) {
            write!(
                w,
                " {:.1}% | {} |",
                100.0 * median(&row.values),
                ratio_cell(pi == 0, &row.ratios)
            )?;
        }
        writeln!(w)?;
    }
    writeln!(w)?;

    writeln!(w, "## Latency of sporadic jobs\n")?;
    writeln!(
        w,
        "2 workers; {} samples per pool ({} per round): sleep {} µs (idle workers go to sleep), \
         then submit one tiny job and wait for its result; the time from submit to result \
         received. Percentiles over all samples; the ratio is the median over rounds of \
         pool p50 ÷ ringpool p50.\n",
        per_round * cfg.rounds,
        per_round,
        cfg.gap.as_micros()
    )?;
    writeln!(w, "![latency percentiles]({lat_png})\n")?;
    writeln!(
        w,
        "| pool | p50 | p90 | p99 | max | pool p50 ÷ ringpool p50 |"
    )?;
    writeln!(w, "|---|---|---|---|---|---|")?;
    for pi in 0..n_rows {
        if lat[pi].is_empty() {
            writeln!(w, "| {} | skipped (see below) | | | | |", names[pi])?;
            continue;
        }
        let p = |q| us(percentile(&lat[pi], q));
        writeln!(
            w,
            "| {} | {:.1} µs | {:.1} µs | {:.1} µs | {:.1} µs | {} |",
            names[pi],
            p(0.5),
            p(0.9),
            p(0.99),
            p(1.0),
            ratio_cell(pi == 0, &lat_ratio[pi])
        )?;
    }
    writeln!(w)?;

    writeln!(w, "## Idle CPU\n")?;
    writeln!(
        w,
        "A started pool of 2 workers that ran one job, then sat idle: process CPU time (user + \
         system, `getrusage(RUSAGE_SELF)`) over {} ms of idleness (after 100 ms to settle), as \
         a percentage of one core. The measuring thread sleeps meanwhile, so the figure is the \
         pool's (the Go process measures itself the same way). One measurement per pool.\n",
        cfg.idle.as_millis()
    )?;
    writeln!(w, "| pool | idle CPU (% of one core) |")?;
    writeln!(w, "|---|---|")?;
    for pi in 0..n_rows {
        if idle[pi].is_finite() {
            writeln!(w, "| {} | {:.3}% |", names[pi], idle[pi])?;
        } else {
            writeln!(w, "| {} | skipped (see below) |", names[pi])?;
        }
    }
    writeln!(w)?;

    writeln!(w, "## Heap allocations and memory\n")?;
    writeln!(
        w,
        "Allocations: a counting global allocator in the report binary; the count during each \
         2-worker tiny-job run (from the first timed submit to the last result, warm-up \
         excluded) ÷ its {} jobs, median over rounds. Peak heap: the allocator's peak of heap \
         bytes in use above the level just before the pool was built, during that run \
         (construction, warm-up and timed part; thread stacks are not heap and not included). \
         Rust peers only (the Go process has its own allocator).\n",
        cfg.tiny_jobs
    )?;
    writeln!(
        w,
        "| pool | allocations per job | allocations in the run (median) | peak heap above baseline |"
    )?;
    writeln!(w, "|---|---|---|---|")?;
    let median_u = |v: &[u64]| median(&v.iter().map(|&x| x as f64).collect::<Vec<_>>());
    for pi in 0..peers.len() {
        let count = median_u(&allocs[pi]);
        let peak = median_u(&peak_heap[pi].iter().map(|&x| x as u64).collect::<Vec<_>>());
        writeln!(
            w,
            "| {} | {:.4} | {:.0} | {:.1} KiB |",
            names[pi],
            count / cfg.tiny_jobs as f64,
            count,
            peak / 1024.0
        )?;
    }
    writeln!(
        w,
        "\nWhole report process: peak resident set (VmHWM, /proc/self/status) {}.\n",
        hwm.map_or("unknown".into(), |kb| format!(
            "{:.1} MiB",
            kb as f64 / 1024.0
        ))
    )?;

    // ---------------------------------------------------------- targets
    writeln!(w, "## Targets\n")?;
    writeln!(
        w,
        "Issue 4's \"What the numbers must show\" (and issue 3's 10 µs efficiency), against \
         this run's medians of per-round ratios.\n"
    )?;
    writeln!(w, "| target | measured | met? |")?;
    writeln!(w, "|---|---|---|")?;
    let mut unmet = 0;
    let mut target = |w: &mut String, what: String, measured: String, ok: Option<bool>| {
        let verdict = match ok {
            Some(true) => "met",
            Some(false) => {
                unmet += 1;
                "**not met**"
            }
            None => "not measured",
        };
        writeln!(w, "| {what} | {measured} | {verdict} |")
    };
    let aq = 1;
    for (ci, &threads) in configs.iter().enumerate() {
        let r = median(&ring[ci][aq].ratios);
        target(
            w,
            format!("ring {threads}/{threads} ≥ 1.0× ArrayQueue items/s"),
            fmt_ratio(r),
            Some(r >= 1.0),
        )?;
    }
    for (pi, need) in [(1usize, 1.5f64), (3, 4.0), (4, 4.0), (go_row, 3.0)] {
        let r = median(&tiny[pi].ratios);
        target(
            w,
            format!("tiny jobs, 2 workers: ≥ {need}× {}", names[pi]),
            if has(pi) {
                fmt_ratio(r)
            } else {
                "skipped".into()
            },
            has(pi).then_some(r >= need),
        )?;
    }
    let e10 = median(&efficiency[1][0].values);
    target(
        w,
        "10 µs CPU-bound jobs ≥ 95% of cores × (1 / job time) (issue 3)".into(),
        format!(
            "{:.1}% (bare threads, no pool, in the same rounds: {:.1}%; ringpool ÷ bare \
             threads {})",
            100.0 * e10,
            100.0 * median(&efficiency[1][bare_row].values),
            fmt_ratio(median(&efficiency[1][bare_row].ratios))
        ),
        Some(e10 >= 0.95),
    )?;
    let a = median_u(&allocs[0]);
    target(
        w,
        "zero heap allocations per job (ringpool, steady state)".into(),
        format!(
            "{:.0} allocations in {} jobs ({:.4} per job)",
            a,
            cfg.tiny_jobs,
            a / cfg.tiny_jobs as f64
        ),
        Some(a == 0.0),
    )?;
    target(
        w,
        "idle pool < 1% of one core (ringpool)".into(),
        format!("{:.3}%", idle[0]),
        Some(idle[0] < 1.0),
    )?;
    writeln!(w)?;
    if unmet > 0 {
        writeln!(
            w,
            "{unmet} target(s) not met in this run. Why, from this run: one SCQ index ring \
             alone, the least work a lock-free ring of the SCQ family does per item, reached \
             {} of ArrayQueue (\"Ring floor\"); ringpool's ring does that work twice (a free \
             ring and a used ring). The tiny-job pipeline over bare spinning queues, no pool \
             around it (\"Pool bounds\"), reached {} over ringpool's ring, {} with \
             ringpool's ring for jobs and per-worker SPSC lanes for results, and {} over \
             ArrayQueue. The 10 µs efficiency is bounded by what bare threads reach on this \
             shared machine (the bare-threads row of the CPU-bound section). Profiles and the \
             changes tried: `benches/notes/ring-profile-2026-11-26.md` and \
             `benches/notes/pool-profile-2026-11-26.md`.\n",
            floor.one_ring_ratios(),
            pool_bounds.ratios(bounds::RING_BOUND),
            pool_bounds.ratios(bounds::LANES_BOUND),
            pool_bounds.ratios(bounds::ARRAY_QUEUE_BOUND),
        )?;
    } else {
        writeln!(w, "Every target was met in this run.\n")?;
    }

    writeln!(w, "## Rerunning\n")?;
    writeln!(
        w,
        "```text\n\
         cargo run --release -p ringpool-benches --bin report            # this file and its plots\n\
         cargo run --release -p ringpool-benches --bin report -- --quick --out /tmp/r  # seconds, CI\n\
         cargo bench -p ringpool-benches --bench ring                    # criterion, ring rows\n\
         cargo bench -p ringpool-benches --bench pool                    # criterion, pool rows\n\
         ```\n\n\
         The report installs Debian's `golang-go` when Go is missing and it runs as root; the \
         plots need a TrueType font (`fonts-dejavu-core`, or `RINGPOOL_REPORT_FONT=file.ttf`). \
         Findings behind the figures: `benches/notes/`.\n"
    )?;

    writeln!(w, "## Skipped\n")?;
    if skipped.is_empty() && go_errors.is_empty() {
        writeln!(w, "Nothing was skipped.")?;
    }
    for s in &skipped {
        writeln!(w, "- {s}")?;
    }
    for e in &go_errors {
        writeln!(w, "- {GO}: a run failed: {e}")?;
    }
    writeln!(w)?;

    let path = args.out.join("BENCHMARKS.md");
    std::fs::write(&path, md)?;
    let _ = std::fs::remove_dir_all(&build_dir);
    eprintln!(
        "report: wrote {}, {}, {} in {:.1} s",
        path.display(),
        args.out.join(scaling_png).display(),
        args.out.join(lat_png).display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The efficiency ceiling: `threads` plain threads spin their share of
/// `jobs` jobs of `iters` iterations each; from the first thread's start to
/// the last one's end. Each thread first spins a tenth of its share untimed
/// (as the pools get a warm-up), so the scheduler has spread the new threads
/// over the cores before the clock starts.
fn bare_threads(threads: usize, jobs: u64, iters: u64) -> Duration {
    let barrier = std::sync::Barrier::new(threads);
    let spans: Vec<(Instant, Instant)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let barrier = &barrier;
                s.spawn(move || {
                    let share = queues::share(jobs, threads, t);
                    barrier.wait();
                    for job in 0..share / 10 {
                        std::hint::black_box(Work::Spin(iters).apply(job));
                    }
                    barrier.wait();
                    let t0 = Instant::now();
                    for job in 0..share {
                        std::hint::black_box(Work::Spin(iters).apply(job));
                    }
                    (t0, Instant::now())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("spinner panicked"))
            .collect()
    });
    queues::overall(&spans)
}

/// The commit the measured code came from: `git` in the repository, noting
/// uncommitted changes to `core/` or `std-pool/`; in a copy without `.git`,
/// the `RINGPOOL_REPORT_COMMIT` environment variable.
fn code_version() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(&root)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    match git(&["rev-parse", "--short=12", "HEAD"]) {
        Some(commit) => {
            let dirty = git(&["status", "--porcelain", "--", "core", "std-pool"])
                .is_some_and(|s| !s.is_empty());
            if dirty {
                format!("commit {commit} plus uncommitted changes in core/ or std-pool/")
            } else {
                format!("commit {commit}")
            }
        }
        None => std::env::var("RINGPOOL_REPORT_COMMIT")
            .map(|c| format!("commit {c} (a clean copy)"))
            .unwrap_or_else(|_| "unknown (no git)".into()),
    }
}

fn rustc_version() -> String {
    std::process::Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into())
}
