#!/usr/bin/env bash
# Compiles every benchmark of ringpool-benches without running it (the
# benches themselves are run by hand: cargo bench -p ringpool-benches).
source "$(dirname "$0")/lib.sh"
step "bench smoke (compile only)"
cargo bench -p ringpool-benches --no-run
