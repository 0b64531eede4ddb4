//! The panic boundary: every export runs its body through [`guard`], so a
//! Rust panic becomes `RINGPOOL_STATUS_PANIC` instead of unwinding into C
//! (which would abort the process, or worse).

use crate::status::ringpool_status;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Runs `body`; a panic inside it becomes [`ringpool_status::Panic`].
///
/// `AssertUnwindSafe` is sound here in the sense that matters: after a
/// panic the C caller only gets an error code, and the pool's own state is
/// kept consistent by the pool (its locks ignore poison, its counters are
/// atomics).
pub fn guard(body: impl FnOnce() -> ringpool_status) -> ringpool_status {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(ringpool_status::Panic)
}
