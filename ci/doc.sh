#!/usr/bin/env bash
# The API docs build without a warning (broken intra-doc links, bad code
# blocks, missing items) for every workspace crate.
source "$(dirname "$0")/lib.sh"
step "cargo doc --workspace --no-deps (RUSTDOCFLAGS=-D warnings)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --target-dir target/doc
