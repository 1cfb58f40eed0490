#!/usr/bin/env bash
# scanners.sh OUT.pcap CMDS_FILE [SEED] -- port scanners other than nmap (zmap, masscan, pnscan) and
# the UDP service sweeps of a pentest (svmap, onesixtyone, nbtscan, ike-scan) over a /24 where only
# some hosts exist and some answer, among normal SNMP polling, SIP keep-alives, NetBIOS, DNS and
# HTTP. (session 17; after lab/traces.sh)
# Tools (Debian packages): iproute2 tcpdump dnsmasq socat python3 zmap masscan pnscan sipvicious
# onesixtyone nbtscan ike-scan nmap; the commands that need them are the ones in CMDS_FILE.
#   net0 198.18.0.0/24 (bridge br0): router .1, victim .10 (HTTP on 80, tcp echo 22), UDP service
#        hosts (lab/udpservices.py serve) .11 (SNMP 161, SIP 5060, NetBIOS 137, IKE 500, tcp 22),
#        .12 (SNMP, SIP), .13 (NetBIOS, IKE), .14 (SNMP), resolver .31 (dnsmasq), client c0 .20;
#        every other address of the /24 is silent (the router's ARP fails: ICMP host unreachable)
#   net1 198.18.1.0/24 (bridge br1): router .1, attacker a .66, client c1 .20, monitoring poller
#        m .21 (lab/udpservices.py poll: SNMP GetRequests to .11 .12 .14 and to the dead .15 every
#        3-5 s, SIP OPTIONS to .11 every 5-10 s, a NetBIOS node status request to .13 every 20-40 s)
# Hosts have only the route to the other /24 via the router (no default route, checked); ip_forward=1
# in the router namespace only. tcpdump -s 96 on br1 (OUT.pcap: the uplink, everything the attacker,
# c1 and the poller send or get) and on br0 (OUT.br0.pcap).
# CMDS_FILE lines "LABEL COMMAND": run in the attacker namespace under timeout ${TMO:-60}, with
# $IF (its interface), $ME (its address), $GWMAC (the router's MAC on net1: zmap -G, masscan
# --router-mac) and $EMPTY (an empty file: zmap's blocklist excludes 198.18.0.0/15 by default) in
# the environment; LABEL "normal" means not an attack (span written to OUT.normal.json).
# Every attack must be bounded by its own count or rate (zmap -n/-r/-t, masscan --rate, ...).
# shellcheck disable=SC2016 # the client loops in single quotes are expanded by their own bash
set -u
OUT=$1; CMDS=$2; SEED=${3:-1}; LBL=${OUT%.pcap}.labels.json; NRM=${OUT%.pcap}.normal.json
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lab/lib.sh
source "$HERE/lib.sh"
lab_begin "s17c$$"
lab_tmpdir /tmp/s17c.XXXXXX; L=$LAB_TMPDIR; : > "$L/empty.conf"
lab_routed 198.18.0 198.18.1 rt:0:1 v:0:10 s1:0:11 s2:0:12 s3:0:13 s4:0:14 r:0:31 c0:0:20 rt:1:1 a:1:66 c1:1:20 m:1:21
AIF=$(lab_leg a 198.18.1.66)
GW=$(ns rt ip -o link show "$(lab_leg rt 198.18.1.1)" | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
lab_check_routes
D=$((${DUR:-900}+60))
bg v $D python3 -m http.server 80 --bind 198.18.0.10 >/dev/null 2>&1
bg v $D socat TCP4-LISTEN:22,fork,reuseaddr EXEC:cat >/dev/null 2>&1
bg s1 $D socat TCP4-LISTEN:22,fork,reuseaddr EXEC:cat >/dev/null 2>&1
bg s1 $D python3 "$HERE/udpservices.py" serve $D 198.18.0.11:161 198.18.0.11:5060 198.18.0.11:137 198.18.0.11:500 >/dev/null 2>&1
bg s2 $D python3 "$HERE/udpservices.py" serve $D 198.18.0.12:161 198.18.0.12:5060 >/dev/null 2>&1
bg s3 $D python3 "$HERE/udpservices.py" serve $D 198.18.0.13:137 198.18.0.13:500 >/dev/null 2>&1
bg s4 $D python3 "$HERE/udpservices.py" serve $D 198.18.0.14:161 >/dev/null 2>&1
bg r $D dnsmasq --no-daemon --no-resolv --no-hosts --listen-address=198.18.0.31 --bind-interfaces \
  --address=/www.lab.example/198.18.0.10 --address=/pbx.lab.example/198.18.0.11 --pid-file="$L/dns.pid" >/dev/null 2>&1
sleep 2
lab_capture b1 $D br0 "$OUT" -s 96
lab_capture b0 $D br0 "${OUT%.pcap}.br0.pcap" -s 96
sleep 1
normal() { # $1 host
  bg "$1" $D bash -c 'end=$((SECONDS+${DUR:-900})); while [ $SECONDS -lt $end ]; do
    python3 -c "
import urllib.request,random
for i in range(random.randint(1,4)): urllib.request.urlopen(\"http://198.18.0.10/\",timeout=2).read()
" 2>/dev/null
    ping -c 2 -i 0.3 -W 1 198.18.0.10 >/dev/null
    dig +time=1 +tries=1 @198.18.0.31 $(shuf -n1 -e www pbx).lab.example >/dev/null 2>&1
    sleep 0.$((RANDOM%9+1)); done' >/dev/null 2>&1 &
}
normal c0; normal c1
bg m $D python3 "$HERE/udpservices.py" poll "${DUR:-900}" "$SEED" 198.18.0.11,198.18.0.12,198.18.0.14,198.18.0.15 198.18.0.11 198.18.0.13 >/dev/null 2>&1
nap "${WARM:-10}"
attack() { # LABEL COMMAND
  nap "${GAP:-6}"
  lab_run a "${TMO:-60}" env IF="$AIF" ME=198.18.1.66 GWMAC="$GW" EMPTY="$L/empty.conf" bash -c "$2" >>"${OUT%.pcap}.tool.log" 2>&1
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
