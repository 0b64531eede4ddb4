#!/usr/bin/env bash
# Makes the two trees of the A/B: /tmp/ab/old from commit $1 (default: the
# branch point 1e29fc0), /tmp/ab/new from this worktree as it is (uncommitted
# changes included). Run from anywhere inside the worktree.
set -euo pipefail
old_rev="${1:-1e29fc0}"
root=$(git rev-parse --show-toplevel)
# Only the trees: /tmp/ab/target and any saved output stay.
rm -rf /tmp/ab/old /tmp/ab/new && mkdir -p /tmp/ab/old /tmp/ab/new
git -C "$root" archive "$old_rev" Cargo.toml core std-pool | tar -x -C /tmp/ab/old
tar -C "$root" -c Cargo.toml core std-pool | tar -x -C /tmp/ab/new
for tree in old new; do
    sed -i 's/^members = .*/members = ["core", "std-pool"]/; /^exclude/d' /tmp/ab/$tree/Cargo.toml
done
sed -i 's/version = "0.1.0"/version = "0.0.1"/' /tmp/ab/old/Cargo.toml /tmp/ab/old/core/Cargo.toml /tmp/ab/old/std-pool/Cargo.toml
