# Shared helpers for the ci/*.sh scripts. Source it; do not run it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# skip REASON: with CI=true a missing tool is a failure; otherwise say so and skip.
skip() {
    if [ "${CI:-}" = "true" ]; then
        echo "FAIL: $*" >&2
        exit 1
    fi
    echo "SKIPPED: $*" >&2
    exit 0
}

# need_target TRIPLE...: add rustup targets when missing.
need_target() {
    for t in "$@"; do
        if ! rustup target list --installed | grep -qx "$t"; then
            rustup target add "$t" || skip "cannot install rust target $t"
        fi
    done
}

# need_nightly COMPONENT...: a nightly toolchain with these components.
need_nightly() {
    if ! rustup toolchain list | grep -q '^nightly'; then
        rustup toolchain install nightly --profile minimal || skip "cannot install a nightly toolchain"
    fi
    for c in "$@"; do
        rustup component add "$c" --toolchain nightly >/dev/null 2>&1 || skip "cannot add nightly component $c"
    done
}

# need_apt PACKAGE...: Debian packages, installed when missing.
need_apt() {
    local missing=()
    for p in "$@"; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") >/dev/null \
            || skip "cannot install Debian packages: ${missing[*]}"
    else
        skip "Debian packages missing and not installable here: ${missing[*]}"
    fi
}

step() { echo "==> $*"; }
