# shellcheck shell=bash
# Shared by the bench scripts: `source "$REPO/bench/lib.sh"` after setting REPO.

log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 2; }

# apt_install [APT-GET OPTIONS] PACKAGE...: install what is missing from Debian (root only;
# otherwise stop and say what to install). Nothing to do without packages.
apt_install() {
    local a pkgs=()
    for a in "$@"; do [[ $a == -* ]] || pkgs+=("$a"); done
    [ ${#pkgs[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        die "missing: ${pkgs[*]}; run as root or: sudo apt-get install -y ${pkgs[*]}"
    fi
    log "installing from Debian: ${pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq "$@" >&2
}

# nightjar_binary: set NJ (the nightjar binary to time) and NJ_ORIGIN (where it came from, for
# the report), GIT_REV and GIT_DIRTY. NIGHTJAR_BIN uses a built binary; BENCH_REV builds that
# committed revision from `git archive` (in SRC_TMP, removed on exit);
# otherwise the work tree is built (release).
# shellcheck disable=SC2034  # NJ_ORIGIN and GIT_DIRTY are read by the calling script
nightjar_binary() {
    GIT_REV=$(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
    GIT_DIRTY=$(cd "$REPO" && { git diff --quiet HEAD -- crates Cargo.toml Cargo.lock 2>/dev/null \
        && [ -z "$(git ls-files --others --exclude-standard -- crates 2>/dev/null)" ]; } && echo clean || echo "uncommitted changes in crates/")
    if [ -n "${NIGHTJAR_BIN:-}" ]; then
        NJ=$NIGHTJAR_BIN
        NJ_ORIGIN="prebuilt \`$NJ\` (NIGHTJAR_BIN); the checkout is at git $GIT_REV ($GIT_DIRTY)"
    else
        command -v cargo >/dev/null 2>&1 || die "cargo not found; install Rust or set NIGHTJAR_BIN"
        SRC=$REPO
        if [ -n "${BENCH_REV:-}" ]; then
            # Build a committed revision, not whatever the (possibly shared) work tree holds now.
            [ -n "${CARGO_TARGET_DIR:-}" ] || die "BENCH_REV needs CARGO_TARGET_DIR (the build must outlive the temporary source)"
            GIT_REV=$(cd "$REPO" && git rev-parse --short "$BENCH_REV") || die "no revision $BENCH_REV"
            SRC_TMP=$(mktemp -d "${TMPDIR:-/tmp}/nightjar-bench-src.XXXXXX")
            trap 'rm -rf "$SRC_TMP"' EXIT
            SRC=$SRC_TMP
            (cd "$REPO" && git archive --format=tar "$GIT_REV") | tar -x -C "$SRC"
            NJ_ORIGIN="built by this run (release profile) from git $GIT_REV (BENCH_REV=$BENCH_REV, as committed)"
        else
            NJ_ORIGIN="built by this run (release profile) from the work tree at git $GIT_REV ($GIT_DIRTY)"
        fi
        log "building nightjar (release) from $SRC"
        (cd "$SRC" && cargo build --release -p nightjar >&2)
        NJ="${CARGO_TARGET_DIR:-$SRC/target}/release/nightjar"
        case $NJ in /*) ;; *) NJ="$SRC/$NJ" ;; esac
    fi
    [ -x "$NJ" ] || die "no nightjar binary at $NJ"
}
