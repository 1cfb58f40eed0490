#!/usr/bin/env bash
# A short run of every fuzz target, from the repository root: `bash fuzz/smoke.sh [SECONDS]`
# (default 20 per target). Builds with cargo-fuzz (installed from crates.io if missing) on the
# stable toolchain: cargo-fuzz passes nightly-only `-Z` flags to rustc, which RUSTC_BOOTSTRAP=1
# allows. No sanitizer (`-s none`: Rust's own checks, with debug assertions and overflow checks
# on, cargo-fuzz's default), each target started from its committed seeds. A crash, a panic or
# an overflow fails the run and leaves the input under fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked --version 0.13.2
fi
export RUSTC_BOOTSTRAP=1
cargo fuzz build -s none
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for t in $(cargo fuzz list); do
    mkdir -p "$work/$t"
    seeds=()
    [ -d "fuzz/seeds/$t" ] && seeds=("fuzz/seeds/$t")
    echo "-- $t: ${secs}s"
    rc=0
    cargo fuzz run -s none "$t" "$work/$t" "${seeds[@]}" -- \
        -max_total_time="$secs" -rss_limit_mb=4096 -max_len=8192 -print_final_stats=1 \
        >"$work/$t.log" 2>&1 || rc=$?
    grep -E "^(Done|stat::number_of_executed_units)|panicked|ERROR|SUMMARY" "$work/$t.log" || true
    if [ "$rc" != 0 ]; then
        tail -n 40 "$work/$t.log"
        echo "fuzz target $t failed (exit $rc)"
        exit 1
    fi
done
