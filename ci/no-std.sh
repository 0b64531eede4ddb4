#!/usr/bin/env bash
# ringpool-core builds for bare-metal targets: three with compare-and-swap,
# and thumbv6m-none-eabi (no CAS) through the portable-atomic feature.
source "$(dirname "$0")/lib.sh"
cas_targets=(thumbv7m-none-eabi thumbv7em-none-eabihf riscv32imac-unknown-none-elf)
need_target "${cas_targets[@]}" thumbv6m-none-eabi
for t in "${cas_targets[@]}"; do
    step "build ringpool-core for $t"
    cargo build -p ringpool-core --release --target "$t"
done
step "build ringpool-core for thumbv6m-none-eabi (portable-atomic)"
cargo build -p ringpool-core --release --target thumbv6m-none-eabi --features portable-atomic
