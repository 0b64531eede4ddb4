#!/usr/bin/env bash
# ringpool-core's tests under miri (undefined behaviour, data races, leaks),
# and the std pool's scoped-pool tests.
# Iteration counts shrink under cfg(miri); proptest runs only outside miri
# (core/tests/model.rs drives the same checker from a fixed seed instead).
source "$(dirname "$0")/lib.sh"
need_nightly miri rust-src
step "cargo miri setup"
cargo +nightly miri setup
step "cargo miri test -p ringpool-core (-Zmiri-strict-provenance)"
MIRIFLAGS="${MIRIFLAGS:-} -Zmiri-strict-provenance" cargo +nightly miri test -p ringpool-core --target-dir target/miri
# The scoped pool: the one place where ringpool erases lifetimes (worker
# bodies, the lent handler). Small sizes under cfg(miri); about a minute.
step "cargo miri test -p ringpool --test scope (-Zmiri-strict-provenance)"
MIRIFLAGS="${MIRIFLAGS:-} -Zmiri-strict-provenance" cargo +nightly miri test -p ringpool --test scope --target-dir target/miri
