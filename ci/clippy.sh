#!/usr/bin/env bash
# clippy with -D warnings on every target of every workspace crate, with and
# without loom.
source "$(dirname "$0")/lib.sh"
step "clippy"
cargo clippy --workspace --all-targets -- -D warnings
step "clippy --cfg loom"
RUSTFLAGS="--cfg loom" cargo clippy -p ringpool-core -p ringpool -p ringpool-loom-tests --all-targets \
    --target-dir target/loom -- -D warnings
