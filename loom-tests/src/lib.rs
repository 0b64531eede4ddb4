//! loom models of ringpool's core and of every sleep/wake protocol.
//!
//! The models live in `tests/` and build only with `RUSTFLAGS="--cfg loom"`:
//!
//! ```text
//! LOOM_MAX_PREEMPTIONS=2 RUSTFLAGS="--cfg loom" \
//!     cargo test --release -p ringpool-loom-tests --target-dir target/loom
//! ```
//!
//! (`ci/loom.sh` runs exactly that.) This library holds what the models
//! share, built only under `--cfg loom`: `check`, which runs a model under a
//! preemption bound derived from `LOOM_MAX_PREEMPTIONS`, and `Tracked`, an
//! item that counts its drops; and `pool`, for the models of the std
//! pool's real code (`tests/pool_*.rs`: a tiny `ringpool::Pool` built on
//! loom's primitives, a fixed small preemption bound, a run log).
#![cfg_attr(not(loom), allow(unused))]

#[cfg(loom)]
pub mod pool;
#[cfg(loom)]
mod support;

#[cfg(loom)]
pub use support::{DropLog, Tracked, check, drain, ids, precycle};
