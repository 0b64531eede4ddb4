#!/usr/bin/env bash
# The firmware example (examples/qemu-cortex-m): ringpool-core in a Cortex-M3
# image on QEMU's lm3s6965evb, fed from the SysTick interrupt in both
# directions, and the no_std pool run from SysTick, the main loop and a worker
# interrupt; deterministic (the runner passes -icount). Exits non-zero if the
# firmware reports a failure or overruns the time limit. Then the footprint
# images. (The core's other bare-metal builds are ci/no-std.sh's; the two-core
# firmware is ci/qemu-dual-core.sh's.)
source "$(dirname "$0")/lib.sh"

need_target thumbv7m-none-eabi
need_apt qemu-system-arm

cd examples/qemu-cortex-m
step "clippy (firmware, thumbv7m-none-eabi)"
cargo clippy --release -- -D warnings
step "build the firmware"
cargo build --release
step "run the firmware under qemu-system-arm, twice (limit ${QEMU_TIMEOUT:=300}s each)"
# timeout signals its whole process group, so QEMU goes down with cargo.
# The firmware's report (stdout) is kept; the two runs must print the same
# counts, or the run is no longer deterministic: its counts must not depend
# on how fast the host runs QEMU.
runs=$(mktemp -d)
trap 'rm -rf "$runs"' EXIT
for run in 1 2; do
    timeout --kill-after=10 "$QEMU_TIMEOUT" cargo run --release -q > "$runs/$run"
done
cat "$runs/1"
if ! diff "$runs/1" "$runs/2"; then
    echo "FAIL: two runs of the firmware printed different counts: not deterministic" >&2
    exit 1
fi

# The footprint images (examples/footprint): each 16-slot queue of the README's footprint
# table (ringpool-core's Ring and Pool, lfqueue's ConstBoundedQueue) still builds for this
# target and passes its own check under QEMU.
cd ../footprint
step "rustfmt, clippy and run the footprint images (examples/footprint)"
cargo fmt -- --check
for image in ringpool lfqueue pool; do
    cargo clippy --release -q --features "$image" -- -D warnings
    timeout --kill-after=10 60 cargo run --release -q --features "$image"
done
