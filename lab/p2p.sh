#!/usr/bin/env bash
# p2p.sh OUT.pcap SEED DURATION [ATTACKS_FILE] -- a BitTorrent swarm (tracker, DHT, peers that come
# and go) on a closed lab bridge, optionally with attacks from two of the peers; captured on the
# bridge (tcpdump -s ${SNAPLEN:-128}); writes OUT.pcap, OUT.labels.json, OUT.stats.json, OUT.log.
#
# Hosts (198.18.0.0/24, one namespace each, prefix ${NSP:-njp2p}): the tracker .5 (opentracker, HTTP
# and UDP on 6969, and lab/p2pdht.py on UDP 6881: a DHT node whose answers also name stale nodes in
# 198.18.128.0/17, routed to the "router" .1 that drops them, as the Internet's dead DHT nodes) and ${PEERS:-20} peers from .101. Three peers seed every torrent for the whole
# run; the others are leechers (lab/p2ppeer.py: libtorrent with the DHT on; two of them aria2c
# with its DHT) that join at a random time, fetch one or two torrents and leave after a random
# life (a third of those come back 10-30 s later for 60 s): most just exit (their port now answers RST, their DHT port ICMP unreachable), some drop
# off the link (nothing answers at all). Three peers sit behind a "NAT" (nft drops every new
# inbound connection and datagram), one fetches by magnet link only (info-hash, no tracker: its
# peers come from the DHT and peer exchange). Torrents: three random files of 5-30 MB (mktorrent).
#
# ATTACKS_FILE lines: "LABEL PEER_LAST_OCTET COMMAND" (run inside that peer's namespace, which
# keeps its swarm client running, under `timeout ${TMO:-30}`); the first attack starts
# ${WARMUP:-40} s into the run, the next 4 s after each returns; an attacker peer stays for the
# whole run. Labels by lab/labels.py (each episode from the command's start to its return, plus
# the attacker's packets within 2 s after).
#
# Environment: PEERS (20), RATE (each peer's upload and download limit, KB/s; 200), SNAPLEN
# (128), WARMUP, TMO, NSP (namespace prefix), KEEP=1 (keep the work directory). Needs root and
# the Debian packages opentracker, mktorrent, aria2, python3-libtorrent (the peers run under
# /usr/bin/python3, whose libtorrent the package installs), nmap/hping3 for attacks.
# Every process runs inside a namespace of the run and under `timeout`; the namespaces are
# deleted at the end (trap), no route leads out of 198.18.0.0/15.
#
#   lab/p2p.sh run.pcap 1903 170 attacks.txt          # session 19's run (c), 22 peers
#   PEERS=12 RATE=8 SNAPLEN=96 WARMUP=30 lab/p2p.sh p2p.pcap 1904 80 attacks.txt   # data/captures/p2p
set -u
OUT=$(readlink -f "$1"); SEED=$2; DUR=$3; ATT=${4:-}
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
P=${NSP:-njp2p}$((SEED % 1000))
NPEERS=${PEERS:-20}
W=$(mktemp -d /tmp/njp2p.XXXX)
LOG=${OUT%.pcap}.log; EPIS=$W/episodes.jsonl; : >"$EPIS"
RANDOM=$SEED
log() { echo "$(date -u +%T) $*" | tee -a "$LOG" >&2; }
: >"$LOG"
NSES="${P}b ${P}t ${P}r"; for i in $(seq 101 $((100 + NPEERS))); do NSES="$NSES ${P}p$i"; done
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for n in $NSES; do ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null; done
  sleep 0.5
  for n in $NSES; do ip netns del "$n" 2>/dev/null; done
  [ -n "${KEEP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT

# --- the bridge and the hosts
ip netns add ${P}b; ip netns exec ${P}b sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n ${P}b link add br0 type bridge; ip -n ${P}b link set br0 up
k=0
addhost() { # NS ADDR
  k=$((k + 1))
  ip netns add "$1"; ip link add e$k netns "$1" type veth peer name p$k netns ${P}b
  ip netns exec "$1" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip netns exec "$1" sysctl -q -w net.ipv6.conf.e$k.disable_ipv6=1
  ip -n "$1" addr add "$2/24" dev e$k; ip -n "$1" link set e$k up; ip -n "$1" link set lo up
  ip -n ${P}b link set p$k master br0; ip -n ${P}b link set p$k up
  echo "e$k" >"$W/if.$1"
}
addhost ${P}t 198.18.0.5
addhost ${P}r 198.18.0.1
ip netns exec ${P}r sysctl -q -w net.ipv4.ip_forward=0
for i in $(seq 101 $((100 + NPEERS))); do addhost ${P}p$i 198.18.0.$i; ip -n ${P}p$i route add 198.18.128.0/17 via 198.18.0.1; done

# no namespace of the run may have a default route: nothing leaves the lab
for n in $NSES; do
  if [ -n "$(ip -n "$n" route show default 2>/dev/null)" ]; then echo "p2p.sh: $n has a default route" >&2; exit 1; fi
done

# --- content: three files, their torrents (announce to the lab tracker)
mkdir -p "$W/content"
for f in 1 2 3; do
  head -c $(( (5 + RANDOM % 26) * 1024 * 1024 )) /dev/urandom >"$W/content/file$f.bin"
  mktorrent -d -a http://198.18.0.5:6969/announce -l 18 -o "$W/t$f.torrent" "$W/content/file$f.bin" >/dev/null
done
HASH3=$($PY -c "import libtorrent as lt,sys; print(lt.torrent_info(sys.argv[1]).info_hash())" "$W/t3.torrent")

# --- roles (drawn from SEED)
declare -A PORT ROLE START LIFE NAT VANISH TORR REJOIN
for i in $(seq 101 $((100 + NPEERS))); do
  PORT[$i]=$((10000 + RANDOM % 50000)); NAT[$i]=0; VANISH[$i]=0; REJOIN[$i]=0
  if [ $i -le 103 ]; then ROLE[$i]=seed; START[$i]=0; LIFE[$i]=$((DUR + 30)); TORR[$i]="1,2,3"; continue; fi
  ROLE[$i]=lt; START[$i]=$((RANDOM % (DUR / 2))); LIFE[$i]=$((30 + RANDOM % DUR))
  case $((RANDOM % 3)) in 0) TORR[$i]=1 ;; 1) TORR[$i]=2 ;; 2) TORR[$i]="1,2" ;; esac
  [ $((RANDOM % 4)) = 0 ] && VANISH[$i]=1
  [ $((RANDOM % 3)) = 0 ] && REJOIN[$i]=$((10 + RANDOM % 20))
