#!/usr/bin/env bash
# The loom model checks (loom-tests/tests/*.rs) with the suite's settings:
# LOOM_MAX_PREEMPTIONS=2 (small models add 1, see loom-tests/src/support.rs),
# release build, its own target dir so that --cfg loom does not rebuild the
# normal one. Override LOOM_MAX_PREEMPTIONS to explore more (slower).
source "$(dirname "$0")/lib.sh"
export LOOM_MAX_PREEMPTIONS="${LOOM_MAX_PREEMPTIONS:-2}"
step "loom (LOOM_MAX_PREEMPTIONS=$LOOM_MAX_PREEMPTIONS)"
RUSTFLAGS="--cfg loom" cargo test --release -p ringpool-loom-tests --target-dir target/loom
