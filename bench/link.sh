#!/usr/bin/env bash
# Throughput of `nightjar send` (DESIGN §6), for BENCHMARKS.md.
#
#  1. 64 MiB over loopback TCP: `nightjar send` (negotiation, HMAC-SHA256 over the payload,
#     receiver writes a temp file, fsyncs, renames, fsyncs the directory, then acknowledges)
#     vs `ncat` piping the same file into a file (no authentication, no fsync), same run.
#  2. Goodput of `--transport udp` through a seeded user-space relay that drops 0 / 5 / 20 %
#     of datagrams in both directions (tc netem is not available here).
#
# Needs: hyperfine, ncat, python3, a release build (cargo build --release -p nightjar).
# Usage: bench/link.sh [path/to/nightjar]   (env: RUNS=5, UDP_MIB=4, WORK=/tmp/...)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${1:-${CARGO_TARGET_DIR:-$here/target}/release/nightjar}"
RUNS="${RUNS:-5}"
UDP_MIB="${UDP_MIB:-4}"
WORK="${WORK:-$(mktemp -d /tmp/nightjar-bench-link.XXXXXX)}"
[ -x "$BIN" ] || { echo "no binary at $BIN (cargo build --release -p nightjar)" >&2; exit 2; }
for t in hyperfine ncat python3; do command -v "$t" >/dev/null || { echo "need $t" >&2; exit 2; }; done

pids=()
# Listeners start inside $(...) subshells, so they record their PIDs in files, not in pids.
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for f in "$WORK"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

head -c 32 /dev/urandom > "$WORK/key"
head -c $((64 << 20)) /dev/urandom > "$WORK/payload-64m.bin"
head -c $((UDP_MIB << 20)) /dev/urandom > "$WORK/payload-udp.bin"

# Starts `nightjar listen` in the background and prints its bound address.
listen() { # transport inbox
  mkdir -p "$2"
  "$BIN" listen --bind 127.0.0.1:0 --transport "$1" --inbox "$2" --key-file "$WORK/key" \
    --json --timeout 30 > "$2.events" 2>/dev/null &
  echo $! > "$2.pid"
  for _ in $(seq 100); do
    addr=$(head -n1 "$2.events" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["addr"])' 2>/dev/null || true)
    [ -n "$addr" ] && { echo "$addr"; return; }
    sleep 0.05
  done
  echo "listener did not start" >&2; exit 1
}

median() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(" ".join(str(x["median"]) for x in r))' "$1"; }

echo "== 64 MiB over loopback TCP: nightjar send vs ncat (same run, $RUNS runs each) =="
tcp_addr=$(listen tcp "$WORK/inbox-tcp")
nc_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ncat -l -k 127.0.0.1 "$nc_port" > "$WORK/ncat-sink.bin" &
pids+=($!)
sleep 0.3
hyperfine --runs "$RUNS" --warmup 1 --export-json "$WORK/tcp.json" \
  --prepare "rm -f $WORK/inbox-tcp/*.bin; : > $WORK/ncat-sink.bin" \
  -n "nightjar send --transport tcp (64 MiB)" \
  "$BIN send --to $tcp_addr --file $WORK/payload-64m.bin --key-file $WORK/key --timeout 60" \
  -n "ncat --send-only (64 MiB)" \
  "ncat --send-only 127.0.0.1 $nc_port < $WORK/payload-64m.bin"
read -r t_nj t_nc <<<"$(median "$WORK/tcp.json")"
python3 - "$t_nj" "$t_nc" <<'PY'
import sys
nj, nc = map(float, sys.argv[1:])
mib = 64
print(f"median: nightjar {nj*1000:.1f} ms ({mib/nj:.0f} MiB/s), ncat {nc*1000:.1f} ms ({mib/nc:.0f} MiB/s), nightjar/ncat time ratio {nj/nc:.2f}")
PY

echo
echo "== UDP goodput through a lossy relay ($UDP_MIB MiB, drop 0/5/20 % both ways, $RUNS runs each) =="
cat > "$WORK/relay.py" <<'PY'
# Seeded UDP relay: client <-> relay <-> server, dropping a share of datagrams both ways.
import random, select, socket, sys
server = (sys.argv[1].rsplit(":", 1)[0], int(sys.argv[1].rsplit(":", 1)[1]))
drop = float(sys.argv[2]) / 100.0
rng = random.Random(int(sys.argv[3]))
front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); front.bind(("127.0.0.1", 0))
back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); back.bind(("127.0.0.1", 0)); back.connect(server)
for s in (front, back):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
print(front.getsockname()[1], flush=True)
client = None
while True:
    r, _, _ = select.select([front, back], [], [])
    for s in r:
        if s is front:
            d, client = front.recvfrom(65536)
            if rng.random() >= drop: back.send(d)
        else:
            d = back.recv(65536)
            if client and rng.random() >= drop: front.sendto(d, client)
PY
udp_addr=$(listen udp "$WORK/inbox-udp")
cmds=()
for loss in 0 5 20; do
  python3 "$WORK/relay.py" "$udp_addr" "$loss" 42 > "$WORK/relay-$loss.port" &
  pids+=($!)
  for _ in $(seq 100); do [ -s "$WORK/relay-$loss.port" ] && break; sleep 0.05; done
  port=$(cat "$WORK/relay-$loss.port")
  cmds+=(-n "udp ${loss}% loss" "$BIN send --transport udp --to 127.0.0.1:$port --file $WORK/payload-udp.bin --key-file $WORK/key --timeout 30")
done
hyperfine --runs "$RUNS" --warmup 1 --export-json "$WORK/udp.json" \
  --prepare "rm -f $WORK/inbox-udp/*.bin" "${cmds[@]}"
python3 - "$WORK/udp.json" "$UDP_MIB" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]; mib = float(sys.argv[2])
for x in r:
    print(f"{x['command']}: median {x['median']*1000:.1f} ms, goodput {mib*8*1.048576/x['median']:.1f} Mbit/s ({mib/x['median']:.2f} MiB/s)")
PY
