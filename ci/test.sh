#!/usr/bin/env bash
# The workspace's unit, integration, property and doc tests (release: the
# stress tests run real contention).
source "$(dirname "$0")/lib.sh"
step "cargo test --workspace"
cargo test --workspace --release
step "cargo test -p ringpool --features stream --test async_api (futures_core::Stream)"
cargo test -p ringpool --release --features stream --test async_api
