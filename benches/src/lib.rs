//! Benchmarks of ringpool against its peers: the workloads shared by the
//! criterion benches (`benches/`) and the report binary (`src/bin/report`).
//!
//! * [`queues`]: bounded MPMC queues behind one trait, and the producer /
//!   consumer transfer that times them (the ring rows).
//! * [`pools`]: worker pools behind one trait (ringpool, a Go-style pool of
//!   crossbeam-channel bounded channels, the Rust-book pool over std mpsc, the
//!   `threadpool` crate, rayon), the job handlers (tiny `x * 2`, calibrated
//!   spin), and the drivers that time throughput and submit-to-result latency
//!   (the pool rows).
//! * [`circulation`]: items circulating through a full queue, including one
//!   SCQ index ring on its own (the ring floor rows).
//! * [`pipeline`]: the pool pipeline over bare queues with spinning waits,
//!   no pool around it (the pool bound rows).

pub mod circulation;
pub mod pipeline;
pub mod pools;
pub mod queues;
