#!/usr/bin/env bash
# lab/arpsweep.sh OUT.pcap ATTACKS_FILE -- a LAN with ARP churn, for the ARP-sweep rule
# (crates/ids/src/arpsweep.rs). Run as root. Writes OUT.pcap (tcpdump -s 96 on the bridge) and
# OUT.labels.json (DESIGN §12; episodes with their commands, as lab/episodes.py reads them).
#
# One bridge, all in 198.18.0.0/24 (no route out): victim .10 (HTTP 80, TCP echo 22), attacker
# .66, clients .20 .21 .22, quiet live hosts .5 .40 .77 .100 .150 .200 .250 (they answer ARP
# and ping), and a router .1 whose other leg (198.19.0.1/24) leads to a far client 198.19.0.9
# that talks to the victim and the live hosts through it (the router resolves every host it
# forwards to). Normal traffic, for the whole run: each client fetches from the victim and
# pings three random live hosts, again and again; the far client does the same through the
# router; every ${FLUSH:-4} s every namespace's neighbour cache is flushed (`ip neigh flush
# all`), so every host re-resolves its peers all the time.
#
# ATTACKS_FILE lines: "LABEL COMMAND", run in the attacker's namespace one after the other,
# ${PAUSE:-5} s apart, each bounded by `timeout ${TMO:-200}`; LABEL `normal` runs the command
# unlabelled (the command goes into the labels file with it). Env: DUR (normal traffic before the first and after the last command, s; 10),
# NORMAL_ONLY=SECONDS (no attacks file: normal traffic only, for that long).
set -u
OUT=$1; ATT=${2:-/dev/null}; LBL=${OUT%.pcap}.labels.json
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
lab_begin "h2a$$"
lab_tmpdir /tmp/njarpsweep.XXXXXX; W=$LAB_TMPDIR
LIVE="h5:5 h40:40 h77:77 h100:100 h150:150 h200:200 h250:250"
HOSTS="v:10 a:66 c1:20 c2:21 c3:22 r:1 $LIVE"
if [ -n "${NORMAL_ONLY:-}" ]; then TOTAL=$NORMAL_ONLY; else TOTAL=100000; fi
LIFE=$((TOTAL + 3600))   # every process's bound
# IPv6 left on everywhere, as it always was (the hosts' and the bridge's MLD, RS and DAD are in the capture)
lab_switch -6 b
for h in $HOSTS; do a=${h##*:}
  lab_host -6 "${h%%:*}" "198.18.0.$a/24"
  [ "$a" != 1 ] && ns "${h%%:*}" ip route add 198.19.0.0/24 via 198.18.0.1
done
# the router's far leg and the far client
_lab_netns f 1
lab_link r fr 198.19.0.1/24 f ff 198.19.0.9/24
ns f ip route add 198.18.0.0/24 via 198.19.0.1
ns r sysctl -qw net.ipv4.ip_forward=1
lab_check_routes
bg v $LIFE python3 -m http.server 80 --bind 198.18.0.10 >/dev/null 2>&1
bg v $LIFE socat TCP4-LISTEN:22,fork,reuseaddr EXEC:cat >/dev/null 2>&1
sleep 1
lab_capture b $LIFE br0 "$OUT" -s 96
sleep 1
LIVEIPS="10 5 40 77 100 150 200 250 20 21 22"
# shellcheck disable=SC2016 # expanded by the inner bash
talk='end=$((SECONDS+$1)); ips=($2); while [ $SECONDS -lt $end ]; do
  timeout 3 python3 -c "import urllib.request; urllib.request.urlopen(\"http://198.18.0.10/\", timeout=2).read()" 2>/dev/null
  for k in 1 2 3; do ping -c 1 -W 1 198.18.0.${ips[$((RANDOM % ${#ips[@]}))]} >/dev/null; done
  sleep 0.$((RANDOM % 9 + 1)); done'
CLS=()
for n in c1 c2 c3 f; do
  bg "$n" $((TOTAL + 5)) bash -c "$talk" _ "$TOTAL" "$LIVEIPS"; CLS+=("$BG_PID")
done
# shellcheck disable=SC2016 # expanded by the inner bash
flush='end=$((SECONDS+$1)); while [ $SECONDS -lt $end ]; do sleep $2; for n in $3; do ip -n $n neigh flush all; done; done'
# (run where the script runs: ip -n only flushes the hosts' caches, it sends nothing)
timeout $((TOTAL + 5)) bash -c "$flush" _ "$TOTAL" "${FLUSH:-4}" "$(for h in $HOSTS; do printf '%s ' "$LAB_PREFIX-${h%%:*}"; done)" </dev/null &
CLS+=($!); LAB_PIDS+=($!)
attack() { # LABEL COMMAND
  lab_run a "${TMO:-200}" bash -c "$2" >/dev/null 2>&1
  log "ran $1 ($(echo "$RUN_E - $RUN_S" | bc) s) at $RUN_S: $2"
  [ "$1" != normal ] && lab_episode "$W/episodes" 198.18.0.66 "$1" "$RUN_S" "$(plus "$RUN_E" 1)" "$2"
  nap "${PAUSE:-5}"
}
: >"$W/episodes"
if [ -n "${NORMAL_ONLY:-}" ]; then
  nap "$NORMAL_ONLY"
else
  nap "${DUR:-10}"
  lab_lines "$ATT" attack
  nap "${DUR:-10}"
fi
lab_labels "$LBL" "$(basename "$OUT")" "$W/episodes" 198.18.0.66
kill "${CLS[@]}" 2>/dev/null
nap 1; lab_capture_stop
log "wrote $OUT ($(stat -c %s "$OUT") bytes) and $LBL"
