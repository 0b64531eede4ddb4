#!/usr/bin/env bash
# What ringpool-core costs in this firmware: flash for its code, flash and RAM
# for a Ring<u32, 16> and a CompletionCounter. Prints the raw tool output the
# README's figures come from. Needs llvm-nm, llvm-size and llvm-addr2line
# (Debian package `llvm`; override with NM=, SIZE=, ADDR2LINE=).
set -euo pipefail
cd "$(dirname "$0")"
NM=${NM:-llvm-nm}
SIZE=${SIZE:-llvm-size}
ADDR2LINE=${ADDR2LINE:-llvm-addr2line}
ELF=target/thumbv7m-none-eabi/release/ringpool-qemu-cortex-m

# Readable names: drop the hash, undo the legacy mangling's escapes.
tidy() {
    sed -E 's/::h[0-9a-f]{16}$//; s/\$LT\$/</g; s/\$GT\$/>/g; s/\$u20\$/ /g; s/\.\./::/g; s/(^|  )_</\1</'
}

cargo build --release -q

echo "== image sections: $SIZE -A $ELF"
"$SIZE" -A "$ELF" | grep -E '^\.(vector_table|text|rodata|data|bss) '

echo
echo "== the statics: $NM -S -C $ELF (size in hex; d = .data, b = .bss)"
"$NM" -S -C "$ELF" | grep -E '::(TO_MAIN|TO_ISR|PENDING)::' | tidy

echo
echo "== out-of-line ringpool-core functions: $NM -S --size-sort -C $ELF"
sum=0
while read -r addr size kind name; do
    if [[ $kind == [tT] && $name == *ringpool_core* ]]; then
        printf '%6d  %s\n' $((16#$size)) "$name" | tidy
        sum=$((sum + 16#$size))
    fi
done < <("$NM" -S --size-sort -C "$ELF")
echo "   total $sum bytes"

echo
echo "== every .text byte whose inline chain has a ringpool-core frame"
echo "   ($ADDR2LINE -i -f on each halfword of .text; outermost core frame)"
read -r text_size text_addr < <("$SIZE" -A "$ELF" | awk '$1 == ".text" { print $2, $3 }')
seq "$text_addr" 2 $((text_addr + text_size - 1)) | awk '{ printf "0x%x\n", $1 }' |
    "$ADDR2LINE" -e "$ELF" -a -f -i -C |
    awk '
        function flush() { if (top != "") { total += 2; by[top] += 2 }; top = "" }
        /^0x[0-9a-f]+$/ { flush(); line = 0; next }
        { line++ }
        line % 2 == 1 && /ringpool_core/ { top = $0 }
        END {
            flush()
            for (f in by) printf "%6d  %s\n", by[f], f | "sort -rn"
            close("sort -rn")
            printf "   total %d bytes\n", total
        }' | tidy
