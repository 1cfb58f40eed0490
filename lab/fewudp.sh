#!/usr/bin/env bash
# fewudp.sh OUT.pcap CMDS_FILE [SEED] -- UDP scans of a few ports (nmap -sU --top-ports 10/20,
# -p 53,123,161,500, -sV -p 161, hping3 --udp, nping --udp) of a host whose closed ports answer
# ICMP port unreachable and of a host that drops UDP silently (nftables), among normal UDP
# clients: DNS lookups, NTP, SNMP, a monitor checking DNS+NTP+SNMP of both hosts, DTLS
# ClientHellos retried with back-off to a closed and to a dropped port, traceroutes. (session 26,
# helper h1; services after lab/scanners.sh, which it reuses: lab/udpservices.py serve)
# Tools (Debian packages): iproute2 nftables tcpdump dnsmasq python3 bind9-host snmp nmap hping3.
#   net0 198.18.0.0/24 (bridge br0 of b0): router .1, victim v .10 (dnsmasq on 53, SNTP on 123
#        (lab/fewudp.py ntpd), SNMP 161, IKE 500, SIP 5060 (lab/udpservices.py serve), udp echo
#        7; every other UDP port closed: ICMP port unreachable), victim d .11 (dnsmasq on 53,
#        SNTP on 123; nftables drops every other UDP datagram: no answer)
#   net1 198.18.1.0/24 (bridge br0 of b1): router .1, client c .20 (a loop: host(1) lookups at
#        both resolvers, an SNTP query, snmpget, a DTLS ClientHello to .10:4433 (refused) and to
#        .11:4433 (dropped, 3 tries at 1, 2, 4 s), a traceroute of .10 or .11 (lab/fewudp.py),
#        1-4 s apart), monitor m .21 (every 5-9 s: DNS, NTP and SNMP of .10 and .11, one query
#        each: three ports of one host within a second, SNMP unanswered by .11), attacker a .66
# Hosts have only the route to the other /24 via the router (no default route, checked);
# ip_forward=1 in the router namespace only. tcpdump -s 96 on net1's bridge (OUT.pcap: all
# the clients' and the attacker's traffic).
# CMDS_FILE lines "LABEL COMMAND": run in the attacker namespace under timeout ${TMO:-120}, GAP (8)
# seconds apart; LABEL "normal" means not an attack (span written to OUT.normal.json). Every
# command must be bounded by its own count (a port list, -c). SEED seeds the clients' choices.
# Writes OUT.pcap, OUT.labels.json, OUT.normal.json and the tools' output in OUT.tool.log.
# shellcheck disable=SC2016 # the client loops in single quotes are expanded by their own bash
set -u
OUT=$1; CMDS=$2; SEED=${3:-1}; LBL=${OUT%.pcap}.labels.json; NRM=${OUT%.pcap}.normal.json
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lab/lib.sh
source "$HERE/lib.sh"
ensure_tools nft:nftables dnsmasq:dnsmasq host:bind9-host snmpget:snmp nmap:nmap hping3:hping3 tcpdump:tcpdump bc:bc
[ -r "$CMDS" ] || die "no commands file $CMDS"
lab_begin "${PREFIX:-s26u$$}"
lab_tmpdir /tmp/nj-fewudp.XXXXXX; L=$LAB_TMPDIR
lab_routed 198.18.0 198.18.1 rt:0:1 v:0:10 d:0:11 rt:1:1 c:1:20 m:1:21 a:1:66
lab_check_routes
ns d nft -f - <<'NFT' || die "nft on d"
table inet fewudp {
  chain in {
    type filter hook input priority 0; policy accept;
    udp dport { 53, 123 } accept
    meta l4proto udp drop
  }
}
NFT
D=$((${DUR:-900} + 60))
for h in v:10 d:11; do
    bg "${h%:*}" $D dnsmasq --no-daemon --no-resolv --no-hosts --listen-address="198.18.0.${h#*:}" --bind-interfaces \
        --address=/www.lab.example/198.18.0.10 --address=/mail.lab.example/198.18.0.11 --pid-file="$L/dns${h#*:}.pid" >/dev/null 2>&1
    bg "${h%:*}" $D "$PY" "$HERE/fewudp.py" ntpd $D "198.18.0.${h#*:}" >/dev/null 2>&1
done
bg v $D "$PY" "$HERE/udpservices.py" serve $D 198.18.0.10:161 198.18.0.10:500 198.18.0.10:5060 >/dev/null 2>&1
bg v $D socat UDP4-RECVFROM:7,fork EXEC:cat >/dev/null 2>&1
sleep 2
lab_capture b1 $D br0 "$OUT" -s 96
sleep 1
FU="$PY $HERE/fewudp.py"
bg c $D env FU="$FU" RANDOM="$SEED" bash -c 'end=$((SECONDS+${DUR:-900})); while [ $SECONDS -lt $end ]; do
    h=198.18.0.$((10 + RANDOM % 2))
    host -W 1 -t A "$(shuf -n1 -e www mail).lab.example" "$h" >/dev/null 2>&1
    [ $((RANDOM % 2)) = 0 ] && $FU ntp "$h"
    [ $((RANDOM % 3)) = 0 ] && snmpget -v2c -c public -t 1 -r 1 198.18.0.10 1.3.6.1.2.1.1.3.0 >/dev/null 2>&1
    [ $((RANDOM % 4)) = 0 ] && $FU dtls "$h" 4433 3
    [ $((RANDOM % 6)) = 0 ] && $FU trace "$h" 3
    sleep $((RANDOM % 4 + 1)); done' >/dev/null 2>&1
bg m $D env FU="$FU" RANDOM="$((SEED + 7))" bash -c 'end=$((SECONDS+${DUR:-900})); while [ $SECONDS -lt $end ]; do
    for h in 198.18.0.10 198.18.0.11; do
        host -W 1 -t A www.lab.example "$h" >/dev/null 2>&1; $FU ntp "$h"
        snmpget -v2c -c monitor -t 1 -r 0 "$h" 1.3.6.1.2.1.1.3.0 >/dev/null 2>&1; done
    sleep $((RANDOM % 5 + 5)); done' >/dev/null 2>&1
nap "${WARM:-10}"
attack() { # LABEL COMMAND
    nap "${GAP:-8}"
    lab_run a "${TMO:-120}" bash -c "$2" >>"${OUT%.pcap}.tool.log" 2>&1
    log "ran $1 rc=$RUN_RC ($(echo "$RUN_E - $RUN_S" | bc) s) at $RUN_S: $2"
    if [ "$1" = normal ]; then
        lab_episode "$L/normal" 198.18.1.66 normal "$RUN_S" "$(plus "$RUN_E" 2)" "$2"
    else
        lab_episode "$L/episodes" 198.18.1.66 "$1" "$RUN_S" "$(plus "$RUN_E" 2)" "$2"
    fi
}
: >"$L/episodes"; : >"$L/normal"
lab_lines "$CMDS" attack
lab_labels "$LBL" "$(basename "$OUT")" "$L/episodes" 198.18.1.66
lab_json_array "$NRM" "$L/normal"
nap "${TAIL:-10}"
lab_capture_stop
