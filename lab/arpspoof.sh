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
# shellcheck disable=SC2016 # the client loops in single quotes are expanded by their own bash
set -u
OUT=$1; MODE=$2; LBL=${OUT%.pcap}.labels.json
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
lab_begin "s14a$$"
lab_tmpdir /tmp/s14a.XXXXXX; W=$LAB_TMPDIR
lab_switch -6 b   # IPv6 left on in the switch, as it always was
for h in gw:1 v:10 c:20 a:66 m1:41 m2:42 g:30; do n=${h%%:*}; a=${h##*:}
  lab_host -m "02:00:c6:12:00:$(printf %02x "$a")" "$n" "198.18.0.$a/24"
done
IF_gw=$(lab_leg gw 198.18.0.1); IF_c=$(lab_leg c 198.18.0.20); IF_a=$(lab_leg a 198.18.0.66)
IF_m1=$(lab_leg m1 198.18.0.41); IF_m2=$(lab_leg m2 198.18.0.42); IF_g=$(lab_leg g 198.18.0.30)
# the gateway's far leg and the far host
lab_link gw fr 198.19.0.1/24 f ff 198.19.0.9/24
ns f ip route add 198.18.0.0/24 via 198.19.0.1
ns gw sysctl -qw net.ipv4.ip_forward=1
ns gw sysctl -qw "net.ipv4.conf.$IF_gw.proxy_arp=1"
ns v ip route add 198.19.0.0/24 via 198.18.0.1
ns c ip route add 198.19.0.0/24 dev "$IF_c"
ns a sysctl -qw net.ipv4.ip_forward=1
ns m1 ip addr add 198.18.0.40/24 dev "$IF_m1"
ns m1 ip addr add 198.18.0.5/24 dev "$IF_m1"
lab_check_routes
for n in f v gw; do bg $n 200 python3 -m http.server 80 >/dev/null 2>&1; done
sleep 1
lab_capture b 300 br0 "$OUT" -s 96
sleep 1
T0=$(date +%s)
bg v 130 bash -c 'end=$((SECONDS+125)); while [ $SECONDS -lt $end ]; do
  timeout 3 python3 -c "import urllib.request; urllib.request.urlopen(\"http://198.19.0.9/\", timeout=2).read()" 2>/dev/null
  ping -c 1 -W 1 198.18.0.1 >/dev/null; sleep 0.$((RANDOM % 9 + 1)); done'
bg c 130 bash -c 'end=$((SECONDS+125)); while [ $SECONDS -lt $end ]; do
  timeout 3 python3 -c "import urllib.request; urllib.request.urlopen(\"http://198.18.0.10/\", timeout=2).read()" 2>/dev/null
  timeout 3 python3 -c "import urllib.request; urllib.request.urlopen(\"http://198.18.0.1/\", timeout=2).read()" 2>/dev/null
  for d in 198.18.0.5 198.18.0.40 198.19.0.9; do ping -c 1 -W 1 $d >/dev/null; done
  sleep 1.$((RANDOM % 9)); done'
at() { local d=$(( $1 - ($(date +%s) - T0) )); [ "$d" -gt 0 ] && nap "$d"; }
ev() { echo "$(date +%s.%N) $*" >> "${OUT%.pcap}.events"; }
: > "${OUT%.pcap}.events"
at 8;  ev "g: arping -0 -d (probe)"; ns g timeout 5 arping -0 -c 2 -i "$IF_g" 198.18.0.30 >/dev/null 2>&1
at 11; ev "g: arping -U -c 3"; ns g timeout 8 arping -U -c 3 -i "$IF_g" 198.18.0.30 >/dev/null 2>&1
at 15; ev "g: arping -A -c 2"; ns g timeout 8 arping -A -c 2 -i "$IF_g" 198.18.0.30 >/dev/null 2>&1
at 18; ev ".40 moves m1 -> m2"; ns m1 ip addr del 198.18.0.40/24 dev "$IF_m1"
ns m2 ip addr add 198.18.0.40/24 dev "$IF_m2"
ns m2 timeout 8 arping -U -S 198.18.0.40 -c 2 -i "$IF_m2" 198.18.0.40 >/dev/null 2>&1
at 24; ev "VIP .5 fails over m1 -> m2"; ns m1 ip addr del 198.18.0.5/24 dev "$IF_m1"
ns m2 ip addr add 198.18.0.5/24 dev "$IF_m2"
ns m2 timeout 8 arping -U -S 198.18.0.5 -c 5 -w 200000 -i "$IF_m2" 198.18.0.5 >/dev/null 2>&1
s=$(date +%s.%N)
at 30
case $MODE in
  arpspoof) CMD="arpspoof -i $IF_a -t 198.18.0.10 -r 198.18.0.1"
    ev "attack: $CMD"; s=$(date +%s.%N)
    # shellcheck disable=SC2086 # the command's words
    lab_run a 60 $CMD >/dev/null 2>&1 ;;
  ettercap) CMD="ettercap -T -q -i $IF_a -M arp:remote /198.18.0.10// /198.18.0.1//"
    ev "attack: $CMD"; s=$(date +%s.%N)
    # shellcheck disable=SC2086 # the command's words
    lab_run -s INT a 60 $CMD >/tmp/s14h1-ettercap.log 2>&1 ;;
esac
e=$(date +%s.%N); ev "attack ended"
at 100; ev "VIP .5 fails back m2 -> m1"; ns m2 ip addr del 198.18.0.5/24 dev "$IF_m2"
ns m1 ip addr add 198.18.0.5/24 dev "$IF_m1"
ns m1 timeout 8 arping -U -S 198.18.0.5 -c 5 -w 200000 -i "$IF_m1" 198.18.0.5 >/dev/null 2>&1
at 125
lab_episode "$W/episodes" 198.18.0.66 other-attack "$s" "$(plus "$e" 10)" "$CMD"
lab_labels "$LBL" "$(basename "$OUT")" "$W/episodes" 198.18.0.66
nap 1; lab_capture_stop
log "wrote $OUT ($(stat -c %s "$OUT") bytes) and $LBL"
