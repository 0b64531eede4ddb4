#!/usr/bin/env bash
# The two-core firmware (examples/qemu-dual-core): ringpool-core's no_std
# pool shared by both Cortex-M33 cores of QEMU's mps2-an521 (SSE-200), each
# core also running the pool from its SysTick and a worker interrupt, under
# multi-threaded TCG. Exits non-zero if the firmware reports a failure or
# overruns the time limit.
source "$(dirname "$0")/lib.sh"

need_target thumbv8m.main-none-eabi
need_apt qemu-system-arm

cd examples/qemu-dual-core
step "rustfmt (dual-core firmware)"
cargo fmt -- --check
step "clippy (dual-core firmware, thumbv8m.main-none-eabi)"
cargo clippy --release -- -D warnings
step "build the dual-core firmware"
cargo build --release
step "run it under qemu-system-arm -machine mps2-an521 -accel tcg,thread=multi (limit ${QEMU_TIMEOUT:=300}s)"
# timeout signals its whole process group, so QEMU goes down with cargo.
timeout --kill-after=10 "$QEMU_TIMEOUT" cargo run --release
