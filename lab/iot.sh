#!/usr/bin/env bash
# iot.sh OUT.pcap CMDS_FILE [SEED] -- attacks of the Kitsune dataset's kind (Mirsky et al., NDSS
# 2018: OS scan, SSDP flood, SSL renegotiation, Mirai's telnet scan, fuzzing) and floods and scans
# made by packet crafters (mausezahn, packit, sendip) on a small IoT/camera LAN. (session 18)
# Tools (Debian packages): iproute2 tcpdump socat openssl python3 python3-scapy nmap
# netsniff-ng (mausezahn) packit sendip; the commands that need them are the ones in CMDS_FILE.
#   198.18.0.0/24 (bridge br0): gateway .1 (no forwarding: what it gets for 198.18.1.0/24, an empty
#   neighbouring /24, ends there), cameras .11 and .12 (HTTP 80, telnet-like login on 23, .12 also
#   on 2323, SSDP 1900, each an RTP stream of ~1000-byte datagrams to the recorder .30:5004/5006),
#   smart TV .13 (HTTP 80, SSDP), hub .14 (HTTPS 443 that lets clients renegotiate, telnet 23, SSDP),
#   laptop .20 and recorder .30 (normal clients: HTTP fetches from the devices every 0.5-3 s, an
#   SSDP M-SEARCH to 239.255.255.250 every 20-60 s, .20 also a TLS session to the hub every 2-6 s),
#   attacker .66 (route to 198.18.1.0/24 via .1). No default route (checked).
# tcpdump -s 200 on br0 (OUT.pcap). CMDS_FILE lines "LABEL COMMAND": run in the attacker namespace
# under timeout ${TMO:-60}, with $IF (its interface), $ME (198.18.0.66) and $HERE (lab/) in the
# environment; "LABEL@FORGED,REFLECTOR... COMMAND" labels the episode with those sources instead:
# the address forged on the attack's packets (marked "spoofed": true) and the hosts whose answers
# flood it (the SSDP flood); LABEL "normal" means not an attack. Each episode runs from the
# command's start to 2 s after it returned; "attackers" lists every source labelled.
set -u
OUT=$1; CMDS=$2; SEED=${3:-1}; LBL=${OUT%.pcap}.labels.json
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3   # Debian's, with python3-scapy
P=s18c$$
L=$(mktemp -d /tmp/s18c.XXXXXX)
NS="${P}b ${P}g ${P}c1 ${P}c2 ${P}tv ${P}hub ${P}lap ${P}nvr ${P}a"
cleanup() { for n in $NS; do ip netns pids $n 2>/dev/null | xargs -r kill 2>/dev/null; done; sleep 0.5
  for n in $NS; do ip netns pids $n 2>/dev/null | xargs -r kill -9 2>/dev/null; ip netns del $n 2>/dev/null; done; rm -rf $L; }
