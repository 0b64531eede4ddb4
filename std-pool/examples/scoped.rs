//! Jobs that borrow: a scoped pool checksums the chunks of a local buffer in
//! parallel, with no copy and no `Arc`. Each job is a `&[u8]` slice of the
//! buffer; the handler borrows a local counter; the results are collected
//! inside the scope, and every worker is joined before `scope` returns.
//! Prints one line per chunk, in order, then the whole buffer's checksum
//! beside the one computed on this thread:
//!
//! ```text
//! chunk 0: 65536 bytes at 0, fnv1a 0x…, 256 zero bytes
//! ...
//! 1048576 bytes in 16 chunks on 4 workers: checksum 0x… (sequential 0x…): match
//! ```
//!
//! Run: `cargo run --release -p ringpool --example scoped -- --help`

use clap::Parser;
use ringpool::Pool;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};

/// Checksums a local buffer's chunks on a scoped pool.
#[derive(Parser, Debug)]
struct Args {
    /// Worker threads.
    #[arg(long, default_value_t = 4)]
    workers: usize,
    /// Buffer size, in KiB.
    #[arg(long, default_value_t = 1024)]
    size_kib: usize,
    /// Chunk size (one job), in KiB.
    #[arg(long, default_value_t = 64)]
    chunk_kib: usize,
}

/// FNV-1a, 64 bits: a checksum of one chunk.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The buffer's checksum: the chunks' checksums folded in chunk order.
fn combine(chunk_sums: impl IntoIterator<Item = u64>) -> u64 {
    chunk_sums
        .into_iter()
        .fold(0, |acc, sum| acc.rotate_left(5) ^ sum)
}

/// A deterministic buffer: xorshift64 bytes, every 256th byte zero.
fn make_buffer(len: usize) -> Vec<u8> {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    (0..len)
        .map(|i| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            if i % 256 == 0 {
                0
            } else {
                u8::try_from(state % 255).unwrap_or(0) + 1
            }
        })
        .collect()
}

fn main() -> ExitCode {
    let args = Args::parse();
    if args.chunk_kib == 0 {
        eprintln!("error: --chunk-kib must be at least 1");
        return ExitCode::FAILURE;
    }
    let buffer = make_buffer(args.size_kib * 1024); // a local: the jobs borrow it
    let zero_bytes = AtomicU64::new(0); // a local: the handler writes here
    let outcome = ringpool::scope(
        Pool::builder().workers(args.workers).queue_capacity(8),
        |_, (index, chunk): (usize, &[u8])| {
            let zeros = chunk.iter().filter(|&&b| b == 0).count() as u64;
            zero_bytes.fetch_add(zeros, Ordering::Relaxed);
            (index, chunk.len(), fnv1a(chunk), zeros)
        },
        |pool| {
            let results = pool.results().expect("this pool collects results");
            let chunks = buffer.chunks(args.chunk_kib * 1024).enumerate();
            let mut rows = std::thread::scope(|s| {
                // Drain while submitting: the queue holds only 8 chunks.
                let drainer = s.spawn(|| {
                    results
                        .map(|r| r.outcome.expect("the handler does not fail"))
                        .collect::<Vec<_>>()
                });
                for job in chunks {
                    pool.submit(job).expect("the pool is open");
                }
                pool.close();
                drainer.join().expect("the drainer does not panic")
            });
            rows.sort_unstable();
            rows
        },
    );
    let rows = match outcome {
        Ok(rows) => rows,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Every worker has been joined: `buffer` and `zero_bytes` are ours again.
    let chunk_len = args.chunk_kib * 1024;
    for &(index, len, sum, zeros) in &rows {
        let at = index * chunk_len;
        println!("chunk {index}: {len} bytes at {at}, fnv1a {sum:#018x}, {zeros} zero bytes");
    }
    let parallel = combine(rows.iter().map(|&(_, _, sum, _)| sum));
    let sequential = combine(buffer.chunks(chunk_len).map(fnv1a));
    let zeros = zero_bytes.into_inner();
    let expected_zeros = buffer.iter().filter(|&&b| b == 0).count() as u64;
    let verdict = if parallel == sequential && zeros == expected_zeros {
        "match"
    } else {
        "MISMATCH"
    };
    println!(
        "{} bytes in {} chunks on {} workers: checksum {parallel:#018x} (sequential {sequential:#018x}), {zeros} zero bytes: {verdict}",
        buffer.len(),
        rows.len(),
        args.workers,
    );
    if verdict == "match" {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
