//! The benchmark report: `cargo run --release -p ringpool-benches
//! --bin report [--quick] [--out DIR]` runs ringpool and every peer in this
//! one process, interleaved, and rewrites `BENCHMARKS.md` in DIR (default:
//! the repository root) and its PNG plots in DIR/`bench-plots/`. The report
//! opens with a summary of the targets met and not met, generated from the
//! Targets section's verdicts of the same run.
//!
//! # Method
//!
//! Every measured section runs in *rounds*: each round runs ringpool and
//! every peer once, in an order that rotates from round to round, so that
//! load changes on a shared machine hit every peer alike. A row gives the
//! median over rounds and the median of the per-round ratios; every ratio
//! is a speed ratio "A ÷ B" with > 1 meaning A is faster (ringpool ÷ peer
//! wherever ringpool is in the table; for latency peer p50 ÷ ringpool p50). The Go worker pool (`benches/go`) runs as a child process per round (its
//! own timings, start-up excluded), built from `benches/go` with `go build`;
//! the report installs `golang-go` with apt-get when there is no Go and it
//! runs as root, and otherwise says why the Go rows are skipped.
//!
//! * Ring ([`ring`]): `ringpool_benches::queues::transfer`, `P` producers
//!   and `P` consumers moving `u64` items through a queue of capacity 128
//!   (1/1, 2/2, 4/4), and the ring family and Vyukov's queues at capacities
//!   16 to 65 536, with bytes per slot; the batch rows ([`ring_batch`]): 8
//!   items per call against `ArrayQueue`'s single items; the ring floor
//!   ([`bounds`]): one SCQ index ring on its own against `ArrayQueue`, items
//!   circulating through a full queue; the interrupt harness
//!   ([`interrupts`]). Each queue run is a child process with a deadline
//!   ([`isolate`]), and every failed run, wedge or broken documented promise
//!   is a row ([`faults`]).
//! * Pools ([`tiny`], [`scaling`], [`efficiency`], [`latency`], [`idle`]):
//!   [`ringpool_benches::pools::throughput`] (tiny jobs, results drained by
//!   another thread), for 2 workers and for 1, 2, 4, 8 workers; CPU-bound
//!   jobs of a calibrated 1 µs and 10 µs spin with one worker per core, as
//!   an efficiency against cores × (1 / job time), next to the same jobs
//!   spun by bare threads (the ceiling the machine allowed);
//!   [`ringpool_benches::pools::latency`] (one job at a time into an idle
//!   pool); [`ringpool_benches::pools::idle_cpu`] (`getrusage` across an
//!   idle period); the pool bounds ([`bounds`]): the tiny-job pipeline over
//!   bare spinning queues, next to ringpool and the peers its targets name.
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
//!
//! # Layout
//!
//! One module per section, each shaped alike: `measure` (runs its rows
//! through the one driver of interleaved rounds, [`rounds::interleave`]),
//! a struct of figures, and `write` (its markdown); its heading and row
//! names are constants or functions that `--list-sections` and
//! `--list-rows` print, so `ci/bench-report.sh` checks the written report
//! against the code instead of a copy of its names. [`run`] only calls the
//! sections in order.

mod alloc;
mod bounds;
mod closing;
mod config;
mod efficiency;
mod faults;
mod gopeer;
mod header;
mod idle;
mod interrupts;
mod isolate;
mod latency;
mod machine;
mod plot;
mod pool_rows;
mod ring;
mod ring_batch;
mod rounds;
mod scaling;
mod stats;
mod targets;
mod tiny;
mod watchdog;

use std::path::{Path, PathBuf};
use std::time::Instant;

use config::Config;
use faults::Faults;
use gopeer::GoPeer;
use pool_rows::{GO, PoolRows};

#[global_allocator]
static GLOBAL: alloc::Counting = alloc::Counting;

/// Every section's heading, in the order the report writes them.
const SECTIONS: [&str; 19] = [
    targets::SUMMARY_HEADING,
    header::MACHINE_HEADING,
    header::METHOD_HEADING,
    ring::HEADING,
    ring::CAPACITY_HEADING,
    ring_batch::HEADING,
    bounds::FLOOR_HEADING,
    interrupts::HEADING,
    faults::HEADING,
    tiny::HEADING,
    bounds::POOL_HEADING,
    scaling::HEADING,
    efficiency::HEADING,
    latency::HEADING,
    idle::HEADING,
    tiny::MEMORY_HEADING,
    targets::HEADING,
    closing::RERUN_HEADING,
    closing::SKIPPED_HEADING,
];

/// Every row name a full report has (each a table's first cell), once.
fn rows() -> Vec<String> {
    let mut rows: Vec<String> = Vec::new();
    let all = ring::rows()
        .into_iter()
        .chain(ring_batch::rows())
        .chain(bounds::floor_rows())
        .chain(interrupts::rows())
        .chain(pool_rows::names())
        .chain(bounds::pool_rows())
        .chain([efficiency::BARE])
        .map(String::from)
        .chain(targets::names());
    for row in all {
        if !rows.contains(&row) {
            rows.push(row);
        }
    }
    rows
}

