//! A small async service on tokio that offloads CPU work (hashing) to a
//! ringpool pool, with backpressure: the pool's queue holds at most
//! `QUEUE` chunks, so clients that produce faster than the workers hash
//! wait in `submit_async` (without blocking tokio's threads) instead of
//! piling work up without bound, as `spawn_blocking` would.
//!
//! * `CLIENTS` client tasks each send `CHUNKS` chunks of data to hash.
//!   Odd clients are impatient: when the queue stays full for a
//!   millisecond they take the chunk back (`SubmitFuture::cancel`: it was
//!   never queued) and try again later.
//! * One collector task receives every digest with `recv_async` and
//!   combines each client's chunk digests in order.
//! * The main task waits for the clients, `wait_async`s for the last jobs,
//!   closes the pool (the collector's stream then ends), and checks every
//!   client's digest against the same hash computed here, sequentially.
//!
//! The hash is iterated 64-bit FNV-1a, written out below (no crate).
//!
//! ```sh
//! cargo run --release -p ringpool --example async_service
//! ```

use ringpool::{JobId, Pool};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const CLIENTS: usize = 8;
const CHUNKS: usize = 64;
const CHUNK_BYTES: usize = 4096;
/// FNV passes over each chunk: enough work to make the pool the bottleneck.
const ROUNDS: u32 = 16;
const WORKERS: usize = 2;
const QUEUE: usize = 4;

/// One chunk of one client's data.
struct Chunk {
    client: usize,
    index: usize,
    data: Vec<u8>,
}

/// A chunk's digest, tagged with where it belongs.
struct Digest {
    client: usize,
    index: usize,
    value: u64,
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// 64-bit FNV-1a over `bytes`, continuing from `state`.
fn fnv1a(mut state: u64, bytes: &[u8]) -> u64 {
    for &byte in bytes {
        state ^= u64::from(byte);
        state = state.wrapping_mul(FNV_PRIME);
    }
    state
}

/// The CPU-bound job: `ROUNDS` chained FNV-1a passes over the chunk.
fn hash_chunk(data: &[u8]) -> u64 {
    (0..ROUNDS).fold(FNV_OFFSET, |state, _| fnv1a(state, data))
}

/// A client's digest: FNV-1a over its chunk digests, in chunk order.
fn combine(digests: &[u64]) -> u64 {
    digests
        .iter()
        .fold(FNV_OFFSET, |state, d| fnv1a(state, &d.to_le_bytes()))
}

/// Deterministic test data (xorshift64) for chunk `index` of `client`.
fn chunk_data(client: usize, index: usize) -> Vec<u8> {
    let mut x = (client as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ (index as u64 + 1);
    (0..CHUNK_BYTES)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[derive(Default)]
struct Stats {
    /// Submit polls that found the queue full (the future then waited).
    waited: AtomicU64,
    /// Chunks an impatient client took back and submitted again.
    retried: AtomicU64,
}

/// Offloads one chunk; an impatient client gives up on a queue that stays
/// full for a millisecond, takes the chunk back and tries again.
async fn offload(
    pool: &Pool<Chunk, Digest>,
    chunk: Chunk,
    impatient: bool,
    stats: &Stats,
) -> JobId {
    let mut chunk = chunk;
    loop {
        let mut submit = pool.submit_async(chunk);
        let counted = std::future::poll_fn(|cx| {
            let poll = std::pin::Pin::new(&mut submit).poll(cx);
            if poll.is_pending() {
                stats.waited.fetch_add(1, Ordering::Relaxed);
            }
            poll
        });
        if !impatient {
            return counted.await.expect("the pool is open while clients run");
        }
        tokio::select! {
            id = counted => return id.expect("the pool is open while clients run"),
            () = tokio::time::sleep(Duration::from_millis(1)) => {}
        }
        // The select dropped only the counting wrapper; the submit future
        // still holds the chunk, which was never queued.
        chunk = submit
            .cancel()
            .expect("an unresolved submit still holds its job");
        stats.retried.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let pool = Arc::new(
        Pool::builder()
            .workers(WORKERS)
            .queue_capacity(QUEUE)
            .build(|_, chunk: Chunk| Digest {
                client: chunk.client,
                index: chunk.index,
                value: hash_chunk(&chunk.data),
            })
            .expect("valid pool settings"),
    );
    let stats = Arc::new(Stats::default());

    // The collector: every digest, through the async result stream.
    let results = pool.results().expect("the pool keeps results");
    let collector = tokio::spawn(async move {
        let mut digests = vec![vec![None; CHUNKS]; CLIENTS];
        while let Some(result) = results.recv_async().await {
            let digest = result.outcome.expect("hashing cannot fail");
            let slot = &mut digests[digest.client][digest.index];
            assert!(
                slot.is_none(),
                "chunk {} of client {} twice",
                digest.index,
                digest.client
            );
            *slot = Some(digest.value);
        }
        digests
    });

    // The clients.
    let clients: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let pool = Arc::clone(&pool);
            let stats = Arc::clone(&stats);
            tokio::spawn(async move {
                for index in 0..CHUNKS {
                    let data = chunk_data(client, index);
                    let chunk = Chunk {
                        client,
                        index,
                        data,
                    };
                    offload(&pool, chunk, client % 2 == 1, &stats).await;
                }
            })
        })
        .collect();
    for client in clients {
        client.await.expect("a client task failed");
    }
    pool.wait_async().await.expect("not called from a handler");
    pool.close(); // the collector's stream ends once it has every result
    let digests = collector.await.expect("the collector failed");

    let mut all_match = true;
    for (client, chunks) in digests.iter().enumerate() {
        let got: Vec<u64> = chunks
            .iter()
            .map(|d| d.expect("every chunk has a digest"))
            .collect();
        let expected: Vec<u64> = (0..CHUNKS)
            .map(|index| hash_chunk(&chunk_data(client, index)))
            .collect();
        all_match &= got == expected;
        println!(
            "client {}: {} chunks, digest {:016x}",
            client + 1,
            got.len(),
            combine(&got)
        );
    }
    let m = pool.metrics();
    println!(
        "backpressure: queue of {QUEUE}, {} submit polls waited for room, {} chunks taken back and resubmitted",
        stats.waited.load(Ordering::Relaxed),
        stats.retried.load(Ordering::Relaxed)
    );
    if !all_match || m.succeeded != (CLIENTS * CHUNKS) as u64 {
        eprintln!("FAIL: digests differ from a sequential run, or jobs were lost");
        std::process::exit(1);
    }
    println!(
        "verified: {} chunks hashed exactly once, digests equal to a sequential run",
        m.succeeded
    );
}
