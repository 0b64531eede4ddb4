//! Scratch A/B harness (not in the repository): ArrayQueue vs the ring before
//! (c57fb00, `base`) and after (wt-ring HEAD, `final`; `remap` = final with the cache remap put back), single items and batches,
//! interleaved rounds, medians of per-round ratios.
use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

trait Q: Sync {
    fn make(cap: usize) -> Self;
    /// Pushes at least one item from `next`, or returns false (full).
    fn push_some(&self, next: &mut std::ops::Range<u64>) -> bool;
    /// Pops at least one item (at most `left`), adding to `sum`; count popped.
    fn pop_some(&self, left: u64, sum: &mut u64) -> u64;
}

struct Aq(crossbeam_queue::ArrayQueue<u64>);
impl Q for Aq {
    fn make(cap: usize) -> Self { Self(crossbeam_queue::ArrayQueue::new(cap)) }
    #[inline] fn push_some(&self, next: &mut std::ops::Range<u64>) -> bool {
        let v = next.start; if self.0.push(v).is_ok() { next.start += 1; true } else { false } }
    #[inline] fn pop_some(&self, _left: u64, sum: &mut u64) -> u64 {
        match self.0.pop() { Some(v) => { *sum = sum.wrapping_add(v); 1 } None => 0 } }
}

macro_rules! heap_storage { ($name:ident, $krate:ident) => {
    struct $name { slots: Box<[$krate::Slot<u64>]>, entries: Box<[$krate::Entry]> }
    unsafe impl $krate::Storage for $name {
        type Item = u64;
        fn slots(&self) -> &[$krate::Slot<u64>] { &self.slots }
        fn entries(&self) -> &[$krate::Entry] { &self.entries }
    }
    impl $name { fn ring(cap: usize) -> $krate::GenericRing<$name> {
        let s = $name { slots: (0..cap).map(|_| $krate::Slot::new()).collect(),
            entries: (0..$krate::entries_for(cap)).map(|_| $krate::Entry::new()).collect() };
        $krate::GenericRing::with_storage(s, cap).unwrap() } }
}}
macro_rules! single { ($name:ident, $st:ident, $krate:ident) => {
    struct $name($krate::GenericRing<$st>);
    impl Q for $name {
        fn make(cap: usize) -> Self { Self($st::ring(cap)) }
        #[inline] fn push_some(&self, next: &mut std::ops::Range<u64>) -> bool {
            let v = next.start; if self.0.push(v).is_ok() { next.start += 1; true } else { false } }
        #[inline] fn pop_some(&self, _left: u64, sum: &mut u64) -> u64 {
            match self.0.pop() { Ok(v) => { *sum = sum.wrapping_add(v); 1 } Err(_) => 0 } }
    }
}}
macro_rules! batch { ($name:ident, $st:ident, $krate:ident) => {
    struct $name<const K: usize>($krate::GenericRing<$st>);
    impl<const K: usize> Q for $name<K> {
        fn make(cap: usize) -> Self { Self($st::ring(cap)) }
        #[inline] fn push_some(&self, next: &mut std::ops::Range<u64>) -> bool {
            match self.0.push_batch(&mut next.by_ref().take(K)) { Ok(n) => n > 0, Err(e) => e.pushed() > 0 } }
        #[inline] fn pop_some(&self, left: u64, sum: &mut u64) -> u64 {
            self.0.pop_batch((left as usize).min(K), |v| *sum = sum.wrapping_add(v)).unwrap_or(0) as u64 }
    }
}}
heap_storage!(BaseS, base);
heap_storage!(FinS, fin);
heap_storage!(RemapS, remap);
single!(BaseR, BaseS, base);
single!(FinR, FinS, fin);
single!(RemapR, RemapS, remap);
batch!(FinB, FinS, fin);
batch!(RemapB, RemapS, remap);

fn pick(name: &str, cap: usize, t: usize, total: u64) -> f64 {
    match name {
        "aq" => run::<Aq>(cap, t, total),
        "base" => run::<BaseR>(cap, t, total),
        "final" => run::<FinR>(cap, t, total),
        "final-b8" => run::<FinB<8>>(cap, t, total),
        "final-b16" => run::<FinB<16>>(cap, t, total),
        "remap" => run::<RemapR>(cap, t, total),
        "remap-b8" => run::<RemapB<8>>(cap, t, total),
        _ => panic!("unknown variant {name}"),
    }
}

fn pick_st(name: &str, cap: usize, pat: &str, iters: u64) -> u64 {
    match name {
        "aq" => st::<Aq>(cap, pat, iters),
        "base" => st::<BaseR>(cap, pat, iters),
        "final" => st::<FinR>(cap, pat, iters),
        "final-b8" => st::<FinB<8>>(cap, pat, iters),
        "remap" => st::<RemapR>(cap, pat, iters),
        _ => panic!("unknown variant {name}"),
    }
}

fn backoff(retries: &mut u32, since: &mut Option<Instant>) {
    if *retries < 8 { std::hint::spin_loop() } else {
        thread::yield_now();
        if *retries % 64 == 0 { let s = *since.get_or_insert_with(Instant::now);
            if s.elapsed() > Duration::from_secs(20) { eprintln!("stuck"); std::process::exit(2) } }
    }
    *retries += 1;
}

