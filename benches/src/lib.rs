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
//! * [`batch`]: several items per push and pop call (the batch rows).
//! * [`peers`]: every queue type of the ring rows at every capacity, by
//!   name, for the report and its child processes.
//! * [`child`]: one measurement in a child process with a deadline (a peer
//!   that wedges inside a call costs a deadline, not a hang).
//! * [`interrupt`]: a signal handler that pushes and pops while the thread
//!   it interrupted is inside a push or pop (what lock-freedom buys).
//! * [`pipeline`]: the pool pipeline over bare queues with spinning waits,
//!   no pool around it (the pool bound rows).

pub mod batch;
pub mod child;
pub mod circulation;
pub mod interrupt;
pub mod peers;
pub mod pipeline;
pub mod pools;
pub mod queues;
