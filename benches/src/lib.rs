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

pub mod pools;
pub mod queues;
