#!/usr/bin/env bash
# traces.sh OUT.pcap CMDS_FILE -- two /24s of 198.18.0.0/15 joined by a router
# namespace, for traceroute/mtr, DNS enumeration and DNS/ICMP tunnels. (session 15; after the ad-hoc lab of session 11)
# Tools (Debian packages): iproute2 tcpdump dnsmasq socat python3 traceroute tcptraceroute mtr-tiny nmap
# (nping) wrk dnsenum fierce iodine ptunnel; the commands that need them are the ones in CMDS_FILE.
#   net0 198.18.0.0/24 (bridge br0): router .1, victim .10 (HTTP/1.1 on 80 serving a scratch directory, udp echo 7,
#        tcp echo 22), client c0 .20, resolver r .31 (dnsmasq: authoritative for lab.example),
#        iodined t .40 (t.tun.example, asked directly) (tunnel net 198.19.250.0/27), ptunnel proxy p .41
#   net1 198.18.1.0/24 (bridge br1): router .1, attacker a .66, client c1 .20
# Hosts have only the route to the other /24 via the router (no default route); ip_forward=1 in the
# router namespace only. tcpdump -s 96 on br1 (OUT.pcap: everything the attacker and c1 send or get)
# and on br0 (OUT.br0.pcap).
# CMDS_FILE lines "LABEL COMMAND": run in the attacker namespace, each under timeout ${TMO:-40};
# LABEL "normal" means not an attack (span written to OUT.normal.json, not labelled).
# shellcheck disable=SC2016 # the client loops in single quotes are expanded by their own bash
set -u
OUT=$1; CMDS=$2; LBL=${OUT%.pcap}.labels.json; NRM=${OUT%.pcap}.normal.json
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
lab_begin "njtr$$"
lab_tmpdir /tmp/njtr.XXXXXX; L=$LAB_TMPDIR; mkdir "$L/www"; echo hello > "$L/www/index.html"; head -c 400000 /dev/urandom > "$L/www/big.bin"
LIFE=$(( ${DUR:-900} + 3600 ))   # every process's bound
lab_routed 198.18.0 198.18.1 rt:0:1 v:0:10 c0:0:20 r:0:31 t:0:40 p:0:41 rt:1:1 a:1:66 c1:1:20
lab_check_routes
bg v $LIFE bash -c "cd $L/www && exec python3 -m http.server 80 --protocol HTTP/1.1 --bind 198.18.0.10" >/dev/null 2>&1
bg v $LIFE socat UDP4-RECVFROM:7,fork EXEC:cat >/dev/null 2>&1
bg v $LIFE socat TCP4-LISTEN:22,fork,reuseaddr EXEC:cat >/dev/null 2>&1
bg r $LIFE dnsmasq --no-daemon --no-resolv --no-hosts --listen-address=198.18.0.31 --bind-interfaces \
  --auth-server=ns1.lab.example,198.18.0.31 --auth-zone=lab.example --auth-peer=198.18.0.20 \
  --host-record=www.lab.example,198.18.0.10 --host-record=mail.lab.example,198.18.0.10 \
  --host-record=ns1.lab.example,198.18.0.31 --host-record=vpn.lab.example,198.18.0.41 \
  --mx-host=lab.example,mail.lab.example,10 \
  --pid-file="$L/dns.pid" >/dev/null 2>&1
bg t $LIFE iodined -f -c -P h1secret -l 198.18.0.40 198.19.250.1/27 t.tun.example >/dev/null 2>&1
bg p $LIFE ptunnel -x h1secret -v -1 >/dev/null 2>&1
sleep 2
bg t 3000 bash -c "cd $L/www && exec python3 -m http.server 8080 --bind 198.19.250.1" >/dev/null 2>&1
lab_capture b1 $LIFE br0 "$OUT" -s 96
lab_capture b0 $LIFE br0 "${OUT%.pcap}.br0.pcap" -s 96
sleep 1
normal() { # $1 host
  bg "$1" $LIFE bash -c 'end=$((SECONDS+${DUR:-900})); while [ $SECONDS -lt $end ]; do
    python3 -c "
import urllib.request,random
for i in range(random.randint(1,4)): urllib.request.urlopen(\"http://198.18.0.10/index.html\",timeout=2).read()
" 2>/dev/null
    ping -c 2 -i 0.3 -W 1 198.18.0.10 >/dev/null
    dig +time=1 +tries=1 @198.18.0.31 $(shuf -n1 -e www mail ns1 vpn).lab.example >/dev/null 2>&1
    [ $((RANDOM%3)) = 0 ] && echo hi | timeout 2 socat - UDP4:198.18.0.10:7 >/dev/null 2>&1
    sleep 0.$((RANDOM%9+1)); done'
}
normal c0; CL0=$BG_PID; normal c1; CL1=$BG_PID
attack() { # LABEL COMMAND
  nap "${GAP:-4}"
  lab_run a "${TMO:-40}" bash -c "$2" >>"${OUT%.pcap}.tool.log" 2>&1
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
nap 3
kill "$CL0" "$CL1" 2>/dev/null; nap 1; lab_capture_stop
