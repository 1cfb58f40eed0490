#!/usr/bin/env bash
# lab/thirdparty.sh — read captures that other people made, with other tools, on other
# networks, through `nightjar ids detect`, and compare its alerts with lab/thirdparty.expected.
#
# The captures are the test captures that three projects ship in their source: nDPI 4.2
# (tests/pcap: 258 captures of real applications — messengers, video calls, QUIC, P2P, VPNs,
# games, industrial protocols — and a few attacks), tcpdump 4.99.3 (tests: 667 captures of
# odd and malformed protocols, many from fuzzers) and Wireshark 4.0.17 (test/captures: 119,
# most of them gzip-compressed). The source tarballs are fetched from Debian's archive and
# checked against their SHA-256 (Debian's .dsc files give the same sums); nothing of them is
# committed here. It sends no packet.
#
# Every capture must be read whole (exit 0), and the captures that raise alerts, with each
# alert's label, source and destination, must be exactly those listed in
# lab/thirdparty.expected (each with why: an attack in the capture, or a false alert known and
# not yet fixed). A new alert, a lost one or a changed one is a difference, printed.
#
# Usage: bash lab/thirdparty.sh [--bin PATH] [--cache DIR] [--out DIR] [--update]
#   --bin PATH   the nightjar binary (default: $CARGO_TARGET_DIR or target, /release/nightjar;
#                built if missing)
#   --cache DIR  where the tarballs and the captures taken from them are kept
#                (default: ${XDG_CACHE_HOME:-$HOME/.cache}/nightjar-thirdparty)
#   --out DIR    keep each capture's EVE alerts, stderr and the summary there (default: a
#                temporary directory, removed at the end)
#   --update     write what was seen to lab/thirdparty.expected (notes kept for lines that
#                stay) instead of comparing
# Exit: 0 all read and as expected; 1 a capture not read whole, or alerts not as expected;
#       2 usage, download or checksum error.
set -euo pipefail
cd "$(dirname "$0")/.."

DEFAULT_BIN=${CARGO_TARGET_DIR:-target}/release/nightjar
BIN=$DEFAULT_BIN
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/nightjar-thirdparty
OUT=""
UPDATE=0
EXPECTED=lab/thirdparty.expected
die() { echo "thirdparty: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
        --bin) BIN=${2:?--bin needs a path}; shift 2 ;;
        --cache) CACHE=${2:?--cache needs a directory}; shift 2 ;;
        --out) OUT=${2:?--out needs a directory}; shift 2 ;;
        --update) UPDATE=1; shift ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done

# name, Debian pool path, SHA-256, the folder of captures inside the tarball (below its top)
SOURCES=(
    "ndpi pool/main/n/ndpi/ndpi_4.2.orig.tar.gz e54ce8fe13adc5d747be7553513657fae78f796e0bd459e122c280cc06ce4daf tests/pcap"
    "tcpdump pool/main/t/tcpdump/tcpdump_4.99.3.orig.tar.gz ad75a6ed3dc0d9732945b2e5483cb41dc8b4b528a169315e499c6861952e73b3 tests"
    "wireshark pool/main/w/wireshark/wireshark_4.0.17.orig.tar.bz2 62fd1491b6211d1651a16a45ead15808970b3a6a9ebde2537f96722af47aaaa5 test/captures"
)
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

if [ ! -x "$BIN" ]; then
    [ "$BIN" = "$DEFAULT_BIN" ] || die "no nightjar binary at $BIN"
    cargo build --release --locked -q
fi
command -v curl >/dev/null || die "curl is needed to fetch the source tarballs"

mkdir -p "$CACHE"
for s in "${SOURCES[@]}"; do
    read -r name path sum dir <<<"$s"
    tarball=$CACHE/$(basename "$path")
    if [ ! -s "$tarball" ] || ! echo "$sum  $tarball" | sha256sum -c --quiet - 2>/dev/null; then
        echo "fetching $MIRROR/$path"
        curl -fsS --retry 3 --max-time 600 -o "$tarball.part" "$MIRROR/$path" \
            || die "could not fetch $MIRROR/$path"
        echo "$sum  $tarball.part" | sha256sum -c --quiet - \
            || die "$path: SHA-256 is not $sum"
        mv "$tarball.part" "$tarball"
        rm -rf "${CACHE:?}/$name"
    fi
    if [ ! -d "$CACHE/$name" ]; then
        mkdir -p "$CACHE/$name.part"
        # the captures only: the top folder stripped, `dir` kept below it
        tar -xf "$tarball" -C "$CACHE/$name.part" --strip-components=1 --wildcards \
            "*/$dir/*.pcap" "*/$dir/*.pcapng" "*/$dir/*.cap" "*/$dir/*.gz" 2>/dev/null || true
        [ -d "$CACHE/$name.part/$dir" ] || die "$tarball holds no $dir"
        mv "$CACHE/$name.part" "$CACHE/$name"
    fi
