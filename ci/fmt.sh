#!/usr/bin/env bash
# rustfmt over the workspace and the firmware example.
source "$(dirname "$0")/lib.sh"
step "rustfmt"
cargo fmt --all -- --check
if [ -f examples/qemu-cortex-m/Cargo.toml ]; then
    (cd examples/qemu-cortex-m && cargo fmt -- --check)
fi
