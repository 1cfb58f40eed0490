#!/usr/bin/env bash
# lab/anycapture.sh OUT.pcap -- attacks and normal traffic captured the way a user of a Docker
# or VM host captures them: `tcpdump -i any` on the host that bridges the traffic, which sees
# each frame on its ingress port, on its egress port and, the bridge being promiscuous, on the
# bridge (crates/ids/src/copies.rs). Run as root. Writes OUT.pcap (tcpdump -i any -s 96 in the
# bridge's namespace: Linux cooked frames), OUT.br.pcap (tcpdump -i br0 -s 96 at the same time:
# each frame once) and OUT.labels.json (attacker 198.18.0.66, one episode per attack).
#
# One bridge, 198.18.0.0/24 (no route out), IPv6 off. Victim .10 (python3 http.server on 80,
# socat UDP echo on 7), client .20 (an HTTP fetch, two pings and a UDP echo exchange every
# 0.2-1 s), attacker .66. The attacks, one after another with 3 s between them, each bounded by
# `timeout 30`: nmap -sT, -sF, -sU (the three that a tripled capture named wrong before the
# copies rule), and an hping3 SYN flood.
set -u
OUT=$1; LBL=${OUT%.pcap}.labels.json
P=any$$
HOSTS="v:10 c:20 a:66"
ALL="${P}b"; for h in $HOSTS; do ALL="$ALL ${P}${h%%:*}"; done
cleanup() { for n in $ALL; do ip netns pids $n 2>/dev/null | xargs -r kill 2>/dev/null; done; sleep 0.5
  for n in $ALL; do ip netns del $n 2>/dev/null; done; }
trap cleanup EXIT
ip netns add ${P}b; ip -n ${P}b link add br0 type bridge; ip -n ${P}b link set br0 up
ip -n ${P}b link set lo up
ip netns exec ${P}b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
i=0
for h in $HOSTS; do n=${P}${h%%:*}; a=${h##*:}; i=$((i+1))
  ip netns add $n; ip -n $n link set lo up
  ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip link add e$i netns $n type veth peer name p$i netns ${P}b
  ip -n $n addr add 198.18.0.$a/24 dev e$i; ip -n $n link set e$i up
  ip -n ${P}b link set p$i master br0; ip -n ${P}b link set p$i up
done
for n in $ALL; do
  if ip -n $n route | grep -q default; then echo "a default route appeared in $n" >&2; exit 1; fi
done
ip netns exec ${P}v timeout 120 python3 -m http.server 80 --bind 198.18.0.10 >/dev/null 2>&1 &
ip netns exec ${P}v timeout 120 socat UDP4-RECVFROM:7,fork EXEC:cat >/dev/null 2>&1 &
sleep 1
ip netns exec ${P}b timeout 120 tcpdump -i br0 -s 96 -w ${OUT%.pcap}.br.pcap -U >/dev/null 2>&1 &
TD2=$!
ip netns exec ${P}b timeout 120 tcpdump -i any -s 96 -w $OUT -U >/dev/null 2>&1 &
TD=$!
sleep 1
ip netns exec ${P}c timeout 90 bash -c 'while :; do
  curl -s -m 2 -o /dev/null http://198.18.0.10/; ping -c 2 -i 0.3 -W 1 198.18.0.10 >/dev/null
  echo hello | socat -t 1 - UDP4:198.18.0.10:7 >/dev/null; sleep 0.$((RANDOM%9+1)); done' &
CL=$!
echo '{"capture": "'$(basename $OUT)'", "attackers": [{"ip": "198.18.0.66"}], "episodes": [' > $LBL
first=1
while read -r label cmd; do
  sleep 3
  s=$(date +%s.%N)
  ip netns exec ${P}a timeout 30 bash -c "$cmd" >/dev/null 2>&1
  e=$(date +%s.%N)
  echo "ran $label ($(echo "$e - $s" | bc) s): $cmd" >&2
  [ $first = 1 ] || echo ',' >> $LBL; first=0
  echo "{\"src\": \"198.18.0.66\", \"label\": \"$label\", \"start\": $s, \"end\": $(echo "$e + 2" | bc), \"command\": \"$cmd\"}" >> $LBL
done <<'EOF'
scan-connect nmap -n -sT -T4 --top-ports 300 -Pn 198.18.0.10
scan-fin nmap -n -sF -T4 -p 1-500 -Pn 198.18.0.10
scan-udp nmap -n -sU -T4 --top-ports 40 -Pn 198.18.0.10
flood-syn hping3 -q -S -p 80 -i u400 -c 1500 198.18.0.10
EOF
echo ']}' >> $LBL
sleep 3
kill $CL 2>/dev/null; sleep 1; kill $TD $TD2 2>/dev/null; wait $TD $TD2 2>/dev/null
python3 -m json.tool $LBL >/dev/null || { echo "bad labels file $LBL" >&2; exit 1; }
