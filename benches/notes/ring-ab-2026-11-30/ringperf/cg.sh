#!/bin/bash
# cg.sh VARIANT PATTERN CAP : instructions per item (burst: per pushed+popped item; pair: per pair; empty: per poll)
cd /tmp/abp/h; B=${BIN:-target/release/abp}; v=$1; p=${2:-burst}; c=${3:-128}; I=${4:-1000}
for it in $I 0; do valgrind --tool=callgrind --callgrind-out-file=/tmp/abp/cg.$v.$p.$it $B st $v $p $c $it >/dev/null 2>/tmp/abp/cgerr.$v.$p.$it; done
a=$(grep -oP 'Collected : \K[0-9]+' /tmp/abp/cgerr.$v.$p.$I); b=$(grep -oP 'Collected : \K[0-9]+' /tmp/abp/cgerr.$v.$p.0)
n=$I; [ $p = burst ] && n=$((I*c))
echo "$v $p cap $c: $(( (a-b)/n )) instr/item"
