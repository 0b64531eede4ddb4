// Scratch binary for benches/notes/latency-settle-2026-11-30.md: a package with
// `ringpool-benches` and `ringpool` as path dependencies, this file as src/bin/rep4.rs.
use ringpool_benches::pools::{Drain, PoolPeer, Ringpool, RingpoolHelping, ThreadPoolCrate, Rayon, GoStyleCrossbeam, Work};
use std::time::{Duration, Instant};
fn run<P: PoolPeer>(pre: Duration) -> String {
    let (pool, mut drain) = P::start(2, Work::Tiny);
    std::thread::sleep(pre);
    let mut v = Vec::new();
    for j in 0..200u64 {
        std::thread::sleep(Duration::from_micros(200));
        let t0 = Instant::now();
        pool.submit(j);
        let _ = drain.recv();
        v.push(t0.elapsed());
    }
    pool.finish();
    let mut s = String::new();
    for c in v.chunks(40) { let mut c = c.to_vec(); c.sort(); s += &format!("{:.1?} ", c[20]); }
    s
}
fn main() {
    for pre in [Duration::ZERO, Duration::from_millis(100)] {
        println!("pre {pre:?}");
        println!("  ringpool  {}", run::<Ringpool>(pre));
        println!("  helping   {}", run::<RingpoolHelping>(pre));
        println!("  threadpool {}", run::<ThreadPoolCrate>(pre));
        println!("  rayon     {}", run::<Rayon>(pre));
        println!("  crossbeam {}", run::<GoStyleCrossbeam>(pre));
    }
}
