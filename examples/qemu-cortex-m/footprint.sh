#!/usr/bin/env bash
# What ringpool-core costs on a Cortex-M3: prints the raw tool output the
# README's footprint figures come from.
#
# 1. This firmware: flash for the core's code, flash and RAM of its statics
#    (two Ring<u32, 16>, a CompletionCounter, phase C's Pool).
# 2. Minimal images (examples/footprint), one per 16-slot u32 queue:
#    ringpool-core's Ring, lfqueue 0.8's ConstBoundedQueue, ringpool-core's
#    Pool, and a baseline with no queue; each is run once under QEMU first.
#
# Needs llvm-nm, llvm-size and llvm-addr2line (Debian package `llvm`;
# override with NM=, SIZE=, ADDR2LINE=) and qemu-system-arm.
set -euo pipefail
cd "$(dirname "$0")"
NM=${NM:-llvm-nm}
SIZE=${SIZE:-llvm-size}
ADDR2LINE=${ADDR2LINE:-llvm-addr2line}
ELF=target/thumbv7m-none-eabi/release/ringpool-qemu-cortex-m

# Readable names: drop the hash, undo the legacy mangling's escapes.
tidy() {
    sed -E 's/::h[0-9a-f]{16}$//; s/\$LT\$/</g; s/\$GT\$/>/g; s/\$u20\$/ /g; s/\$C\$/,/g; s/\.\./::/g; s/(^|  )_</\1</'
}

# own_code ELF PATTERN: every .text byte whose inline chain has a frame
# matching PATTERN, by outermost such frame (llvm-addr2line -i -f on each
# halfword of .text).
own_code() {
    local elf=$1 pattern=$2 text_size text_addr
    read -r text_size text_addr < <("$SIZE" -A "$elf" | awk '$1 == ".text" { print $2, $3 }')
    seq "$text_addr" 2 $((text_addr + text_size - 1)) | awk '{ printf "0x%x\n", $1 }' |
        "$ADDR2LINE" -e "$elf" -a -f -i -C |
        awk -v pattern="$pattern" '
            function flush() { if (top != "") { total += 2; by[top] += 2 }; top = "" }
            /^0x[0-9a-f]+$/ { flush(); line = 0; next }
            { line++ }
            line % 2 == 1 && $0 ~ pattern { top = $0 }
            END {
                flush()
                for (f in by) printf "%6d  %s\n", by[f], f | "sort -rn"
                close("sort -rn")
                printf "   total %d bytes\n", total
            }' | tidy
}

# sections ELF: .text .rodata .data .bss sizes, one line.
sections() {
    "$SIZE" -A "$1" | awk '$1 ~ /^\.(text|rodata|data|bss)$/ { printf "%s %d  ", $1, $2 } END { print "" }'
}

cargo build --release -q

echo "== image sections: $SIZE -A $ELF"
"$SIZE" -A "$ELF" | grep -E '^\.(vector_table|text|rodata|data|bss) '

echo
echo "== the statics: $NM -S -C $ELF (size in hex; d = .data, b = .bss)"
"$NM" -S -C "$ELF" | grep -E '::(TO_MAIN|TO_ISR|PENDING|POOL)::' | tidy

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
own_code "$ELF" ringpool_core

echo
echo "== minimal images, one 16-slot u32 queue each (examples/footprint, same release profile)"
cd ../footprint
MINI=target/thumbv7m-none-eabi/release/ringpool-footprint
mkdir -p target/images
for image in baseline ringpool lfqueue pool; do
    features=()
    [ "$image" != baseline ] && features=(--features "$image")
    cargo build --release -q "${features[@]}"
    cp "$MINI" "target/images/$image"
    echo "-- $image: runs under QEMU: $(timeout 60 cargo run --release -q "${features[@]}" 2>/dev/null)"
    echo "   sections: $(sections "target/images/$image")"
done
for image in ringpool lfqueue pool; do
    elf=target/images/$image
    echo
    echo "-- $image minus baseline (flash = .text + .rodata + .data, RAM = .data + .bss)"
    read -r flash ram < <("$SIZE" -A "$elf" | awk '
        $1 == ".text" || $1 == ".rodata" { f += $2 } $1 == ".data" { f += $2; r += $2 } $1 == ".bss" { r += $2 }
        END { print f, r }')
    read -r base_flash base_ram < <("$SIZE" -A target/images/baseline | awk '
        $1 == ".text" || $1 == ".rodata" { f += $2 } $1 == ".data" { f += $2; r += $2 } $1 == ".bss" { r += $2 }
        END { print f, r }')
    echo "   flash $flash - $base_flash = $((flash - base_flash)) bytes; RAM $ram - $base_ram = $((ram - base_ram)) bytes"
    echo "   the static: $("$NM" -S -C "$elf" | grep -E '::QUEUE::' | tidy)"
    case $image in
        lfqueue) pattern=lfqueue ;;
        *) pattern=ringpool_core ;;
    esac
    echo "   its crate's code (.text bytes with a $pattern frame):"
    own_code "$elf" "$pattern" | tail -1
done
