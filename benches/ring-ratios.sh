#!/usr/bin/env bash
# Prints the medians of the last `cargo bench -p ringpool-benches --bench ring`
# run as items/s, and ringpool's ratio to each peer, from criterion's
# target/criterion/<group>/<queue>/new/estimates.json. Needs jq.
# Keep ITEMS in step with ITEMS_PER_ITER in benches/ring.rs. A peer left out
# of the last run (heapless 4/4 by default) may show an older result: its
# estimates file is not removed, so check the dates with `ls -l` if in doubt.
set -euo pipefail
cd "$(dirname "$0")/.."
ITEMS=10000
dir=target/criterion
command -v jq >/dev/null || { echo "jq is needed" >&2; exit 1; }
mitems() { # group queue -> median Mitems/s, or nothing
    local f="$dir/$1/$2/new/estimates.json"
    [ -f "$f" ] || return 0
    jq -r --argjson n "$ITEMS" '$n / .median.point_estimate * 1000' "$f"
}
printf '%-6s %-18s %14s %18s\n' config queue 'median items/s' 'ringpool / queue'
for g in ring_1p1c ring_2p2c ring_4p4c; do
    rp=$(mitems "$g" ringpool)
    [ -n "$rp" ] || continue
    for q in ringpool ArrayQueue lfqueue-const lfqueue-alloc nolock-scq crossbeam-channel flume \
        sync_channel heapless; do
        m=$(mitems "$g" "$q")
        [ -n "$m" ] || continue
        awk -v g="${g#ring_}" -v q="$q" -v m="$m" -v rp="$rp" \
            'BEGIN { printf "%-6s %-18s %12.2f M %17.2fx\n", g, q, m, rp / m }'
    done
done
