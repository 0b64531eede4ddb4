#!/usr/bin/env bash
# The interleaved A/B runs of benches/notes/ring-2026-11-30.md (scratch harness; see README there).
set -u
B=${B:-/tmp/ab/harness/target/release/ab}
R=${R:-101}
echo "# $(date -u) $(uptime)"
echo "## A: batches of 8 vs ArrayQueue single items, capacity 128"
PAIRS="b8/aq,new/aq,b8/new" nice -n -5 $B $R 500000 128 1,2 aq,new,b8
echo "## B: capacity sweep, single items, 1/1 (old = c57fb00, new = wt-ring)"
PAIRS="old/aq,new/aq,new/old" nice -n -5 $B $R 500000 16,128,1024,65536 1 aq,old,new
echo "## B2: capacity sweep, batches of 8, 1/1"
PAIRS="b8/aq" nice -n -5 $B $R 500000 16,128,1024,65536 1 aq,b8
echo "## C: single path A/B (rm = new with the cache remap put back)"
PAIRS="new/old,new/rm,rm/old" nice -n -5 $B $R 500000 128 1,2 old,new,rm
echo "## D: close without registration, upper bound (nr = new with no registration at all; close unsound)"
PAIRS="nr/new,nrb8/b8" nice -n -5 $B $R 500000 128 1,2 new,nr,b8,nrb8
echo "# end $(date -u) $(uptime)"