done
# attackers (from the attacks file) stay for the whole run
ATTACKERS=""; [ -n "$ATT" ] && ATTACKERS=$(awk '!/^#/ && NF {print $2}' "$ATT" | sort -u)
others=""; for i in $(seq 104 $((100 + NPEERS))); do echo "$ATTACKERS" | grep -qx "$i" || others="$others $i"; done
for i in $ATTACKERS; do START[$i]=0; LIFE[$i]=$((DUR + 30)); VANISH[$i]=0; REJOIN[$i]=0; done
set -- $(for i in $others; do echo "$RANDOM $i"; done | sort -n | awk '{print $2}')
ROLE[$1]=aria; ROLE[$2]=aria; ROLE[$3]=magnet; NAT[$4]=1; NAT[$5]=1; NAT[$6]=1
TORR[$1]=1; TORR[$2]=2; START[$3]=$((10 + RANDOM % 20)); LIFE[$3]=$((DUR - START[$3]))
for i in $ATTACKERS; do NAT[$i]=0; done
DHTN="198.18.0.5:6881,198.18.0.101:${PORT[101]},198.18.0.102:${PORT[102]},198.18.0.103:${PORT[103]}"

for i in $(seq 101 $((100 + NPEERS))); do
  log "peer .$i role=${ROLE[$i]} port=${PORT[$i]} start=${START[$i]} life=${LIFE[$i]} torrents=${TORR[$i]} nat=${NAT[$i]} vanish=${VANISH[$i]}"
  if [ "${NAT[$i]}" = 1 ]; then
    ip netns exec ${P}p$i nft add table inet natlab
    ip netns exec ${P}p$i nft add chain inet natlab input '{ type filter hook input priority 0; }'
    ip netns exec ${P}p$i nft add rule inet natlab input ct state established,related accept
    ip netns exec ${P}p$i nft add rule inet natlab input iif lo accept
    ip netns exec ${P}p$i nft add rule inet natlab input meta l4proto "{ tcp, udp }" drop
  fi
done

# --- capture, tracker
ip netns exec ${P}b timeout $((DUR + 200)) tcpdump -i br0 -s ${SNAPLEN:-128} -U -w "$W/cap.pcap" 2>"$W/tcpdump.err" &
TD=$!; PIDS+=($TD)
sleep 1
ip netns exec ${P}t timeout $((DUR + 150)) opentracker -i 198.18.0.5 -p 6969 -P 6969 >/dev/null 2>&1 &
PIDS+=($!)
ip netns exec ${P}t timeout $((DUR + 150)) $PY "$HERE/p2pdht.py" --ip 198.18.0.5 --port 6881 --seed $SEED --life $((DUR + 140)) 2>>"$W/peers.err" &
PIDS+=($!)
sleep 1
T0=$(date +%s)

