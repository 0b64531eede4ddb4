#!/usr/bin/env bash
# The firmware example (examples/qemu-cortex-m): ringpool-core in a Cortex-M3
# image on QEMU's lm3s6965evb, fed from the SysTick interrupt in both
# directions. Exits non-zero if the firmware reports a failure or overruns the
# time limit. (The core's other bare-metal builds are ci/no-std.sh's.)
source "$(dirname "$0")/lib.sh"

need_target thumbv7m-none-eabi
need_apt qemu-system-arm

cd examples/qemu-cortex-m
step "clippy (firmware, thumbv7m-none-eabi)"
cargo clippy --release -- -D warnings
step "build the firmware"
cargo build --release
step "run the firmware under qemu-system-arm (limit ${QEMU_TIMEOUT:=300}s)"
# timeout signals its whole process group, so QEMU goes down with cargo.
timeout --kill-after=10 "$QEMU_TIMEOUT" cargo run --release
