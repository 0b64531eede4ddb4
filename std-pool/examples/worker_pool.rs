//! Go's worker-pool pattern (its Go version is `benches/go/main.go`): a pool
//! of 3 workers, 10 jobs, each job simulating some work, then every result
//! collected. Prints one line per event:
//!
//! ```text
//! Worker 1 started job 1
//! Worker 1 finished job 1
//! Result received for job 1
//! ```
//!
//! Run: `cargo run --release -p ringpool --example worker_pool -- --help`

use clap::Parser;
use ringpool::Pool;
use std::process::ExitCode;
use std::time::Duration;

/// The worker-pool scenario: N workers, M jobs, simulated work.
#[derive(Parser, Debug)]
struct Args {
    /// Worker threads (Go's numWorkers).
    #[arg(long, default_value_t = 3)]
    workers: usize,
    /// Jobs to run (Go's numJobs; also the queue size, as in the Go version).
    #[arg(long, default_value_t = 10)]
    jobs: u64,
    /// Simulated work per job, in milliseconds (the Go version sleeps 1000).
    #[arg(long, default_value_t = 50)]
    work_ms: u64,
}

/// A job, as in the Go version: just an id.
struct Job {
    id: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let work = Duration::from_millis(args.work_ms);
    let queue = usize::try_from(args.jobs).unwrap_or(usize::MAX).max(1);
    let pool = match Pool::builder()
        .workers(args.workers)
        .queue_capacity(queue)
        .build(move |ctx, job: Job| {
            println!("Worker {} started job {}", ctx.worker_id, job.id);
            std::thread::sleep(work); // simulating work
            println!("Worker {} finished job {}", ctx.worker_id, job.id);
            job.id
        }) {
        Ok(pool) => pool,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let results = pool.results().expect("this pool collects results");
    for id in 1..=args.jobs {
        if let Err(e) = pool.submit(Job { id }) {
            eprintln!("error: job {id}: {e}");
            return ExitCode::FAILURE;
        }
    }
    pool.close(); // Go's close(jobQueue)
    pool.wait().unwrap(); // Go's Wait()
    let mut received = 0;
    for result in results {
        // Go's CollectResults().
        match result.outcome {
            Ok(id) => println!("Result received for job {id}"),
            Err(e) => println!("Job {} failed: {e}", result.job_id),
        }
        received += 1;
    }
    let metrics = pool.metrics();
    eprintln!(
        "{received} results; run time p50 {:?}, p99 {:?}; queue wait p50 {:?}, p99 {:?}",
        metrics.run_time.p50(),
        metrics.run_time.p99(),
        metrics.queue_wait.p50(),
        metrics.queue_wait.p99()
    );
    pool.shutdown();
    if received == args.jobs {
        ExitCode::SUCCESS
    } else {
        eprintln!("error: {received} results for {} jobs", args.jobs);
        ExitCode::FAILURE
    }
}
