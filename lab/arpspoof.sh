#!/usr/bin/env bash
# lab/arpspoof.sh OUT.pcap MODE -- a LAN with a gateway, a victim, a client and an attacker that
# poisons the victim's and the gateway's ARP caches (a man in the middle), with legitimate ARP
# events around it, for the ARP-spoofing rule (crates/ids/src/arpspoof.rs). Run as root; needs
# tcpdump, arping (Thomas Habets' arping 2.x, Debian `arping`), dsniff (arpspoof) or
# ettercap-text-only, python3. MODE: arpspoof (`arpspoof -t victim -r gateway`) or ettercap
# (`ettercap -T -q -M arp:remote /victim// /gateway//`). Writes OUT.pcap (tcpdump -s 96 on the
# bridge), OUT.labels.json (DESIGN §12: the attack's span plus 10 s, with its command) and
# OUT.events (when each legitimate event began).
#
# One bridge, 198.18.0.0/24, no route out, IPv6 off in the hosts. Hosts (hardware address
# 02:00:c6:12:00:<last byte of the IPv4 address, in hex>):
#   gw .1 (HTTP 80; far leg 198.19.0.1/24 to the far host 198.19.0.9, HTTP 80; forwarding and
#     proxy_arp on its LAN leg), victim .10 (HTTP 80), client .20, attacker .66 (forwarding on),
#   m1 .41 (holds VIP .5 and address .40 at first), m2 .42, g .30.
# Normal traffic for the whole run (125 s): the victim fetches from the far host through gw and
# pings gw; the client fetches from the victim and gw and pings .5, .40 and the far host (an
# on-link route: gw answers for it by proxy ARP). Legitimate ARP events, at seconds from the
# start: 8 g's RFC 5227 probes (arping -0, sender 0.0.0.0); 11 three gratuitous requests
# (arping -U); 15 two gratuitous replies (arping -A); 18 address .40 moves from m1 to m2 (m2
# announces it twice, arping -U -S); 24 VIP .5 fails over from m1 to m2 (five gratuitous ARPs,
# as keepalived); 30 the attack, for 60 s (`timeout 60`; arpspoof restores the caches as it
# stops); 100 VIP .5 fails back to m1 (five gratuitous ARPs).
set -u
OUT=$1; MODE=$2; LBL=${OUT%.pcap}.labels.json
P=s14a$$
HOSTS="gw:1 v:10 c:20 a:66 m1:41 m2:42 g:30"
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
  ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  ip link add e$i netns $n address 02:00:c6:12:00:$(printf %02x $a) type veth peer name p$i netns ${P}b
  ip -n $n addr add 198.18.0.$a/24 dev e$i; ip -n $n link set e$i up
  ip -n ${P}b link set p$i master br0; ip -n ${P}b link set p$i up
  eval IF_${h%%:*}=e$i
done
# the gateway's far leg and the far host
ip netns add ${P}f; ip -n ${P}f link set lo up
ip netns exec ${P}f sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip link add fr netns ${P}gw type veth peer name ff netns ${P}f
ip -n ${P}gw addr add 198.19.0.1/24 dev fr; ip -n ${P}gw link set fr up
ip -n ${P}f addr add 198.19.0.9/24 dev ff; ip -n ${P}f link set ff up
ip -n ${P}f route add 198.18.0.0/24 via 198.19.0.1
ip netns exec ${P}gw sysctl -qw net.ipv4.ip_forward=1
ip netns exec ${P}gw sysctl -qw net.ipv4.conf.$IF_gw.proxy_arp=1
ip -n ${P}v route add 198.19.0.0/24 via 198.18.0.1
ip -n ${P}c route add 198.19.0.0/24 dev $IF_c
ip netns exec ${P}a sysctl -qw net.ipv4.ip_forward=1
ip -n ${P}m1 addr add 198.18.0.40/24 dev $IF_m1
ip -n ${P}m1 addr add 198.18.0.5/24 dev $IF_m1
for n in f v gw; do ip netns exec ${P}$n timeout 200 python3 -m http.server 80 >/dev/null 2>&1 & done
sleep 1
ip netns exec ${P}b tcpdump -i br0 -s 96 -w $OUT -U >/dev/null 2>&1 &
TD=$!
sleep 1
T0=$(date +%s)
ip netns exec ${P}v timeout 130 bash -c 'end=$((SECONDS+125)); while [ $SECONDS -lt $end ]; do
  timeout 3 python3 -c "import urllib.request; urllib.request.urlopen(\"http://198.19.0.9/\", timeout=2).read()" 2>/dev/null
  ping -c 1 -W 1 198.18.0.1 >/dev/null; sleep 0.$((RANDOM % 9 + 1)); done' & PIDS="$PIDS $!"