fn share(total: u64, parts: usize, part: usize) -> u64 {
    let p = parts as u64; total / p + u64::from((part as u64) < total % p) }

fn run<T: Q>(cap: usize, threads: usize, total: u64) -> f64 {
    let q = Box::new(T::make(cap)); let q = &*q;
    let b = Barrier::new(2 * threads); let b = &b;
    let (spans, sum) = thread::scope(|s| {
        let mut first = 0; let mut ps = vec![];
        for p in 0..threads { let n = share(total, threads, p); let mut r = first..first + n; first += n;
            ps.push(s.spawn(move || { b.wait(); let t0 = Instant::now();
                let (mut tries, mut since) = (0, None);
                while !r.is_empty() { if q.push_some(&mut r) { tries = 0; since = None } else { backoff(&mut tries, &mut since) } }
                (t0, Instant::now()) })); }
        let cs: Vec<_> = (0..threads).map(|c| { let mut left = share(total, threads, c);
            s.spawn(move || { b.wait(); let t0 = Instant::now(); let mut sum = 0u64;
                let (mut tries, mut since) = (0, None);
                while left > 0 { let n = q.pop_some(left, &mut sum); if n > 0 { left -= n; tries = 0; since = None } else { backoff(&mut tries, &mut since) } }
                (t0, Instant::now(), sum) }) }).collect();
        let mut spans = vec![]; let mut sum = 0u64;
        for c in cs { let (a, e, x) = c.join().unwrap(); spans.push((a, e)); sum = sum.wrapping_add(x); }
        for p in ps { spans.push(p.join().unwrap()); }
        (spans, sum) });
    assert_eq!(sum, (0..total).fold(0u64, u64::wrapping_add), "lost items");
    let d = spans.iter().map(|s| s.1).max().unwrap() - spans.iter().map(|s| s.0).min().unwrap();
    total as f64 / d.as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 { v.sort_by(|a, b| a.partial_cmp(b).unwrap()); v[v.len() / 2] }

/// Single-thread patterns for callgrind/cachegrind: `st <variant> <pattern> <cap> <iters>`.
fn st<T: Q>(cap: usize, pattern: &str, iters: u64) -> u64 {
    let q = T::make(cap);
    let mut sum = 0u64;
    let mut r = 0..u64::MAX;
    if pattern == "empty" { assert!(q.push_some(&mut r)); assert_eq!(q.pop_some(1, &mut sum), 1); }
    for _ in 0..iters {
        match pattern {
            // one push, one pop
            "pair" => { assert!(q.push_some(&mut r)); assert_eq!(q.pop_some(1, &mut sum), 1); }
            // a pop on an empty ring
            "empty" => { assert_eq!(q.pop_some(1, &mut sum), 0); }
            // fill to capacity, drain
            "burst" => { let mut n = 0; while (n as usize) < cap { if q.push_some(&mut r) { n += 1 } else { break } }
                         let mut left = cap as u64; while left > 0 { left -= q.pop_some(left, &mut sum); } }
            _ => panic!(),
        }
    }
    std::hint::black_box(sum)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("st") {
        let (v, pat, cap, iters) = (&args[2], &args[3], args[4].parse().unwrap(), args[5].parse().unwrap());
        // warm one pass so `empty` follows a push/pop
        let s = pick_st(v, cap, pat, iters);
        println!("{s}");
        return;
    }
    let rounds: usize = args.get(1).map_or(11, |s| s.parse().unwrap());
    let total: u64 = args.get(2).map_or(200_000, |s| s.parse().unwrap());
    let caps: Vec<usize> = args.get(3).map_or(vec![128], |s| s.split(',').map(|x| x.parse().unwrap()).collect());
    let threads: Vec<usize> = args.get(4).map_or(vec![1, 2], |s| s.split(',').map(|x| x.parse().unwrap()).collect());
    let which: String = args.get(5).cloned().unwrap_or("aq,old,new,b8".into());
    for &t in &threads { for &cap in &caps {
        let names: Vec<&str> = which.split(',').collect();
        let mut per: Vec<Vec<f64>> = vec![vec![]; names.len()];
        for _ in 0..rounds { for (i, n) in names.iter().enumerate() {
            let r = pick(n, cap, t, total);
            per[i].push(r); } }
        let mut line = format!("{t}/{t} cap {cap:>6}:");
        for (i, n) in names.iter().enumerate() {
            let ratio = median(per[i].iter().zip(&per[0]).map(|(a, b)| a / b).collect());
            line += &format!("  {n} {:.2}M ({:.2}x {})", median(per[i].clone()) / 1e6, ratio, names[0]);
        }
        for pair in std::env::var("PAIRS").unwrap_or("new/old".into()).split(',') {
            let (a, b) = pair.split_once('/').unwrap();
            if let (Some(x), Some(y)) = (names.iter().position(|n| *n == a), names.iter().position(|n| *n == b)) {
                let rs: Vec<f64> = per[x].iter().zip(&per[y]).map(|(p, q)| p / q).collect();
                let mut sorted = rs.clone(); sorted.sort_by(|p, q| p.partial_cmp(q).unwrap());
                line += &format!("  {a}/{b} {:.2}x [{:.2}-{:.2}]", median(rs), sorted[sorted.len() / 4], sorted[sorted.len() * 3 / 4]);
            }
        }
        println!("{line}");
    } }
}
