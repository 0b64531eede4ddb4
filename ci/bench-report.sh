#!/usr/bin/env bash
# Runs the benchmark report's quick mode (`--quick`, seconds) into a
# temporary folder, so the committed BENCHMARKS.md is left alone, and checks
# that the report and its plots were written with every section and row.
# The headings, row names and plot files come from the report binary itself
# (`--list-sections`, `--list-rows`, `--list-plots`), so this script holds no
# copy of them. It checks that the suite works, not the numbers.
source "$(dirname "$0")/lib.sh"
step "benchmark report (--quick)"
# The plots' labels need a TrueType font (read at run time).
if [ -z "${RINGPOOL_REPORT_FONT:-}" ] && [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
    need_apt fonts-dejavu-core
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cargo build --release -p ringpool-benches --bin report
report() { cargo run --release -q -p ringpool-benches --bin report -- "$@"; }
t0=$(date +%s)
# The report runs every queue in a child process with a deadline, so a peer
# that wedges costs a deadline, not the job; the timeout is a last resort.
timeout 1800 cargo run --release -q -p ringpool-benches --bin report -- --quick --out "$out"
echo "report --quick ran in $(( $(date +%s) - t0 ))s"
md="$out/BENCHMARKS.md"
[ -s "$md" ] || { echo "FAIL: $md missing or empty" >&2; exit 1; }
mapfile -t plots < <(report --list-plots)
mapfile -t sections < <(report --list-sections)
mapfile -t rows < <(report --list-rows)
[ "${#plots[@]}" -gt 0 ] && [ "${#sections[@]}" -gt 10 ] && [ "${#rows[@]}" -gt 10 ] \
    || { echo "FAIL: the report listed too few plots, sections or rows" >&2; exit 1; }
for png in "${plots[@]}"; do
    [ -s "$out/$png" ] || { echo "FAIL: $png missing or empty" >&2; exit 1; }
    # PNG signature
    [ "$(head -c 8 "$out/$png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] \
        || { echo "FAIL: $png is not a PNG" >&2; exit 1; }
done
# Every heading, as a whole line, in the listed order.
prev=0
for section in "${sections[@]}"; do
    line=$(grep -nxF -- "$section" "$md" | head -1 | cut -d: -f1)
    [ -n "$line" ] || { echo "FAIL: section '$section' missing from the report" >&2; exit 1; }
    [ "$line" -gt "$prev" ] || { echo "FAIL: section '$section' out of order" >&2; exit 1; }
    prev=$line
done
for row in "${rows[@]}"; do
    grep -qF -- "| $row |" "$md" || { echo "FAIL: row '$row' missing from the report" >&2; exit 1; }
done
go_row=$(printf '%s\n' "${rows[@]}" | grep '^Go ' | head -1)
if [ -n "$go_row" ] && grep -qF -- "$go_row | skipped" "$md"; then
    [ "${CI:-}" = "true" ] && { echo "FAIL: the Go rows were skipped under CI" >&2; grep -A3 "## Skipped" "$md" >&2; exit 1; }
    echo "note: the Go rows were skipped (see the report's Skipped section)"
fi
echo "bench report: ${#sections[@]} sections, ${#rows[@]} rows and ${#plots[@]} plots present"
