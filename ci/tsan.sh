#!/usr/bin/env bash
# ThreadSanitizer over the std pool's tests (and the core's stress test),
# with std rebuilt instrumented. Stress sizes shrink by
# RINGPOOL_STRESS_SCALE (TSan is ~10x slower); the checks stay the same.
source "$(dirname "$0")/lib.sh"
need_nightly rust-src
host=$(rustc -vV | sed -n 's/^host: //p')
step "ThreadSanitizer: ringpool"
export RUSTFLAGS="-Zsanitizer=thread"
export RUSTDOCFLAGS="-Zsanitizer=thread"
# allocator_may_return_null: the hardening tests ask for tables too large to
# allocate and expect BuildError::OutOfMemory; TSan's allocator would abort
# the process instead of returning null as the system allocator does.
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 allocator_may_return_null=1"
export RINGPOOL_STRESS_SCALE="${RINGPOOL_STRESS_SCALE:-20}"
cargo +nightly test -Zbuild-std --target "$host" --target-dir target/tsan \
    -p ringpool --lib --tests
step "ThreadSanitizer: ringpool-core stress"
cargo +nightly test -Zbuild-std --target "$host" --target-dir target/tsan \
    -p ringpool-core --test stress
