#!/usr/bin/env bash
# The firmware example (examples/qemu-cortex-m): ringpool-core in a Cortex-M3
# image on QEMU's lm3s6965evb, fed from the SysTick interrupt in both
# directions. Exits non-zero if the firmware reports a failure or overruns the
# time limit. Also keeps the core's other bare-metal builds green while no
# ci/no-std.sh does that.
source "$(dirname "$0")/lib.sh"

need_target thumbv7m-none-eabi
need_apt qemu-system-arm

(
    cd examples/qemu-cortex-m
    step "clippy (firmware, thumbv7m-none-eabi)"
    cargo clippy --release -- -D warnings
    step "build the firmware"
    cargo build --release
    step "run the firmware under qemu-system-arm (limit ${QEMU_TIMEOUT:=300}s)"
    # timeout signals its whole process group, so QEMU goes down with cargo.
    timeout --kill-after=10 "$QEMU_TIMEOUT" cargo run --release
)

# ringpool-core on the other bare-metal targets (GUIDE.md §5). ci/no-std.sh,
# where it exists, owns these builds; until then they run here.
if [ ! -f ci/no-std.sh ]; then
    need_target thumbv6m-none-eabi riscv32imac-unknown-none-elf
    step "ringpool-core for thumbv6m-none-eabi (portable-atomic)"
    cargo build -p ringpool-core --target thumbv6m-none-eabi --features portable-atomic
    step "ringpool-core for riscv32imac-unknown-none-elf"
    cargo build -p ringpool-core --target riscv32imac-unknown-none-elf
fi
