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
set -u
OUT=$1; CMDS=$2; SEED=${3:-1}; LBL=${OUT%.pcap}.labels.json; NRM=${OUT%.pcap}.normal.json
HERE=$(cd "$(dirname "$0")" && pwd)
P=s17c$$
L=$(mktemp -d /tmp/s17c.XXXXXX); : > $L/empty.conf
NS="${P}b0 ${P}b1 ${P}rt ${P}v ${P}s1 ${P}s2 ${P}s3 ${P}s4 ${P}r ${P}c0 ${P}a ${P}c1 ${P}m"
cleanup() { for n in $NS; do ip netns pids $n 2>/dev/null | xargs -r kill 2>/dev/null; done; sleep 0.5
  for n in $NS; do ip netns pids $n 2>/dev/null | xargs -r kill -9 2>/dev/null; ip netns del $n 2>/dev/null; done; rm -rf $L; }
trap cleanup EXIT
for n in $NS; do ip netns add $n; ip -n $n link set lo up; ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1; done
for k in 0 1; do ip -n ${P}b$k link add br0 type bridge; ip -n ${P}b$k link set br0 up; done
i=0
# host:net:addr
for r in rt:0:1 v:0:10 s1:0:11 s2:0:12 s3:0:13 s4:0:14 r:0:31 c0:0:20 rt:1:1 a:1:66 c1:1:20 m:1:21; do
  h=${r%%:*}; k=$(echo $r | cut -d: -f2); a=${r##*:}; i=$((i+1)); n=${P}$h
  ip link add e$i netns $n type veth peer name p$i netns ${P}b$k
  ip -n $n addr add 198.18.$k.$a/24 dev e$i; ip -n $n link set e$i up
  ip -n ${P}b$k link set p$i master br0; ip -n ${P}b$k link set p$i up
  [ $h = rt ] || ip -n $n route add 198.18.$((1-k)).0/24 via 198.18.$k.1
  [ $h = a ] && AIF=e$i
  [ $h = rt ] && [ $k = 1 ] && GW=$(ip -n $n -o link show e$i | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
done
ip netns exec ${P}rt sysctl -qw net.ipv4.ip_forward=1
for n in $NS; do if ip -n $n route | grep -q default; then echo "default route in $n: abort" >&2; exit 1; fi; done
D=$((${DUR:-900}+60))
ip netns exec ${P}v timeout $D python3 -m http.server 80 --bind 198.18.0.10 >/dev/null 2>&1 &
ip netns exec ${P}v timeout $D socat TCP4-LISTEN:22,fork,reuseaddr EXEC:cat >/dev/null 2>&1 &
ip netns exec ${P}s1 timeout $D socat TCP4-LISTEN:22,fork,reuseaddr EXEC:cat >/dev/null 2>&1 &
ip netns exec ${P}s1 timeout $D python3 $HERE/udpservices.py serve $D 198.18.0.11:161 198.18.0.11:5060 198.18.0.11:137 198.18.0.11:500 >/dev/null 2>&1 &
ip netns exec ${P}s2 timeout $D python3 $HERE/udpservices.py serve $D 198.18.0.12:161 198.18.0.12:5060 >/dev/null 2>&1 &
ip netns exec ${P}s3 timeout $D python3 $HERE/udpservices.py serve $D 198.18.0.13:137 198.18.0.13:500 >/dev/null 2>&1 &
ip netns exec ${P}s4 timeout $D python3 $HERE/udpservices.py serve $D 198.18.0.14:161 >/dev/null 2>&1 &
ip netns exec ${P}r timeout $D dnsmasq --no-daemon --no-resolv --no-hosts --listen-address=198.18.0.31 --bind-interfaces \
  --address=/www.lab.example/198.18.0.10 --address=/pbx.lab.example/198.18.0.11 --pid-file=$L/dns.pid >/dev/null 2>&1 &
sleep 2
ip netns exec ${P}b1 tcpdump -i br0 -s 96 -w $OUT -U >/dev/null 2>&1 & TD1=$!
ip netns exec ${P}b0 tcpdump -i br0 -s 96 -w ${OUT%.pcap}.br0.pcap -U >/dev/null 2>&1 & TD0=$!
sleep 1
normal() { # $1 namespace
  ip netns exec $1 timeout $D bash -c 'end=$((SECONDS+${DUR:-900})); while [ $SECONDS -lt $end ]; do
    python3 -c "
import urllib.request,random
for i in range(random.randint(1,4)): urllib.request.urlopen(\"http://198.18.0.10/\",timeout=2).read()
" 2>/dev/null
    ping -c 2 -i 0.3 -W 1 198.18.0.10 >/dev/null
    dig +time=1 +tries=1 @198.18.0.31 $(shuf -n1 -e www pbx).lab.example >/dev/null 2>&1
    sleep 0.$((RANDOM%9+1)); done' >/dev/null 2>&1 &
}
normal ${P}c0; normal ${P}c1
ip netns exec ${P}m timeout $D python3 $HERE/udpservices.py poll ${DUR:-900} $SEED 198.18.0.11,198.18.0.12,198.18.0.14,198.18.0.15 198.18.0.11 198.18.0.13 >/dev/null 2>&1 &
sleep ${WARM:-10}
echo '{"capture": "'$(basename $OUT)'", "attackers": [{"ip": "198.18.1.66"}], "episodes": [' > $LBL
echo '[' > $NRM
first=1; firstn=1
while read -r label cmd; do
  [ -z "$label" ] && continue; [[ $label == \#* ]] && continue
  sleep ${GAP:-6}
  s=$(date +%s.%N)
  ip netns exec ${P}a env IF=$AIF ME=198.18.1.66 GWMAC=$GW EMPTY=$L/empty.conf timeout ${TMO:-60} bash -c "$cmd" >>${OUT%.pcap}.tool.log 2>&1
  rc=$?; e=$(date +%s.%N)
  echo "ran $label rc=$rc ($(echo "$e - $s" | bc) s) at $s: $cmd" >&2
  c=$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$cmd")
  if [ $label = normal ]; then
    [ $firstn = 1 ] || echo ',' >> $NRM; firstn=0
    echo "{\"src\": \"198.18.1.66\", \"label\": \"normal\", \"start\": $s, \"end\": $(echo "$e + 2" | bc), \"command\": $c}" >> $NRM
  else
    [ $first = 1 ] || echo ',' >> $LBL; first=0
    echo "{\"src\": \"198.18.1.66\", \"label\": \"$label\", \"start\": $s, \"end\": $(echo "$e + 2" | bc), \"command\": $c}" >> $LBL
  fi
done < $CMDS
echo ']}' >> $LBL; echo ']' >> $NRM
sleep ${TAIL:-10}
kill $TD1 $TD0; wait $TD1 $TD0 2>/dev/null