runpeer() { # OCTET
  local i=$1 d=$W/p$1 ns=${P}p$1
  mkdir -p "$d"
  sleep "${START[$i]}"
  local tl=""; for t in ${TORR[$i]//,/ }; do tl="$tl,$W/t$t.torrent"; done; tl=${tl#,}
  case ${ROLE[$i]} in
    seed) cp "$W"/content/*.bin "$d"/
      ip netns exec $ns timeout $((LIFE[$i] + 5)) $PY "$HERE/p2ppeer.py" --ip 198.18.0.$i --port ${PORT[$i]} --dir "$d" \
        --torrents "$tl" --seed --life ${LIFE[$i]} --dht-nodes "$DHTN" --rate ${RATE:-200} 2>>"$W/peers.err" ;;
    lt) ip netns exec $ns timeout $((LIFE[$i] + 5)) $PY "$HERE/p2ppeer.py" --ip 198.18.0.$i --port ${PORT[$i]} --dir "$d" \
        --torrents "$tl" --life ${LIFE[$i]} --dht-nodes "$DHTN" --rate ${RATE:-200} 2>>"$W/peers.err" ;;
    magnet) ip netns exec $ns timeout $((LIFE[$i] + 5)) $PY "$HERE/p2ppeer.py" --ip 198.18.0.$i --port ${PORT[$i]} --dir "$d" \
        --magnet "$HASH3" --life ${LIFE[$i]} --dht-nodes "$DHTN" --rate ${RATE:-200} 2>>"$W/peers.err" ;;
    aria) ip netns exec $ns timeout ${LIFE[$i]} aria2c -q --disable-ipv6 --enable-dht=true --bt-enable-lpd=false \
        --listen-port=${PORT[$i]} --dht-listen-port=${PORT[$i]} --dht-entry-point=198.18.0.5:6881 \
        --dht-file-path="$d/dht.dat" --seed-time=$((LIFE[$i] / 60 + 1)) --max-overall-upload-limit=${RATE:-200}K \
        --max-overall-download-limit=${RATE:-200}K --file-allocation=none -d "$d" "$W/t${TORR[$i]}.torrent" >/dev/null 2>&1 ;;
  esac
  if [ "${ROLE[$i]}" = lt ] && [ "${VANISH[$i]}" = 0 ] && [ "${REJOIN[$i]}" -gt 0 ]; then
    echo "$(date -u +%T) .$i left, back in ${REJOIN[$i]} s" >>"$LOG"; sleep "${REJOIN[$i]}"
    ip netns exec $ns timeout 65 $PY "$HERE/p2ppeer.py" --ip 198.18.0.$i --port ${PORT[$i]} --dir "$d" \
        --torrents "$tl" --life 60 --dht-nodes "$DHTN" --rate ${RATE:-200} 2>>"$W/peers.err"
  fi
  if [ "${VANISH[$i]}" = 1 ]; then ip -n $ns link set "$(cat "$W/if.$ns")" down; echo "$(date -u +%T) .$i off the link" >>"$LOG"
  else echo "$(date -u +%T) .$i left" >>"$LOG"; fi
}
for i in $(seq 101 $((100 + NPEERS))); do runpeer $i & PIDS+=($!); done

# --- attacks
if [ -n "$ATT" ]; then
  sleep ${WARMUP:-40}
  while read -r label src cmd; do
    [ -z "$label" ] && continue; [[ $label == \#* ]] && continue
    s=$(date +%s.%N)
    ip netns exec ${P}p$src timeout ${TMO:-30} bash -c "$cmd" >/dev/null 2>&1
    e=$(date +%s.%N)
    log "attack $label from .$src ($(echo "$e - $s" | bc) s): $cmd"
    $PY -c 'import json,sys; print(json.dumps({"label": sys.argv[1], "attacker": sys.argv[2], "spoofed": [], "decoys": [], "start": float(sys.argv[3]), "end": float(sys.argv[4]), "command": sys.argv[5]}))' \
      "$label" 198.18.0.$src "$s" "$e" "$cmd" >>"$EPIS"
    sleep 4
  done <"$ATT"
fi
REST=$((T0 + DUR - $(date +%s))); [ $REST -gt 0 ] && sleep $REST
kill -INT $TD; wait $TD
cat "$W/tcpdump.err" >>"$LOG"
grep -h . "$W/peers.err" | tail -40 >>"$LOG"
mv "$W/cap.pcap" "$OUT"
$PY "$HERE/labels.py" --name "$(basename "${OUT%.pcap}")" --pcap "$OUT" --episodes "$EPIS" \
  --out "${OUT%.pcap}.labels.json" --stats "${OUT%.pcap}.stats.json" --seed "$SEED"
log "done: $OUT"
