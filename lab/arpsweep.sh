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
# unlabelled. (The command goes into the labels file as it is: no double quotes in it.) Env: DUR (normal traffic before the first and after the last command, s; 10),
# NORMAL_ONLY=SECONDS (no attacks file: normal traffic only, for that long).
set -u
OUT=$1; ATT=${2:-/dev/null}; LBL=${OUT%.pcap}.labels.json
P=h2a$$
LIVE="h5:5 h40:40 h77:77 h100:100 h150:150 h200:200 h250:250"
HOSTS="v:10 a:66 c1:20 c2:21 c3:22 r:1 $LIVE"
ALL="${P}b ${P}f"; for h in $HOSTS; do ALL="$ALL ${P}${h%%:*}"; done
PIDS=""
cleanup() {
  for p in $PIDS; do kill $p 2>/dev/null; done
  for n in $ALL; do ip netns pids $n 2>/dev/null | xargs -r kill 2>/dev/null; done
  sleep 0.5
  for n in $ALL; do ip netns del $n 2>/dev/null; done
}
trap cleanup EXIT
ip netns add ${P}b; ip -n ${P}b link add br0 type bridge; ip -n ${P}b link set br0 up
i=0
for h in $HOSTS; do n=${P}${h%%:*}; a=${h##*:}; i=$((i+1))
  ip netns add $n; ip -n $n link set lo up
  ip link add e$i netns $n type veth peer name p$i netns ${P}b
  ip -n $n addr add 198.18.0.$a/24 dev e$i; ip -n $n link set e$i up
  ip -n ${P}b link set p$i master br0; ip -n ${P}b link set p$i up
  [ $a != 1 ] && ip -n $n route add 198.19.0.0/24 via 198.18.0.1
done
# the router's far leg and the far client
ip netns add ${P}f; ip -n ${P}f link set lo up
ip link add fr netns ${P}r type veth peer name ff netns ${P}f
ip -n ${P}r addr add 198.19.0.1/24 dev fr; ip -n ${P}r link set fr up
ip -n ${P}f addr add 198.19.0.9/24 dev ff; ip -n ${P}f link set ff up
ip -n ${P}f route add 198.18.0.0/24 via 198.19.0.1
ip netns exec ${P}r sysctl -qw net.ipv4.ip_forward=1
ip netns exec ${P}v python3 -m http.server 80 --bind 198.18.0.10 >/dev/null 2>&1 &
ip netns exec ${P}v socat TCP4-LISTEN:22,fork,reuseaddr EXEC:cat >/dev/null 2>&1 &
sleep 1
ip netns exec ${P}b tcpdump -i br0 -s 96 -w $OUT -U >/dev/null 2>&1 &
TD=$!
sleep 1
LIVEIPS="10 5 40 77 100 150 200 250 20 21 22"
talk='end=$((SECONDS+$1)); ips=($2); while [ $SECONDS -lt $end ]; do
  timeout 3 python3 -c "import urllib.request; urllib.request.urlopen(\"http://198.18.0.10/\", timeout=2).read()" 2>/dev/null
  for k in 1 2 3; do ping -c 1 -W 1 198.18.0.${ips[$((RANDOM % ${#ips[@]}))]} >/dev/null; done
  sleep 0.$((RANDOM % 9 + 1)); done'
if [ -n "${NORMAL_ONLY:-}" ]; then TOTAL=$NORMAL_ONLY; else TOTAL=100000; fi
for n in c1 c2 c3 f; do
  ip netns exec ${P}$n timeout $((TOTAL + 5)) bash -c "$talk" _ $TOTAL "$LIVEIPS" & PIDS="$PIDS $!"
done
flush='end=$((SECONDS+$1)); while [ $SECONDS -lt $end ]; do sleep $2; for n in $3; do ip -n $n neigh flush all; done; done'
timeout $((TOTAL + 5)) bash -c "$flush" _ $TOTAL ${FLUSH:-4} "$(for h in $HOSTS; do printf '%s ' ${P}${h%%:*}; done)" & PIDS="$PIDS $!"
echo '{"capture": "'$(basename $OUT)'", "attackers": [{"ip": "198.18.0.66"}], "episodes": [' > $LBL
if [ -n "${NORMAL_ONLY:-}" ]; then
  sleep $NORMAL_ONLY
else
  sleep ${DUR:-10}
  first=1
  while read -r label cmd; do
    [ -z "$label" ] && continue; [[ $label == \#* ]] && continue
    s=$(date +%s.%N)
    ip netns exec ${P}a timeout ${TMO:-200} bash -c "$cmd" >/dev/null 2>&1
    e=$(date +%s.%N)
    echo "ran $label ($(echo "$e - $s" | bc) s) at $s: $cmd" >&2
    if [ "$label" != normal ]; then
      [ $first = 1 ] || echo ',' >> $LBL; first=0
      printf '{"src": "198.18.0.66", "label": "%s", "start": %s, "end": %s, "command": "%s"}\n' \
        "$label" "$s" "$(echo "$e + 1" | bc)" "$cmd" >> $LBL
    fi
    sleep ${PAUSE:-5}
  done < $ATT
  sleep ${DUR:-10}
fi
echo ']}' >> $LBL
for p in $PIDS; do kill $p 2>/dev/null; done
sleep 1; kill $TD; wait $TD 2>/dev/null
echo "wrote $OUT ($(stat -c %s $OUT) bytes) and $LBL" >&2
