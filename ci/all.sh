#!/usr/bin/env bash
# Every check, in order. This is the README's test command and what CI runs.
# With CI=true nothing may be skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
for check in fmt clippy doc msrv test example no-std loom miri tsan bench-smoke bench-report qemu qemu-dual-core c; do
    t0=$(date +%s)
    bash "ci/$check.sh"
    echo "--- ci/$check.sh took $(( $(date +%s) - t0 ))s"
done
echo "all checks passed in $(( $(date +%s) - start ))s"
