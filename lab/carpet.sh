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
# Safety (lab/README.md): namespaces NS_PREFIX<PID>* of this script only, torn down on exit;
# addresses in 198.18.0.0/15; no namespace has a default route (checked), so a packet to a
# random source (a victim's answer to a spoofed SYN) has no route and is dropped where it is
# made; hping3's --rand-dest only ever draws inside VNET.0/24 (its `x` is one byte); every
# attack bounded by -c and `timeout`, the client by DUR and `timeout`; processes ended by
# PID (and whatever is left inside our namespaces).
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
P=${NS_PREFIX:-njcarpet}$$
EHOSTS="gw:1 c:20 r:31 a:66"
VHOSTS="v10:10 v11:11 v12:12 v13:13 v14:14"
NS="${P}b ${P}gw"
for h in $EHOSTS $VHOSTS; do NS="$NS ${P}${h%%:*}"; done
NS=$(echo "$NS" | tr ' ' '\n' | sort -u | tr '\n' ' ')
PIDS=()
WORK=$(mktemp -d /tmp/njcarpet.XXXXXX)
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    sleep 0.5
    for n in $NS; do ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null; done
    sleep 0.5
    for n in $NS; do ip netns del "$n" 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup EXIT
bgp() { "$@" >/dev/null 2>&1 & PIDS+=($!); }

ip netns add "${P}b"
for k in all default; do ip netns exec "${P}b" sysctl -qw "net.ipv6.conf.$k.disable_ipv6=1"; done
for br in br0 br1; do
    ip -n "${P}b" link add $br type bridge
    ip -n "${P}b" link set $br up
done
ip -n "${P}b" link set lo up
ip netns add "${P}gw"
i=0
# host NAME NET LAST BRIDGE IFNAME
host() {
    local n=${P}$1
    i=$((i + 1))
    ip netns list | grep -qw "$n" || ip netns add "$n"
    ip link add "v$$x$i" netns "$n" type veth peer name "p$i" netns "${P}b"
    ip -n "$n" link set "v$$x$i" name "$5"
    ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip netns exec "$n" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
    ip netns exec "$n" sysctl -qw "net.ipv6.conf.$5.disable_ipv6=1"
    ip -n "$n" addr add "$2.$3/24" dev "$5"
    ip -n "$n" link set "$5" up
    ip -n "$n" link set lo up
    ip -n "${P}b" link set "p$i" master "$4"
    ip -n "${P}b" link set "p$i" up
}
for h in $EHOSTS; do host "${h%%:*}" "$EDGE" "${h##*:}" br0 eth0; done
host gw "$VNET" 1 br1 eth1
for h in $VHOSTS; do host "${h%%:*}" "$VNET" "${h##*:}" br1 eth0; done
ip netns exec "${P}gw" sysctl -qw net.ipv4.ip_forward=1
# the router forwards spoofed sources as an ISP's edge that does no source filtering
for k in all default eth0 eth1; do ip netns exec "${P}gw" sysctl -qw "net.ipv4.conf.$k.rp_filter=0"; done
for h in c r a; do ip -n "${P}$h" route add "$VNET.0/24" via "$EDGE.1"; done
for h in $VHOSTS; do ip -n "${P}${h%%:*}" route add "$EDGE.0/24" via "$VNET.1"; done
for n in $NS; do
    if ip -n "$n" route show default | grep -q .; then
        echo "a default route in $n: stopping" >&2
        exit 1
    fi
done

T=$((DUR + 60))
bgp ip netns exec "${P}v10" timeout $T python3 -m http.server 80 --bind "$VNET.10"
bgp ip netns exec "${P}v10" timeout $T socat UDP4-RECVFROM:7,fork EXEC:cat
bgp ip netns exec "${P}v10" timeout $T socat TCP4-LISTEN:22,fork,reuseaddr EXEC:cat
bgp ip netns exec "${P}v11" timeout $T python3 -m http.server 80 --bind "$VNET.11"
bgp ip netns exec "${P}v13" timeout $T socat TCP4-LISTEN:443,fork,reuseaddr EXEC:cat
for d in v12:"$VNET.12" r:"$EDGE.31"; do
    bgp ip netns exec "${P}${d%%:*}" timeout $T dnsmasq --no-daemon --no-resolv --no-hosts \
        --bind-interfaces --listen-address="${d#*:}" --pid-file="$WORK/dns${d%%:*}.pid" \
        --address=/www.example/"$VNET.10" --address=/mail.example/"$VNET.11"
done
sleep 1
ip netns exec "${P}b" timeout $T tcpdump -i br0 -n -s 96 -U -w "$OUT" >/dev/null 2>&1 &
TD=$!
PIDS+=($TD)
sleep 1
# the normal client: web, ping, DNS, UDP echo, bounded by DUR and timeout
bgp ip netns exec "${P}c" timeout $T env VNET="$VNET" EDGE="$EDGE" DUR="$DUR" bash -c '
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
echo '{"capture": "'"$(basename "$OUT")"'", "attackers": [{"ip": "'"$EDGE"'.66"}], "episodes": [' >"$LBL"
first=1
while read -r label cmd; do
    [ -z "$label" ] && continue
    [[ $label == \#* ]] && continue
    s=$(date +%s.%N)
    ip netns exec "${P}a" timeout "$TMO" env VNET="$VNET" IF=eth0 bash -c "$cmd" >/dev/null 2>&1
    e=$(date +%s.%N)
    echo "ran $label ($(echo "$e - $s" | bc) s): $cmd" >&2
    spoofed=""
    [[ $cmd == *--rand-source* ]] && spoofed=', "spoofed": true'
    [ $first = 1 ] || echo ',' >>"$LBL"
    first=0
    c=$(VNET=$VNET IF=eth0 envsubst '$VNET $IF' <<<"$cmd" | sed 's/"/\\"/g')
    printf '{"src": "%s.66", "label": "%s", "start": %s, "end": %s, "command": "%s"%s}' \
        "$EDGE" "$label" "$s" "$(echo "$e + 2" | bc)" "$c" "$spoofed" >>"$LBL"
    sleep 4
done <"$ATT"
echo ']}' >>"$LBL"
sleep 3
kill -INT $TD 2>/dev/null
wait $TD 2>/dev/null