trap cleanup EXIT
for n in $NS; do ip netns add $n; ip -n $n link set lo up; ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1; done
ip -n ${P}b link add br0 type bridge; ip -n ${P}b link set br0 up
i=0
for r in g:1 c1:11 c2:12 tv:13 hub:14 lap:20 nvr:30 a:66; do
  h=${r%%:*}; a=${r##*:}; i=$((i+1)); n=${P}$h
  ip link add e$i netns $n type veth peer name p$i netns ${P}b
  ip -n $n addr add 198.18.0.$a/24 dev e$i; ip -n $n link set e$i up
  ip -n $n route add 224.0.0.0/4 dev e$i
  ip -n ${P}b link set p$i master br0; ip -n ${P}b link set p$i up
  [ $h = a ] && { AIF=e$i; ip -n $n route add 198.18.1.0/24 via 198.18.0.1; }
done
ip netns exec ${P}g sysctl -qw net.ipv4.ip_forward=0
for n in $NS; do if ip -n $n route | grep -q default; then echo "default route in $n: abort" >&2; exit 1; fi; done
D=$((${DUR:-600}+60))
openssl req -x509 -newkey rsa:2048 -nodes -keyout $L/k.pem -out $L/c.pem -days 30 -subj /CN=hub.lab >/dev/null 2>&1
for h in c1:11 c2:12 tv:13; do
  ip netns exec ${P}${h%%:*} bash -c "cd $L && exec timeout $D python3 -m http.server 80 --bind 198.18.0.${h##*:}" >/dev/null 2>&1 &
done
for h in c1:11:23 c2:12:23 c2:12:2323 hub:14:23; do IFS=: read -r n a p <<< "$h"
  ip netns exec ${P}$n timeout $D $PY $HERE/iot.py telnetd 198.18.0.$a $p $D >/dev/null 2>&1 &
done
for h in c1:11:IPCam c2:12:IPCam tv:13:SmartTV hub:14:Hub; do IFS=: read -r n a m <<< "$h"
  ip netns exec ${P}$n timeout $D $PY $HERE/iot.py ssdpd 198.18.0.$a $D $m >/dev/null 2>&1 &
done
ip netns exec ${P}hub timeout $D $PY $HERE/iot.py tlsd 198.18.0.14 443 $D $L/c.pem $L/k.pem >/dev/null 2>&1 &
ip netns exec ${P}nvr timeout $D socat -u UDP4-RECVFROM:5004,fork /dev/null >/dev/null 2>&1 &
ip netns exec ${P}nvr timeout $D socat -u UDP4-RECVFROM:5006,fork /dev/null >/dev/null 2>&1 &
sleep 2
ip netns exec ${P}b tcpdump -i br0 -s 200 -w $OUT -U >/dev/null 2>&1 & TD=$!
sleep 1
ip netns exec ${P}c1 timeout $D $PY $HERE/iot.py rtp 198.18.0.11 198.18.0.30 5004 ${PPS:-8} ${DUR:-600} >/dev/null 2>&1 &
ip netns exec ${P}c2 timeout $D $PY $HERE/iot.py rtp 198.18.0.12 198.18.0.30 5006 ${PPS:-8} ${DUR:-600} >/dev/null 2>&1 &
ip netns exec ${P}lap timeout $D $PY $HERE/iot.py client 198.18.0.20 ${DUR:-600} $SEED 198.18.0.11 198.18.0.12 198.18.0.13 >/dev/null 2>&1 &
ip netns exec ${P}nvr timeout $D $PY $HERE/iot.py client 198.18.0.30 ${DUR:-600} $((SEED+1)) 198.18.0.11 198.18.0.12 >/dev/null 2>&1 &
ip netns exec ${P}lap timeout $D bash -c 'end=$((SECONDS+${DUR:-600})); while [ $SECONDS -lt $end ]; do
  curl -sk --max-time 3 https://198.18.0.14/ >/dev/null; sleep $((RANDOM%5+2)); done' >/dev/null 2>&1 &
sleep ${WARM:-15}
echo '{"capture": "'$(basename $OUT)'", "attackers": [{"ip": "198.18.0.66"}], "episodes": [' > $LBL
first=1
while read -r label cmd; do
  [ -z "$label" ] && continue; [[ $label == \#* ]] && continue
  sleep ${GAP:-8}
  s=$(date +%s.%N)
  ip netns exec ${P}a env IF=$AIF ME=198.18.0.66 HERE=$HERE PY=$PY timeout ${TMO:-60} bash -c "$cmd" >>${OUT%.pcap}.tool.log 2>&1
  rc=$?; e=$(date +%s.%N)
  echo "ran $label rc=$rc ($(echo "$e - $s" | bc) s) at $s: $cmd" >&2
  [ "$label" = normal ] && continue
  c=$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$cmd")
  srcs=198.18.0.66; sp=""
  [[ $label == *@* ]] && { srcs=${label#*@}; label=${label%%@*}; sp=', "spoofed": true'; }
  for src in ${srcs//,/ }; do
    [ $first = 1 ] || echo ',' >> $LBL; first=0
    echo "{\"src\": \"$src\", \"label\": \"$label\", \"start\": $s, \"end\": $(echo "$e + 2" | bc), \"command\": $c$sp}" >> $LBL
    sp=""
  done
done < $CMDS
echo ']}' >> $LBL
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["attackers"]=[{"ip": a} for a in sorted({e["src"] for e in d["episodes"]})]; json.dump(d, open(sys.argv[1], "w"), indent=1)' $LBL
sleep ${TAIL:-10}
kill $TD; wait $TD 2>/dev/null
