#!/usr/bin/env bash
# The library crates (core, the std pool, the C library) build with the
# workspace's declared `rust-version`, read from Cargo.toml, so the
# declaration cannot silently become false.
source "$(dirname "$0")/lib.sh"
msrv=$(sed -n 's/^rust-version *= *"\(.*\)"/\1/p' Cargo.toml | head -n 1)
[ -n "$msrv" ] || { echo "FAIL: no rust-version in Cargo.toml" >&2; exit 1; }
if ! rustup toolchain list | grep -q "^$msrv"; then
    rustup toolchain install "$msrv" --profile minimal || skip "cannot install Rust $msrv"
fi
step "cargo +$msrv check (ringpool-core, ringpool, ringpool-capi)"
cargo "+$msrv" check -p ringpool-core -p ringpool -p ringpool-capi --all-features --target-dir target/msrv