/// The plots the report draws.
const PLOTS: [&str; 2] = [scaling::PNG, latency::PNG];

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
            "--list-sections" | "--list-rows" | "--list-plots" => {
                let list: Vec<String> = match arg.as_str() {
                    "--list-sections" => SECTIONS.iter().map(|s| s.to_string()).collect(),
                    "--list-rows" => rows(),
                    _ => PLOTS.iter().map(|s| s.to_string()).collect(),
                };
                for item in list {
                    println!("{item}");
                }
                std::process::exit(0);
            }
            "--child" => isolate::child_main(&it.collect::<Vec<_>>()),
            "-h" | "--help" => {
                println!(
                    "usage: report [--quick] [--out DIR]\n  \
                     writes DIR/BENCHMARKS.md and DIR/bench-plots/*.png (DIR: the repository root)\n\
                     report --list-sections | --list-rows | --list-plots\n  \
                     prints the section headings, the row names or the plot files, one a line"
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

/// Runs one section's measurement, saying on stderr what runs and how long
/// it took.
fn timed<T>(what: &str, measure: impl FnOnce() -> T) -> T {
    eprintln!("report: {what}");
    watchdog::section(what);
    let t0 = Instant::now();
    let figures = measure();
    eprintln!("report: {what}: {:.1} s", t0.elapsed().as_secs_f64());
    figures
}

/// Measures every section in turn, then writes them.
fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let cfg = if args.quick {
        Config::quick()
    } else {
        Config::full()
    };
    std::fs::create_dir_all(&args.out)?;
    let font = plot::register_font()?;
    let start = header::start();
    let cores = start.machine.cores;

    let build_dir = std::env::temp_dir().join(format!("ringpool-report-{}", std::process::id()));
    std::fs::create_dir_all(&build_dir)?;
    let go = GoPeer::prepare(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("go"),
        &build_dir,
    );
    if let GoPeer::Skipped(why) = &go {
        eprintln!("report: Go rows skipped: {why}");
    }
    let rows = PoolRows::new(go);
    let mut faults = Faults::default();

    let ring = timed("ring rows", || ring::measure(&cfg, cores, &mut faults));
    let batches = timed("ring batches", || ring_batch::measure(&cfg, &mut faults));
    let floor = timed("ring floor", || bounds::floor(&cfg, &mut faults));
    let interrupts = timed("interrupted inside push and pop", || {
        interrupts::measure(&cfg)
    });
    let tiny = timed("tiny jobs, 2 workers", || tiny::measure(&cfg, &rows));
    let pool_bounds = timed("pool bounds", || bounds::pool_bounds(&cfg));
    let scaling = timed("scaling 1, 2, 4, 8 workers", || {
        scaling::measure(&cfg, &rows)
    });
    let efficiency = timed("CPU-bound jobs", || efficiency::measure(&cfg, &rows, cores));
    let latency = timed("latency", || latency::measure(&cfg, &rows));
    let idle = timed("idle CPU", || idle::measure(&cfg, &rows));

    let go_version = rows
        .go
        .version()
        .unwrap_or_else(|| format!("skipped: {}", rows.go_skip.as_deref().unwrap_or("?")));
    let header = start.finish(font, go_version);
    let hwm = machine::vm_hwm_kb();
    for png in PLOTS {
        if let Some(folder) = Path::new(png).parent() {
            std::fs::create_dir_all(args.out.join(folder))?;
        }
    }
    scaling.plot(&args.out)?;
    latency.plot(&args.out)?;

    let figures = targets::Figures {
        ring: &ring,
        batches: &batches,
        floor: &floor,
        rows: &rows,
        tiny: &tiny,
        scaling: &scaling,
        pool_bounds: &pool_bounds,
        efficiency: &efficiency,
        latency: &latency,
        idle: &idle,
        interrupts: &interrupts,
    };
    let verdicts = targets::evaluate(&figures);
    let mut md = String::new();
    let w = &mut md;
    header.write_title(w, &cfg)?;
    targets::write_summary(w, &verdicts)?;
    header.write(w, &cfg)?;
    ring.write(w)?;
    ring.write_capacity(w)?;
    batches.write(w)?;
    floor.write(w)?;
    interrupts.write(w)?;
    faults.write(w)?;
    tiny.write(w)?;
    pool_bounds.write(w)?;
    scaling.write(w)?;
    efficiency.write(w)?;
    latency.write(w)?;
    idle.write(w)?;
    tiny.write_memory(w, hwm)?;
    targets::write(w, &verdicts, &figures)?;
    closing::write_rerun(w)?;
    let skipped: Vec<String> = rows
        .go_skip
        .iter()
        .map(|why| format!("{GO}: every Go row — {why}"))
        .collect();
    closing::write_skipped(w, &skipped, &faults.details, &rows.go_errors.borrow())?;

    let path = args.out.join("BENCHMARKS.md");
    std::fs::write(&path, md)?;
    let _ = std::fs::remove_dir_all(&build_dir);
    eprintln!(
        "report: wrote {} and {} in {:.1} s",
        path.display(),
        PLOTS.join(", "),
        header.elapsed().as_secs_f64()
    );
    Ok(())
}
