#!/usr/bin/env bash
# Runs the benchmark report's quick mode (`--quick`, seconds) into a
# temporary folder, so the committed BENCHMARKS.md is left alone, and checks
# that the report and its plots were written with every section. It checks
# that the suite works, not the numbers.
source "$(dirname "$0")/lib.sh"
step "benchmark report (--quick)"
# The plots' labels need a TrueType font (read at run time).
if [ -z "${RINGPOOL_REPORT_FONT:-}" ] && [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
    need_apt fonts-dejavu-core
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cargo build --release -p ringpool-benches --bin report
t0=$(date +%s)
cargo run --release -q -p ringpool-benches --bin report -- --quick --out "$out"
echo "report --quick ran in $(( $(date +%s) - t0 ))s"
md="$out/BENCHMARKS.md"
[ -s "$md" ] || { echo "FAIL: $md missing or empty" >&2; exit 1; }
for png in bench-throughput-workers.png bench-latency.png; do
    [ -s "$out/$png" ] || { echo "FAIL: $png missing or empty" >&2; exit 1; }
    # PNG signature
    [ "$(head -c 8 "$out/$png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] \
        || { echo "FAIL: $png is not a PNG" >&2; exit 1; }
done
for section in "## Machine" "## Method" "## Ring" "## Ring floor: one SCQ index ring against ArrayQueue" \
    "## Pool throughput: tiny jobs, 2 workers" "## Pool bounds: the same pipeline over bare queues" \
    "## Throughput against workers" "## CPU-bound efficiency" "## Latency of sporadic jobs" \
    "## Idle CPU" "## Heap allocations and memory" "## Targets" "## Skipped"; do
    grep -qxF "$section" "$md" || { echo "FAIL: section '$section' missing from the report" >&2; exit 1; }
done
for row in ringpool ArrayQueue "heapless mpmc" "crossbeam-channel bounded" "flume bounded" \
    "std sync_channel" "Go-style crossbeam-channel" "Rust-book std mpsc" threadpool \
    "rayon scope/spawn" "Go (seed design)" "one SCQ index ring (floor)" \
    "ringpool Ring (two index rings)" "bound: ringpool Ring pipeline, spinning" \
    "bound: ringpool Ring jobs, per-worker SPSC results, spinning" \
    "bound: ArrayQueue pipeline, spinning"; do
    grep -qF "| $row |" "$md" || { echo "FAIL: row '$row' missing from the report" >&2; exit 1; }
done
if grep -q "Go (seed design) | skipped" "$md"; then
    [ "${CI:-}" = "true" ] && { echo "FAIL: the Go rows were skipped under CI" >&2; grep -A3 "## Skipped" "$md" >&2; exit 1; }
    echo "note: the Go rows were skipped (see the report's Skipped section)"
fi
echo "bench report: every section and row present"
