#!/usr/bin/env bash
# Smoke test of the capture lab (~30 s, run as root; CI runs it): one small SYN scan, one short
# SYN flood, normal traffic; checks that the pcap and the labels are produced and consistent.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$(mktemp -d /tmp/nightjar-smoke.XXXXXX)"
trap 'rm -rf "$OUT"' EXIT
timeout --kill-after=10 180 "$HERE/run.sh" --name smoke --seed 99 --duration 25 \
    --attacks scan-syn,flood-syn --small --clients 2 --attackers 1 --out "$OUT"
PY=/usr/bin/python3; [ -x "$PY" ] || PY="$(command -v python3)"
"$PY" - "$OUT" <<'PYEOF'
import json, os, sys
out = sys.argv[1]
pcap = os.path.join(out, "smoke.pcap")
assert os.path.getsize(pcap) > 24, "empty pcap"
with open(pcap, "rb") as f:
    hdr = f.read(24)
assert hdr[:4] == b"\xd4\xc3\xb2\xa1" and int.from_bytes(hdr[20:24], "little") == 1, "not an Ethernet pcap"
lab = json.load(open(os.path.join(out, "smoke.labels.json")))
st = json.load(open(os.path.join(out, "smoke.stats.json")))
assert lab["capture"] == "smoke.pcap"
assert [a["ip"] for a in lab["attackers"]] == ["198.18.0.66"], lab["attackers"]
assert [e["label"] for e in lab["episodes"]] == ["scan-syn", "flood-syn"], lab["episodes"]
for e in lab["episodes"]:
    assert e["src"] == "198.18.0.66" and e["start"] < e["end"], e
c = st["classes"]
assert c.get("scan-syn", 0) >= 100, c      # 100 ports probed, replies too
assert c.get("flood-syn", 0) >= 300, c     # 300 SYNs sent
assert c.get("normal", 0) >= 50, c         # the clients kept talking
print(f"smoke ok: {st['records']} records, classes {c}")
PYEOF
