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
set -u
OUT=$1; CMDS=$2; LBL=${OUT%.pcap}.labels.json; NRM=${OUT%.pcap}.normal.json
P=njtr$$
L=$(mktemp -d /tmp/njtr.XXXXXX); mkdir $L/www; echo hello > $L/www/index.html; head -c 400000 /dev/urandom > $L/www/big.bin
NS="${P}b0 ${P}b1 ${P}rt ${P}v ${P}c0 ${P}r ${P}t ${P}p ${P}a ${P}c1"
cleanup() { for n in $NS; do ip netns pids $n 2>/dev/null | xargs -r kill 2>/dev/null; done; sleep 0.5
  for n in $NS; do ip netns pids $n 2>/dev/null | xargs -r kill -9 2>/dev/null; ip netns del $n 2>/dev/null; done; rm -rf $L; }
trap cleanup EXIT
for n in $NS; do ip netns add $n; ip -n $n link set lo up; ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1; done
for k in 0 1; do ip -n ${P}b$k link add br0 type bridge; ip -n ${P}b$k link set br0 up; done
i=0
# host:net:addr
for r in rt:0:1 v:0:10 c0:0:20 r:0:31 t:0:40 p:0:41 rt:1:1 a:1:66 c1:1:20; do
  h=${r%%:*}; k=$(echo $r | cut -d: -f2); a=${r##*:}; i=$((i+1)); n=${P}$h
  ip link add e$i netns $n type veth peer name p$i netns ${P}b$k
  ip -n $n addr add 198.18.$k.$a/24 dev e$i; ip -n $n link set e$i up
  ip -n ${P}b$k link set p$i master br0; ip -n ${P}b$k link set p$i up
  [ $h = rt ] || ip -n $n route add 198.18.$((1-k)).0/24 via 198.18.$k.1
done
ip netns exec ${P}rt sysctl -qw net.ipv4.ip_forward=1
for n in $NS; do if ip -n $n route | grep -q default; then echo "default route in $n: abort" >&2; exit 1; fi; done
(cd $L/www && exec ip netns exec ${P}v python3 -m http.server 80 --protocol HTTP/1.1 --bind 198.18.0.10) >/dev/null 2>&1 &
ip netns exec ${P}v socat UDP4-RECVFROM:7,fork EXEC:cat >/dev/null 2>&1 &
ip netns exec ${P}v socat TCP4-LISTEN:22,fork,reuseaddr EXEC:cat >/dev/null 2>&1 &
ip netns exec ${P}r dnsmasq --no-daemon --no-resolv --no-hosts --listen-address=198.18.0.31 --bind-interfaces \
  --auth-server=ns1.lab.example,198.18.0.31 --auth-zone=lab.example --auth-peer=198.18.0.20 \
  --host-record=www.lab.example,198.18.0.10 --host-record=mail.lab.example,198.18.0.10 \
  --host-record=ns1.lab.example,198.18.0.31 --host-record=vpn.lab.example,198.18.0.41 \
  --mx-host=lab.example,mail.lab.example,10 \
  --pid-file=$L/dns.pid >/dev/null 2>&1 &
ip netns exec ${P}t iodined -f -c -P h1secret -l 198.18.0.40 198.19.250.1/27 t.tun.example >/dev/null 2>&1 &
ip netns exec ${P}p ptunnel -x h1secret -v -1 >/dev/null 2>&1 &
sleep 2
ip netns exec ${P}t bash -c "cd $L/www && exec timeout 3000 python3 -m http.server 8080 --bind 198.19.250.1" >/dev/null 2>&1 &
ip netns exec ${P}b1 tcpdump -i br0 -s 96 -w $OUT -U >/dev/null 2>&1 & TD1=$!
ip netns exec ${P}b0 tcpdump -i br0 -s 96 -w ${OUT%.pcap}.br0.pcap -U >/dev/null 2>&1 & TD0=$!
sleep 1
normal() { # $1 namespace, $2 own address's net
  ip netns exec $1 bash -c 'end=$((SECONDS+${DUR:-900})); while [ $SECONDS -lt $end ]; do
    python3 -c "
import urllib.request,random
for i in range(random.randint(1,4)): urllib.request.urlopen(\"http://198.18.0.10/index.html\",timeout=2).read()
" 2>/dev/null
    ping -c 2 -i 0.3 -W 1 198.18.0.10 >/dev/null
    dig +time=1 +tries=1 @198.18.0.31 $(shuf -n1 -e www mail ns1 vpn).lab.example >/dev/null 2>&1
    [ $((RANDOM%3)) = 0 ] && echo hi | timeout 2 socat - UDP4:198.18.0.10:7 >/dev/null 2>&1
    sleep 0.$((RANDOM%9+1)); done' &
}
normal ${P}c0; CL0=$!; normal ${P}c1; CL1=$!
echo '{"capture": "'$(basename $OUT)'", "attackers": [{"ip": "198.18.1.66"}], "episodes": [' > $LBL
echo '[' > $NRM
first=1; firstn=1
while read -r label cmd; do
  [ -z "$label" ] && continue; [[ $label == \#* ]] && continue
  sleep ${GAP:-4}
  s=$(date +%s.%N)
  ip netns exec ${P}a timeout ${TMO:-40} bash -c "$cmd" >>${OUT%.pcap}.tool.log 2>&1
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
sleep 3
kill $CL0 $CL1 2>/dev/null; sleep 1; kill $TD1 $TD0; wait $TD1 $TD0 2>/dev/null
