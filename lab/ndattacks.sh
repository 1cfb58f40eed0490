#!/usr/bin/env bash
# Nightjar capture lab: IPv6 neighbour-discovery and router attacks (thc-ipv6) on one LAN.
#
#   sudo lab/ndattacks.sh OUT.pcap ATTACKS_FILE    (writes OUT.pcap and OUT.labels.json)
#
# One bridge (a dumb switch: multicast snooping off, so every group message reaches every
# port, as on a small office switch), IPv6 only, the prefix 2001:2::/64 (RFC 5180's
# benchmarking space, the IPv4 lab address in the low 32 bits) plus link-local. Hosts, with
# hardware address 02:00:c6:12:00:<last byte of the IPv4 lab address, in hex>:
#   r  2001:2::c612:1   a router running radvd: RAs every 3-6 s for 2001:2::/64 (on-link,
#                       autonomous), router lifetime 0 (no host takes it as a default router)
#   v  2001:2::c612:a   the victim: HTTP on 80 (python3 -m http.server)
#   c1 2001:2::c612:14  a client: fetches from v, pings v and c2, all along
#   c2 2001:2::c612:15  a client: fetches from v, pings v and c1; every ~15 s adds a new
#                       address (DAD, and an unsolicited NA: ndisc_notify on) and drops an
#                       older one; every ~12 s flushes its neighbour cache (fresh NSs)
#   c3 2001:2::c612:16  a client that takes its link down and up every ~30 s (RS, DAD of its
#                       link-local and SLAAC addresses, MLD reports), and pings v
#   a  2001:2::c612:42  the attacker (no SLAAC address: the tools' packets carry this one
#                       or forged ones)
# Every other host also has its SLAAC address from r's prefix. tcpdump -s 96 on the bridge.
#
# ATTACKS_FILE lines, one attack each, run in the attacker's namespace with $IF (its
# interface), $V (the victim's address), $C1 and $R set, under `timeout $TMO`, 6-9 s apart:
#   LABEL COMMAND            labelled from the attacker's address 2001:2::c612:42
#   LABEL:spoofed COMMAND    random or forged sources ("spoofed": true; a victim alert covers
#                            it, lab/episodes.py)
#   # ...                    a comment
# thc-ipv6's floods send as fast as they can (50,000 neighbour messages a second on a veth);
# to bound a capture's size an attack line may slow the attacker's egress first with a token
# bucket (bytes a second: a router advertisement of flood_router26 is 1,486 bytes on the
# wire, a neighbour message 86), e.g.
#   flood-icmp:spoofed tc qdisc replace dev $IF root tbf rate 550kbit burst 4k latency 50ms; timeout 3 atk6-flood_advertise6 $IF
# (about 800 a second); the queue drops the rest. `tc qdisc del dev $IF root` undoes it.
#
# Env: DUR (normal traffic seconds, default 300), TMO (each attack's bound, default 20 s),
# NS_PREFIX (default s17a).
#
# Safety (lab/README.md): namespaces NS_PREFIX<PID>-* of this script only, torn down on exit;
# IPv6 enabled only in them, IPv4 disabled (no address); no namespace has a default route
# (checked before the attacks and after each: hosts ignore RAs' default-router information,
# accept_ra_defrtr 0, so neither radvd nor a fake router gives them one); every prefix a flood
# advertises lands on the bridge only. Every loop is bounded by DUR and `timeout`, every
# attack by `timeout`. Processes are ended by PID (and whatever is left in our namespaces).
# shellcheck disable=SC2016 # the client loops in single quotes are expanded by their own bash
set -u
OUT=$1
ATT=$2
LBL=${OUT%.pcap}.labels.json
DUR=${DUR:-300}
TMO=${TMO:-20}
HOSTS="r:1 v:10 c1:20 c2:21 c3:22 a:66"
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
lab_begin "${NS_PREFIX:-s17a}$$"
lab_tmpdir /tmp/s17a.XXXXXX; WORK=$LAB_TMPDIR
v6() { printf '2001:2::c612:%x' "$1"; }

