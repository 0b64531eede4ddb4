#!/usr/bin/env bash
# The C library: build libringpool.a, check the documented link line, compile
# the C tests (capi/tests/c) with the system cc through the pkg-config file,
# run them, then run them again under valgrind memcheck (no errors, and no
# heap block of any kind left at exit: no suppressions).
source "$(dirname "$0")/lib.sh"
command -v cc >/dev/null 2>&1 || need_apt gcc libc6-dev
need_apt valgrind pkg-config

out=target/release
bin=target/c-tests
mkdir -p "$bin" "$out/pkgconfig"

step "build libringpool.a (cargo rustc --print native-static-libs)"
build() {
    cargo rustc --release -p ringpool-capi --crate-type staticlib -- --print native-static-libs 2>&1 \
        | tee "$bin/build.log" | sed -n 's/^note: native-static-libs: //p'
}
native=$(build)
if [ -z "$native" ]; then
    # Up to date, so rustc did not run and printed nothing: make it run.
    touch capi/src/lib.rs
    native=$(build)
fi
[ -n "$native" ] || { cat "$bin/build.log" >&2; echo "FAIL: no native-static-libs line" >&2; exit 1; }
echo "link line: -lringpool $native"
if ! grep -qF -- "-lringpool $native" capi/README.md; then
    echo "FAIL: capi/README.md does not document the link line '-lringpool $native'" >&2
    exit 1
fi

version=$(sed -n 's/^version = "\(.*\)"/\1/p' capi/Cargo.toml | head -n1)
sed -e "s|@LIBDIR@|$PWD/$out|" -e "s|@INCLUDEDIR@|$PWD/capi/include|" \
    -e "s|@VERSION@|$version|" -e "s|@NATIVE_LIBS@|$native|" \
    capi/ringpool.pc.in >"$out/pkgconfig/ringpool.pc"
export PKG_CONFIG_PATH="$PWD/$out/pkgconfig"

step "compile the C tests (cc -std=c11 -Wall -Wextra -pedantic -Werror)"
flags=(-std=c11 -Wall -Wextra -pedantic -Werror -O1 -g)
# The C test programs (capi/tests/c/NAME.c); those in `plain` take no
# arguments and report their own checks.
tests=(worker_pool stress misuse hardening batch control options)
plain=(misuse hardening batch control options)
for test in "${tests[@]}"; do
    # shellcheck disable=SC2046 # pkg-config output is a list of flags
    cc "${flags[@]}" $(pkg-config --cflags ringpool) "capi/tests/c/$test.c" \
        $(pkg-config --libs ringpool) -o "$bin/$test"
done
if command -v c++ >/dev/null 2>&1; then
    echo '#include "ringpool.h"' | c++ -x c++ -std=c++11 -Wall -Werror -fsyntax-only -Icapi/include -
fi

# check_scenario FILE: the worker-pool scenario's lines, each job exactly once.
check_scenario() {
    local file=$1
    for job in $(seq 1 10); do
        for pattern in "Worker [123] started job $job" "Worker [123] finished job $job" \
            "Result received for job $job"; do
            local n
            n=$(grep -cx "$pattern" "$file" || true)
            if [ "$n" != 1 ]; then
                echo "FAIL: '$pattern' appears $n times" >&2
                cat "$file" >&2
                exit 1
            fi
        done
        local started finished
        started=$(sed -n "s/^Worker \([123]\) started job $job\$/\1/p" "$file")
        finished=$(sed -n "s/^Worker \([123]\) finished job $job\$/\1/p" "$file")
        [ "$started" = "$finished" ] || { echo "FAIL: job $job started by $started, finished by $finished" >&2; exit 1; }
    done
    [ "$(wc -l <"$file")" = 30 ] || { echo "FAIL: expected 30 lines" >&2; cat "$file" >&2; exit 1; }
}

step "run: worker-pool scenario (3 workers, 10 jobs)"
"$bin/worker_pool" >"$bin/worker_pool.out"
check_scenario "$bin/worker_pool.out"
echo "worker_pool: 30 lines, every job exactly once"
step "run: stress"
"$bin/stress" 20000
for test in "${plain[@]}"; do
    step "run: $test"
    "$bin/$test"
done

memcheck=(valgrind -q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all
    --error-exitcode=1)
step "valgrind: worker_pool"
"${memcheck[@]}" "$bin/worker_pool" >"$bin/worker_pool.valgrind.out"
check_scenario "$bin/worker_pool.valgrind.out"
step "valgrind: stress"
"${memcheck[@]}" "$bin/stress" 1000
for test in "${plain[@]}"; do
    step "valgrind: $test"
    "${memcheck[@]}" "$bin/$test"
done
# Reached only if every run above passed (the script stops at the first
# failure).
echo "c-tests: ${#tests[@]} programs passed natively and under valgrind"