done

if [ -z "$OUT" ]; then
    OUT=$(mktemp -d /tmp/thirdparty.XXXXXX)
    trap 'rm -rf "$OUT"' EXIT
fi
mkdir -p "$OUT"
: >"$OUT/exits.tsv"
n=0
for s in "${SOURCES[@]}"; do
    read -r name _ _ dir <<<"$s"
    while IFS= read -r f; do
        rel=$name/$dir/${f#"$CACHE/$name/$dir/"}
        key=${rel//\//__}
        rc=0
        timeout 300 "$BIN" ids detect --pcap "$f" --eve "$OUT/$key.eve" \
            >/dev/null 2>"$OUT/$key.err" || rc=$?
        printf '%s\t%s\t%s\n' "$rc" "$rel" "$key" >>"$OUT/exits.tsv"
        n=$((n + 1))
    done < <(find "$CACHE/$name/$dir" -type f \( -name '*.pcap' -o -name '*.pcapng' \
        -o -name '*.cap' -o -name '*.pcap.gz' -o -name '*.pcapng.gz' \) | sort)
done
echo "read $n captures with $BIN"

python3 - "$OUT" "$EXPECTED" "$UPDATE" <<'EOF'
import json, os, sys

out, expected_path, update = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
failed, seen = [], {}
for line in open(os.path.join(out, "exits.tsv")):
    rc, rel, key = line.rstrip("\n").split("\t")
    if rc != "0":
        err = open(os.path.join(out, key + ".err"), errors="replace").read().strip()
        failed.append(f"{rel}: exit {rc}: {err.splitlines()[-1] if err else ''}")
        continue
    alerts = []
    for l in open(os.path.join(out, key + ".eve")):
        e = json.loads(l)
        alerts.append(f"{e['nightjar']['label']} {e['src_ip']}>{e['dest_ip']}")
    if alerts:
        counts = {}
        for a in alerts:
            counts[a] = counts.get(a, 0) + 1
        seen[rel] = ", ".join(a if n == 1 else f"{a} x{n}" for a, n in sorted(counts.items()))

notes, expected = {}, {}
if os.path.exists(expected_path):
    for line in open(expected_path):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.rstrip("\n").split("\t")
        expected[parts[0]] = parts[1] if len(parts) > 1 else ""
        notes[parts[0]] = parts[2] if len(parts) > 2 else ""

for f in failed:
    print("NOT READ WHOLE:", f)
if update:
    with open(expected_path, "w") as w:
        w.write("# lab/thirdparty.sh: the captures of nDPI 4.2, tcpdump 4.99.3 and Wireshark 4.0.17\n"
                "# that raise alerts, each with its alerts (label source>destination, sorted) and why.\n"
                "# capture\talerts\tnote\n")
        for rel in sorted(seen):
            w.write(f"{rel}\t{seen[rel]}\t{notes.get(rel, '# TODO: why')}\n")
    print(f"wrote {len(seen)} lines to {expected_path}")
    sys.exit(1 if failed else 0)

diff = 0
for rel in sorted(set(seen) | set(expected)):
    a, b = expected.get(rel), seen.get(rel)
    if a == b:
        continue
    diff += 1
    print(f"DIFFERS {rel}\n  expected: {a or '(no alert)'}\n  seen:     {b or '(no alert)'}")
quiet = sum(1 for l in open(os.path.join(out, "exits.tsv"))) - len(failed) - len(seen)
print(f"{len(seen)} captures raised alerts as listed" if not diff else f"{diff} captures differ from {expected_path}",
      f"({len(seen)} with alerts, {quiet} without, {len(failed)} not read whole)")
sys.exit(1 if failed or diff else 0)
EOF