lab_switch b br0 mcast_snooping 0
for h in $HOSTS; do
    n=${h%%:*}
    a=${h##*:}
    _lab_netns "$n" 1
    for k in all default; do
        ns "$n" sysctl -qw "net.ipv6.conf.$k.disable_ipv6=0"
        ns "$n" sysctl -qw "net.ipv6.conf.$k.accept_ra_defrtr=0"
        ns "$n" sysctl -qw "net.ipv6.conf.$k.accept_ra_rtr_pref=0"
        ns "$n" sysctl -qw "net.ipv6.conf.$k.ndisc_notify=1"
    done
    # IPv6 only: no IPv4 address
    lab_host -6 -i eth0 -m "02:00:c6:12:00:$(printf %02x "$a")" "$n" -
    ns "$n" sysctl -qw net.ipv6.conf.eth0.disable_ipv6=0
    ns "$n" sysctl -qw net.ipv6.conf.eth0.accept_ra_defrtr=0
    ns "$n" sysctl -qw net.ipv6.conf.eth0.accept_ra_rtr_pref=0
    ns "$n" sysctl -qw net.ipv6.conf.eth0.ndisc_notify=1
    lab_addr6 "$n" eth0 "$(v6 "$a")/64"
done
ns r sysctl -qw net.ipv6.conf.all.forwarding=1
ns a sysctl -qw net.ipv6.conf.eth0.autoconf=0
cat >"$WORK/radvd.conf" <<EOF
interface eth0 {
    AdvSendAdvert on;
    MinRtrAdvInterval 3;
    MaxRtrAdvInterval 6;
    AdvDefaultLifetime 0;
    prefix 2001:2::/64 { AdvOnLink on; AdvAutonomous on; };
};
EOF
T=$((DUR + 60))
V=$(v6 10)
C1=$(v6 20)
C2=$(v6 21)
R=$(v6 1)
bg r $T radvd -n -C "$WORK/radvd.conf" -p "$WORK/radvd.pid" -m stderr >/dev/null 2>&1
bg v $T python3 -m http.server 80 --bind "$V" >/dev/null 2>&1
sleep 3
lab_check_routes
lab_capture b $T br0 "$OUT" -n -s 96
sleep 1
# normal traffic, bounded by DUR and timeout
client() { # HOST PEER EXTRA
    bg "$1" $T env V="$V" PEER="$2" DUR="$DUR" W="$WORK" bash -c '
end=$((SECONDS + DUR)); k=0
while [ $SECONDS -lt $end ]; do
    k=$((k + 1))
    for j in $(seq $((RANDOM % 3 + 1))); do curl -6 -s -m 2 -o /dev/null "http://[$V]/"; done
    ping -6 -c 2 -i 0.3 -W 1 "$V" >/dev/null
    [ -n "$PEER" ] && ping -6 -c 1 -W 1 "$PEER" >/dev/null
    '"$3"'
    sleep 1.$((RANDOM % 9))
done' >/dev/null 2>&1
}
client c1 "$C2" ''
client c2 "$C1" '
    if [ $((k % 6)) = 0 ]; then
        a=2001:2::c612:$(printf %x $((0x100 + RANDOM % 200)))
        ip -6 addr add $a/64 dev eth0; echo $a >> $W/c2-addresses
        [ $(wc -l < $W/c2-addresses) -gt 2 ] && { ip -6 addr del $(head -1 $W/c2-addresses)/64 dev eth0; sed -i 1d $W/c2-addresses; }
    fi
    [ $((k % 5)) = 0 ] && ip -6 neigh flush dev eth0'
client c3 "" '
    [ $((k % 12)) = 0 ] && { ip link set eth0 down; sleep 1; ip link set eth0 up; sleep 2; }'
nap 15
lab_check_routes
attack() { # LABEL COMMAND
    local label=$1 spoofed="" c
    [[ $label == *:spoofed ]] && spoofed='"spoofed": true'
    label=${label%:spoofed}
    lab_run a "$TMO" env IF=eth0 V="$V" C1="$C1" R="$R" bash -c "$2" >/dev/null 2>&1
    log "ran $label ($(echo "$RUN_E - $RUN_S" | bc) s): $2"
    lab_check_routes
    # shellcheck disable=SC2016 # the names envsubst replaces
    c=$(IF=eth0 V="$V" C1="$C1" R="$R" envsubst '$IF $V $C1 $R' <<<"$2")
    lab_episode "$WORK/episodes" "$(v6 66)" "$label" "$RUN_S" "$(plus "$RUN_E" 2)" "$c" "$spoofed"
    nap $((6 + RANDOM % 4))
}
: >"$WORK/episodes"
lab_lines "$ATT" attack
lab_labels "$LBL" "$(basename "$OUT")" "$WORK/episodes" "$(v6 66)" '"seed": 1'
nap 5
lab_capture_stop
log "wrote $OUT and $LBL"
