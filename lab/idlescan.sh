#!/usr/bin/env bash
# Nightjar capture lab: nmap's idle scan (-sI), seen on the LAN's bridge.
#
#   sudo lab/idlescan.sh --name idlescan --seed 1919 [--out data/captures]
#
# The attacker (.66) scans the victim (.10) through a zombie (.40): it reads the zombie's IP ID
# with SYN+ACK probes (each answered by a reset), sends the victim SYNs with the zombie's
# address forged as their source, and reads the ID again: an open port's SYN+ACK went to the
# zombie, whose reset moved the ID on. The zombie is lab/zombie.py (one global IP ID counter, as
# nmap needs; the namespace's kernel resets are dropped with nftables). A normal client (.20)
# browses the victim and pings it through the run.
#
# Three scans, 5 s apart: -p 1-100 through the zombie's port 80; -T4 over a port list through
# the default probe port; --top-ports 200 through the zombie's port 443.
#
# Labels: per scan, the zombie has a `scan-syn` episode (the SYNs on the wire carry its
# address: what any IDS sees) and the attacker an `other-attack` episode (its probes of the
# zombie), from the command's start to 2 s after it returned.
#
# Safety (lab/README.md): namespaces of this script only, addresses in 198.18.0.0/24, no
# route out; every process under `timeout`, ended by PID; the forged source is the lab's own
# zombie. Teardown on any exit (lib.sh).
set -euo pipefail

# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

run_args idlescan 1919 2,22 "$@"
ensure_tools nft:nftables
"$PY" -c 'import scapy' 2>/dev/null || die "python3-scapy is needed (apt-get install -y python3-scapy)"
WORK="$(mktemp -d /tmp/njidle.XXXXXX)"
VICTIM=198.18.0.10
ZOMBIE=198.18.0.40
RUN_SECS=150 # the whole run's bound: every process below ends by then

lab_up 1 1
trap 'rc=$?; rm -rf "$WORK"; lab_down "$rc"' EXIT
add_host zombie 40
ns zombie nft add table inet njzombie
ns zombie nft add chain inet njzombie out '{ type filter hook output priority 0; }'
ns zombie nft add rule inet njzombie out tcp flags rst drop
bg zombie "$RUN_SECS" "$PY" "$LAB_DIR/zombie.py" --addr "$ZOMBIE" --iface eth0 --seconds "$RUN_SECS"
bg victim "$RUN_SECS" "$PY" "$LAB_DIR/services.py" --duration "$RUN_SECS"
sleep 2
bg sw "$RUN_SECS" tcpdump -i br0 -n -s 96 -U -Z root --time-stamp-precision=micro -w "$WORK/$NAME.pcap"
TCPDUMP=$BG_PID
sleep 2

# normal traffic, bounded by its loop's end time and by timeout
cat >"$WORK/normal.py" <<'PY'
import random, subprocess, sys, time, urllib.request
rng, victim = random.Random(int(sys.argv[1])), sys.argv[2]
end = time.time() + float(sys.argv[3])
while time.time() < end:
    try:
        urllib.request.urlopen(f"http://{victim}/", timeout=2).read()
    except OSError:
        pass
    if rng.random() < 0.2:
        subprocess.run(["ping", "-c", "2", "-i", "0.3", "-W", "1", victim], stdout=subprocess.DEVNULL)
    time.sleep(rng.uniform(0.2, 1.5))
PY
bg c0 "$RUN_SECS" "$PY" "$WORK/normal.py" "$SEED" "$VICTIM" 90
nap 10

: >"$WORK/episodes"
scan() { # scan NMAP_ARGS... : one idle scan of the victim, labelled
    local s e
    s=$(now)
    ns a0 timeout 60 nmap -n -Pn "$@" "$VICTIM" >"$WORK/nmap.out" 2>&1 || true
    e=$(now)
    log "nmap $* $VICTIM: $(grep -c '/tcp' "$WORK/nmap.out" || true) port lines; $s - $e"
    grep -q 'Idle scan using zombie' "$WORK/nmap.out" || die "nmap did not use the zombie: $(tail -3 "$WORK/nmap.out")"
    e=$(awk -v e="$e" 'BEGIN { printf "%.6f", e + 2 }')
    printf '{"src": "%s", "label": "scan-syn", "start": %s, "end": %s, "command": "nmap -n -Pn %s %s (from 198.18.0.66, the SYNs forged from the zombie)"}\n' \
        "$ZOMBIE" "$s" "$e" "$*" "$VICTIM" >>"$WORK/episodes"
    printf '{"src": "198.18.0.66", "label": "other-attack", "start": %s, "end": %s, "command": "nmap -n -Pn %s %s (the IP ID probes of the zombie)"}\n' \
        "$s" "$e" "$*" "$VICTIM" >>"$WORK/episodes"
    nap 5
}
scan -sI "$ZOMBIE:80" -p 1-100
scan -sI "$ZOMBIE" -T4 -p 20-25,80,443,8000-8010
scan -sI "$ZOMBIE:443" --top-ports 200
nap 10
kill -INT "$TCPDUMP" 2>/dev/null || true
wait "$TCPDUMP" 2>/dev/null || true

"$PY" - "$WORK/episodes" "$NAME" "$SEED" "$ZOMBIE" >"$WORK/$NAME.labels.json" <<'PY'
import json, sys
eps = [json.loads(l) for l in open(sys.argv[1])]
name, seed, zombie = sys.argv[2], int(sys.argv[3]), sys.argv[4]
print(json.dumps({"capture": f"{name}.pcap", "seed": seed,
                  "attackers": [{"ip": zombie}, {"ip": "198.18.0.66"}],
                  "episodes": eps}, indent=1))
PY
mv "$WORK/$NAME.pcap" "$WORK/$NAME.labels.json" "$OUT/"
log "wrote $OUT/$NAME.pcap and $OUT/$NAME.labels.json"
