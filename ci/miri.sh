#!/usr/bin/env bash
# ringpool-core's tests under miri (undefined behaviour, data races, leaks).
# Iteration counts shrink under cfg(miri); proptest runs only outside miri
# (core/tests/model.rs drives the same checker from a fixed seed instead).
source "$(dirname "$0")/lib.sh"
need_nightly miri rust-src
step "cargo miri setup"
cargo +nightly miri setup
step "cargo miri test -p ringpool-core (-Zmiri-strict-provenance)"
MIRIFLAGS="${MIRIFLAGS:-} -Zmiri-strict-provenance" cargo +nightly miri test -p ringpool-core --target-dir target/miri
