#!/usr/bin/env bash
# Prints the medians of the last `cargo bench -p ringpool-benches --bench ring`
# run as items/s, and ringpool's ratio to each peer, from criterion's
# target/criterion/<group>/<queue>/new/estimates.json. Needs jq.
# Keep ITEMS in step with ITEMS_PER_ITER in benches/ring.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
ITEMS=10000
dir=target/criterion
command -v jq >/dev/null || { echo "jq is needed" >&2; exit 1; }
mitems() { # group queue -> median Mitems/s, or empty
    local f="$dir/$1/$2/new/estimates.json"
    [ -f "$f" ] || return 0
    jq -r --argjson n "$ITEMS" '$n / .median.point_estimate * 1000' "$f"
}
printf '%-10s %12s %12s %12s %14s %14s\n' config ringpool ArrayQueue heapless 'rp/ArrayQueue' 'rp/heapless'
for g in ring_1p1c ring_2p2c ring_4p4c; do
    rp=$(mitems "$g" ringpool); aq=$(mitems "$g" ArrayQueue); hl=$(mitems "$g" heapless)
    [ -n "$rp" ] || continue
    ratio() { [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }' || echo '-'; }
    fmt() { [ -n "$1" ] && awk -v a="$1" 'BEGIN { printf "%.2f M/s", a }' || echo '-'; }
    printf '%-10s %12s %12s %12s %14s %14s\n' "${g#ring_}" "$(fmt "$rp")" "$(fmt "$aq")" "$(fmt "$hl")" \
        "$(ratio "$rp" "$aq")" "$(ratio "$rp" "$hl")"
done
