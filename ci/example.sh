#!/usr/bin/env bash
# The README's first command: the worker-pool scenario (3 workers, 10 jobs)
# must print its lines, each job exactly once, started and finished by the
# same worker, and a result for each; then a larger run with other flags.
# Then the scoped example (jobs borrowing a local buffer): every chunk once,
# the parallel checksum equal to the sequential one.
source "$(dirname "$0")/lib.sh"
out=target/example
mkdir -p "$out"
step "cargo run --release -p ringpool --example worker_pool"
cargo run --release -p ringpool --example worker_pool >"$out/scenario.out"
for job in $(seq 1 10); do
    for pattern in "Worker [123] started job $job" "Worker [123] finished job $job" \
        "Result received for job $job"; do
        n=$(grep -cx "$pattern" "$out/scenario.out" || true)
        [ "$n" = 1 ] || { echo "FAIL: '$pattern' appears $n times" >&2; cat "$out/scenario.out" >&2; exit 1; }
    done
    started=$(sed -n "s/^Worker \([123]\) started job $job\$/\1/p" "$out/scenario.out")
    finished=$(sed -n "s/^Worker \([123]\) finished job $job\$/\1/p" "$out/scenario.out")
    [ "$started" = "$finished" ] || { echo "FAIL: job $job started by $started, finished by $finished" >&2; exit 1; }
done
[ "$(wc -l <"$out/scenario.out")" = 30 ] || { echo "FAIL: expected 30 lines" >&2; cat "$out/scenario.out" >&2; exit 1; }
echo "worker-pool scenario: 30 lines, every job exactly once"
step "worker_pool --workers 8 --jobs 500 --work-ms 0"
cargo run --release -p ringpool --example worker_pool -- --workers 8 --jobs 500 --work-ms 0 >"$out/big.out"
[ "$(grep -c '^Result received for job ' "$out/big.out")" = 500 ] || { echo "FAIL: 500 results expected" >&2; exit 1; }
[ "$(sort -u "$out/big.out" | grep -c '^Result received')" = 500 ] || { echo "FAIL: duplicate results" >&2; exit 1; }
step "bad flags are a clear error, not a panic"
if cargo run --release -q -p ringpool --example worker_pool -- --workers 0 2>"$out/err.txt"; then
    echo "FAIL: --workers 0 succeeded" >&2; exit 1
fi
grep -q "at least one worker" "$out/err.txt" || { echo "FAIL: unclear error:" >&2; cat "$out/err.txt" >&2; exit 1; }
echo "ok"
step "cargo run --release -p ringpool --example scoped (jobs that borrow)"
cargo run --release -p ringpool --example scoped >"$out/scoped.out"
for chunk in $(seq 0 15); do
    n=$(grep -c "^chunk $chunk: 65536 bytes at $((chunk * 65536)), fnv1a 0x[0-9a-f]\{16\}, 256 zero bytes\$" "$out/scoped.out" || true)
    [ "$n" = 1 ] || { echo "FAIL: chunk $chunk appears $n times" >&2; cat "$out/scoped.out" >&2; exit 1; }
done
grep -q "^1048576 bytes in 16 chunks on 4 workers: checksum \(0x[0-9a-f]\{16\}\) (sequential \1), 4096 zero bytes: match\$" "$out/scoped.out" \
    || { echo "FAIL: scoped checksum line" >&2; cat "$out/scoped.out" >&2; exit 1; }
[ "$(wc -l <"$out/scoped.out")" = 17 ] || { echo "FAIL: expected 17 lines" >&2; cat "$out/scoped.out" >&2; exit 1; }
cargo run --release -q -p ringpool --example scoped -- --size-kib 1000 --chunk-kib 7 --workers 3 >"$out/scoped-odd.out"
grep -q "^1024000 bytes in 143 chunks on 3 workers: .*: match\$" "$out/scoped-odd.out" \
    || { echo "FAIL: scoped, uneven chunks" >&2; tail -3 "$out/scoped-odd.out" >&2; exit 1; }
if cargo run --release -q -p ringpool --example scoped -- --workers 0 2>"$out/scoped-err.txt"; then
    echo "FAIL: scoped --workers 0 succeeded" >&2; exit 1
fi
grep -q "at least one worker" "$out/scoped-err.txt" || { echo "FAIL: unclear error:" >&2; cat "$out/scoped-err.txt" >&2; exit 1; }
echo "scoped: 16 chunks once each, checksums match the sequential ones"
step "cargo run --release -p ringpool --example async_service"
# The async service (README, "From async code"): 8 clients x 64 chunks
# hashed on the pool with backpressure; it checks every digest against a
# sequential run itself (exit 1 otherwise). Its digests are deterministic:
# a second run must print the same client lines.
for run in 1 2; do
    cargo run --release -q -p ringpool --example async_service >"$out/async$run.out"
done
[ "$(grep -cE '^client [1-8]: 64 chunks, digest [0-9a-f]{16}$' "$out/async1.out")" = 8 ] ||
    { echo "FAIL: expected 8 client lines" >&2; cat "$out/async1.out" >&2; exit 1; }
grep -qx 'verified: 512 chunks hashed exactly once, digests equal to a sequential run' "$out/async1.out" ||
    { echo "FAIL: not verified" >&2; cat "$out/async1.out" >&2; exit 1; }
grep -q '^backpressure: queue of 4, [0-9]* submit polls waited for room' "$out/async1.out" ||
    { echo "FAIL: no backpressure line" >&2; exit 1; }
diff <(grep '^client' "$out/async1.out") <(grep '^client' "$out/async2.out") ||
    { echo "FAIL: digests differ between runs" >&2; exit 1; }
grep '^backpressure' "$out/async1.out"
echo "async service: 512 chunks once, digests verified and stable"