ip netns exec ${P}c timeout 130 bash -c 'end=$((SECONDS+125)); while [ $SECONDS -lt $end ]; do
  timeout 3 python3 -c "import urllib.request; urllib.request.urlopen(\"http://198.18.0.10/\", timeout=2).read()" 2>/dev/null
  timeout 3 python3 -c "import urllib.request; urllib.request.urlopen(\"http://198.18.0.1/\", timeout=2).read()" 2>/dev/null
  for d in 198.18.0.5 198.18.0.40 198.19.0.9; do ping -c 1 -W 1 $d >/dev/null; done
  sleep 1.$((RANDOM % 9)); done' & PIDS="$PIDS $!"
at() { sleep $(( $1 - ($(date +%s) - T0) )) 2>/dev/null; }
ev() { echo "$(date +%s.%N) $*" >> ${OUT%.pcap}.events; }
: > ${OUT%.pcap}.events
at 8;  ev "g: arping -0 -d (probe)"; ip netns exec ${P}g timeout 5 arping -0 -c 2 -i $IF_g 198.18.0.30 >/dev/null 2>&1
at 11; ev "g: arping -U -c 3"; ip netns exec ${P}g timeout 8 arping -U -c 3 -i $IF_g 198.18.0.30 >/dev/null 2>&1
at 15; ev "g: arping -A -c 2"; ip netns exec ${P}g timeout 8 arping -A -c 2 -i $IF_g 198.18.0.30 >/dev/null 2>&1
at 18; ev ".40 moves m1 -> m2"; ip -n ${P}m1 addr del 198.18.0.40/24 dev $IF_m1
ip -n ${P}m2 addr add 198.18.0.40/24 dev $IF_m2
ip netns exec ${P}m2 timeout 8 arping -U -S 198.18.0.40 -c 2 -i $IF_m2 198.18.0.40 >/dev/null 2>&1
at 24; ev "VIP .5 fails over m1 -> m2"; ip -n ${P}m1 addr del 198.18.0.5/24 dev $IF_m1
ip -n ${P}m2 addr add 198.18.0.5/24 dev $IF_m2
ip netns exec ${P}m2 timeout 8 arping -U -S 198.18.0.5 -c 5 -w 200000 -i $IF_m2 198.18.0.5 >/dev/null 2>&1
s=$(date +%s.%N); ATT=$s
at 30
case $MODE in
  arpspoof) CMD="arpspoof -i $IF_a -t 198.18.0.10 -r 198.18.0.1"
    ev "attack: $CMD"; s=$(date +%s.%N)
    ip netns exec ${P}a timeout 60 $CMD >/dev/null 2>&1 ;;
  ettercap) CMD="ettercap -T -q -i $IF_a -M arp:remote /198.18.0.10// /198.18.0.1//"
    ev "attack: $CMD"; s=$(date +%s.%N)
    ip netns exec ${P}a timeout -s INT 60 $CMD </dev/null >/tmp/s14h1-ettercap.log 2>&1 ;;
esac
e=$(date +%s.%N); ev "attack ended"
at 100; ev "VIP .5 fails back m2 -> m1"; ip -n ${P}m2 addr del 198.18.0.5/24 dev $IF_m2
ip -n ${P}m1 addr add 198.18.0.5/24 dev $IF_m1
ip netns exec ${P}m1 timeout 8 arping -U -S 198.18.0.5 -c 5 -w 200000 -i $IF_m1 198.18.0.5 >/dev/null 2>&1
at 125
printf '{"capture": "%s", "attackers": [{"ip": "198.18.0.66"}], "episodes": [\n{"src": "198.18.0.66", "label": "other-attack", "start": %s, "end": %s, "command": "%s"}\n]}\n' \
  "$(basename $OUT)" "$s" "$(echo "$e + 10" | bc)" "$CMD" > $LBL
for p in $PIDS; do kill $p 2>/dev/null; done
sleep 1; kill $TD; wait $TD 2>/dev/null
echo "wrote $OUT ($(stat -c %s $OUT) bytes) and $LBL" >&2
