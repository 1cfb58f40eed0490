#!/usr/bin/env bash
# Nightjar capture lab: floods spread over a whole victim subnet ("carpet bombing").
#
#   sudo lab/carpet.sh OUT.pcap ATTACKS_FILE      (writes OUT.pcap and OUT.labels.json)
#
# Two LANs joined by a router namespace (gw, ip_forward on): the edge LAN EDGE.0/24 (router
# .1, client .20, a DNS resolver .31, attacker .66) and the victim subnet VNET.0/24 (router
# .1; live hosts .10 web + UDP echo 7 + TCP echo 22, .11 web, .12 DNS, .13 TCP 443, .14 no
# service). Every other address of VNET.0/24 does not exist: the router's ARP for it fails
# and the packet is dropped there (it sends the odd ICMP host unreachable back). tcpdump
# (-s 96) runs on the edge bridge, as an IDS on the victim network's uplink sees the traffic:
# every packet to the subnet, also those to addresses that do not exist.
#
# The client browses .10 and .11, pings .10 and .12, asks .12 and .31 DNS questions and
# exchanges UDP echoes with .10, all along. ATTACKS_FILE lines, one attack each, 4 s apart:
#   LABEL COMMAND      COMMAND runs (bash -c, under `timeout $TMO`) in the attacker's namespace
#                      with $VNET (the victim /24's first three octets) and $IF (its interface)
#                      set, e.g.  flood-syn hping3 -q -S -p 80 -i u1000 -c 4000 --rand-dest -I $IF $VNET.x
#   # ...              a comment
# An attack whose command has --rand-source is labelled "spoofed": true (its packets carry
# random source addresses, not the attacker's: a victim alert covers it, lab/episodes.py).
#
# Env: EDGE (default 198.18.0), VNET (default 198.18.1): both must lie in 198.18.0.0/15 and
# differ; DUR (client traffic seconds, default 400), TMO (each attack's bound, default 40 s),
# NS_PREFIX (of the namespaces' names, default njcarpet).
#
# Safety (lab/README.md): namespaces NS_PREFIX<PID>-* of this script only, torn down on exit;
# addresses in 198.18.0.0/15; no namespace has a default route (checked), so a packet to a
# random source (a victim's answer to a spoofed SYN) has no route and is dropped where it is
# made; hping3's --rand-dest only ever draws inside VNET.0/24 (its `x` is one byte); every
# attack bounded by -c and `timeout`, the client by DUR and `timeout`; processes ended by
# PID (and whatever is left inside our namespaces).
# shellcheck disable=SC2016 # the client loops in single quotes are expanded by their own bash
set -u
OUT=$1
ATT=$2
LBL=${OUT%.pcap}.labels.json
EDGE=${EDGE:-198.18.0}
VNET=${VNET:-198.18.1}
DUR=${DUR:-400}
TMO=${TMO:-40}
in_lab() { [[ $1 =~ ^198\.1[89]\.[0-9]{1,3}$ ]] && [ "${1##*.}" -le 255 ]; }
in_lab "$EDGE" && in_lab "$VNET" && [ "$EDGE" != "$VNET" ] || {
    echo "EDGE and VNET must be distinct /24s of 198.18.0.0/15 (A.B.C)" >&2
    exit 2
}
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
lab_begin "${NS_PREFIX:-njcarpet}$$"
lab_tmpdir /tmp/njcarpet.XXXXXX; WORK=$LAB_TMPDIR
EHOSTS="gw:1 c:20 r:31 a:66"
VHOSTS="v10:10 v11:11 v12:12 v13:13 v14:14"
# one switch namespace, two bridges: br0 the edge LAN, br1 the victim subnet
lab_switch b br1
lab_switch b br0
for h in $EHOSTS; do lab_host -i eth0 -b b/br0 "${h%%:*}" "$EDGE.${h##*:}/24"; done
lab_host -i eth1 -b b/br1 gw "$VNET.1/24"
for h in $VHOSTS; do lab_host -i eth0 -b b/br1 "${h%%:*}" "$VNET.${h##*:}/24"; done
ns gw sysctl -qw net.ipv4.ip_forward=1
# the router forwards spoofed sources as an ISP's edge that does no source filtering
for k in all default eth0 eth1; do ns gw sysctl -qw "net.ipv4.conf.$k.rp_filter=0"; done
for h in c r a; do ns "$h" ip route add "$VNET.0/24" via "$EDGE.1"; done
for h in $VHOSTS; do ns "${h%%:*}" ip route add "$EDGE.0/24" via "$VNET.1"; done
lab_check_routes

T=$((DUR + 60))
bg v10 $T python3 -m http.server 80 --bind "$VNET.10" >/dev/null 2>&1
bg v10 $T socat UDP4-RECVFROM:7,fork EXEC:cat >/dev/null 2>&1
bg v10 $T socat TCP4-LISTEN:22,fork,reuseaddr EXEC:cat >/dev/null 2>&1
bg v11 $T python3 -m http.server 80 --bind "$VNET.11" >/dev/null 2>&1
bg v13 $T socat TCP4-LISTEN:443,fork,reuseaddr EXEC:cat >/dev/null 2>&1
for d in v12:"$VNET.12" r:"$EDGE.31"; do
    bg "${d%%:*}" $T dnsmasq --no-daemon --no-resolv --no-hosts \
        --bind-interfaces --listen-address="${d#*:}" --pid-file="$WORK/dns${d%%:*}.pid" \
        --address=/www.example/"$VNET.10" --address=/mail.example/"$VNET.11" >/dev/null 2>&1
done
sleep 1
lab_capture b $T br0 "$OUT" -n -s 96
sleep 1
# the normal client: web, ping, DNS, UDP echo, bounded by DUR and timeout
bg c $T env VNET="$VNET" EDGE="$EDGE" DUR="$DUR" bash -c '
end=$((SECONDS + DUR))
while [ $SECONDS -lt $end ]; do
    for k in $(seq $((RANDOM % 4 + 1))); do
        curl -s -m 2 -o /dev/null "http://$VNET.1$((RANDOM % 2))/"
    done
    ping -c 2 -i 0.3 -W 1 "$VNET.1$((RANDOM % 2 * 2))" >/dev/null
    dig +time=1 +tries=1 @$VNET.12 www.example >/dev/null 2>&1
    dig +time=1 +tries=1 @$EDGE.31 mail.example >/dev/null 2>&1
    echo "hello $RANDOM" | timeout 2 socat -T1 - UDP4:$VNET.10:7 >/dev/null 2>&1
    sleep 0.$((RANDOM % 9 + 1))
done' >/dev/null 2>&1
sleep 10
attack() { # LABEL COMMAND
    local spoofed="" c
    lab_run a "$TMO" env VNET="$VNET" IF=eth0 bash -c "$2" >/dev/null 2>&1
    log "ran $1 ($(echo "$RUN_E - $RUN_S" | bc) s): $2"
    [[ $2 == *--rand-source* ]] && spoofed='"spoofed": true'
    # shellcheck disable=SC2016 # the names envsubst replaces
    c=$(VNET=$VNET IF=eth0 envsubst '$VNET $IF' <<<"$2")
    lab_episode "$WORK/episodes" "$EDGE.66" "$1" "$RUN_S" "$(plus "$RUN_E" 2)" "$c" "$spoofed"
    nap 4
}
: >"$WORK/episodes"
lab_lines "$ATT" attack
lab_labels "$LBL" "$(basename "$OUT")" "$WORK/episodes" "$EDGE.66"
nap 3
lab_capture_stop INT
