#!/usr/bin/env bash
# lab/tunnels.sh OUT.pcap -- attacks and normal traffic seen from the underlay of a VXLAN overlay,
# the way a cloud mirror session (AWS VPC Traffic Mirroring, Azure/GCP packet mirroring) or a
# capture between container hosts delivers them: every frame of the overlay inside VXLAN (RFC
# 7348, UDP port 4789) from one tunnel end to the other (crates/packet/src/tunnel.rs). Run as
# root. Writes OUT.pcap (tcpdump -i br0 -s 160 on the underlay bridge: the Linux kernel's own
# VXLAN encapsulation), OUT.inner.pcap (tcpdump -i vx0 -s 110 on the victim's tunnel device at
# the same time: each overlay frame as it is, the reference) and OUT.labels.json (attacker
# 198.18.21.66, one episode per attack).
#
# Underlay: one bridge, tunnel ends 198.18.20.1 and 198.18.20.2 (no route out). Overlay
# 198.18.21.0/24 over VXLAN id 42: the victim .10 (python3 http.server on 80, socat UDP echo on
# 7) behind 198.18.20.2; the client .20 (an HTTP fetch, two pings and a UDP echo exchange every
# 0.2-1 s) and the attacker .66 behind 198.18.20.1. IPv6 off. The attacks, one after another
# with 3 s between them, each bounded by `timeout 30`: nmap -sS and -sX of 200 ports and an
# hping3 SYN flood of 1,000 SYNs (2,000 a second). VXLAN_PORT=8472 (environment) puts the
# overlay on the Linux kernel's default port, as flannel does, instead of IANA's 4789.
set -u
OUT=$1; LBL=${OUT%.pcap}.labels.json
P=tun$$
ALL="${P}b ${P}x ${P}y"
cleanup() { for n in $ALL; do ip netns pids $n 2>/dev/null | xargs -r kill 2>/dev/null; done; sleep 0.5
  for n in $ALL; do ip netns del $n 2>/dev/null; done; }
trap cleanup EXIT
ip netns add ${P}b; ip -n ${P}b link add br0 type bridge; ip -n ${P}b link set br0 up
ip -n ${P}b link set lo up
ip netns exec ${P}b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
i=0
for h in x:1:2 y:2:1; do n=${P}${h%%:*}; me=$(echo $h | cut -d: -f2); peer=${h##*:}; i=$((i+1))
  ip netns add $n; ip -n $n link set lo up
  ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip link add e$i netns $n type veth peer name p$i netns ${P}b
  ip -n $n addr add 198.18.20.$me/24 dev e$i; ip -n $n link set e$i up
  ip -n ${P}b link set p$i master br0; ip -n ${P}b link set p$i up
  ip -n $n link add vx0 type vxlan id 42 local 198.18.20.$me remote 198.18.20.$peer dstport ${VXLAN_PORT:-4789} dev e$i
  ip -n $n link set vx0 up
done
# the attacker's address first: it is the primary one, which nmap and hping3 send from
ip -n ${P}x addr add 198.18.21.66/24 dev vx0
ip -n ${P}x addr add 198.18.21.20/24 dev vx0
ip -n ${P}y addr add 198.18.21.10/24 dev vx0
for n in $ALL; do
  if ip -n $n route | grep -q default; then echo "a default route appeared in $n" >&2; exit 1; fi
done
ip netns exec ${P}y timeout 120 python3 -m http.server 80 --bind 198.18.21.10 >/dev/null 2>&1 &
ip netns exec ${P}y timeout 120 socat UDP4-RECVFROM:7,fork EXEC:cat >/dev/null 2>&1 &
sleep 1
ip netns exec ${P}b timeout 120 tcpdump -i br0 -s 160 -w $OUT -U >/dev/null 2>&1 &
TD=$!
ip netns exec ${P}y timeout 120 tcpdump -i vx0 -s 110 -w ${OUT%.pcap}.inner.pcap -U >/dev/null 2>&1 &
TD2=$!
sleep 1
ip netns exec ${P}x timeout 90 bash -c 'while :; do
  curl -s -m 2 --interface 198.18.21.20 -o /dev/null http://198.18.21.10/
  ping -c 2 -i 0.3 -W 1 -I 198.18.21.20 198.18.21.10 >/dev/null
  echo hello | socat -t 1 - UDP4:198.18.21.10:7,bind=198.18.21.20 >/dev/null
  sleep 0.$((RANDOM%9+1)); done' &
CL=$!
echo '{"capture": "'$(basename $OUT)'", "attackers": [{"ip": "198.18.21.66"}], "episodes": [' > $LBL
first=1
while read -r label cmd; do
  sleep 3
  s=$(date +%s.%N)
  ip netns exec ${P}x timeout 30 bash -c "$cmd" >/dev/null 2>&1
  e=$(date +%s.%N)
  echo "ran $label ($(echo "$e - $s" | bc) s): $cmd" >&2
  [ $first = 1 ] || echo ',' >> $LBL; first=0
  echo "{\"src\": \"198.18.21.66\", \"label\": \"$label\", \"start\": $s, \"end\": $(echo "$e + 2" | bc), \"command\": \"$cmd\"}" >> $LBL
done <<'EOF'
scan-syn nmap -n -sS -T4 -p 1-200 -Pn 198.18.21.10
scan-xmas nmap -n -sX -T4 -p 1-200 -Pn 198.18.21.10
flood-syn hping3 -S -p 80 -i u500 -c 1000 198.18.21.10
EOF
echo ']}' >> $LBL
sleep 5
kill $CL 2>/dev/null; wait $CL 2>/dev/null
sleep 1
kill -INT $TD $TD2 2>/dev/null; wait $TD $TD2 2>/dev/null
