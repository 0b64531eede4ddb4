#!/usr/bin/env bash
# Final interleaved A/B of benches/notes/ring-2026-11-30.md: every ring is a copy crate
# (base = c57fb00, final = wt-ring HEAD, remap = final with the cache remap
# put back), so no variant gets the path crate's codegen. Harness: h2/.
set -u
B=${B:-/tmp/ab/h2/target/release/ab2}
R=${R:-101}
echo "# $(date -u) $(uptime) $(lscpu | grep 'Model name')"
echo "## A: batches of 8 vs ArrayQueue single items, capacity 128"
PAIRS="final-b8/aq,final/aq,final-b8/final" nice -n -5 $B $R 500000 128 1,2 aq,final,final-b8
echo "## B: capacity sweep, 1/1, single items and batches of 8"
PAIRS="base/aq,final/aq,final/base,final-b8/aq" nice -n -5 $B $R 500000 16,128,1024,65536 1 aq,base,final,final-b8
echo "## C: single path A/B at 2/2 and the remap"
PAIRS="final/base,final/remap,final-b8/remap-b8" nice -n -5 $B $R 500000 128,1024 1,2 base,final,remap,final-b8,remap-b8
echo "# end $(date -u) $(uptime)"
