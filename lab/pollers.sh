#!/usr/bin/env bash
# lab/pollers.sh OUT.pcap [SEED] -- normal traffic only: a monitoring poller and a P2P-ish client
# among many hosts whose services are partly closed (scanner look-alikes, for the slow-scan
# rule's hold of refused targets, crates/ids/src/slowscan.rs). Run as root. Writes OUT.pcap
# (tcpdump -s 96 on the bridge) and OUT.labels.json (no attackers).
#
# One bridge, 198.18.0.0/24 (no route out). A farm namespace holds ${FARM:-40} addresses from
# .101, served by one process (lab/pollnormal.py farm): port 9100 (HTTP) on every host, 22 (an
# SSH banner) on the even ones, 80 (HTTP) on multiples of 3, TCP 6881 (a peer) on those = 1
# mod 3; nothing listens on UDP. The poller .40 (pollnormal.py poll) connects every ${PERIOD:-10}
# s to ports 22, 9100 and 80 of every farm host and pings it; so port 80 is refused by 27 of 40
# hosts each round, port 22 by 20. The P2P client .70 (pollnormal.py p2p) pings 6 random peers on
# UDP 6881 (refused: ICMP port unreachable) and connects to their TCP 6881 (refused by 2 of 3)
# every 2-6 s. Both run for ${DUR:-80} s.
set -u
OUT=$1; SEED=${2:-1}; DUR=${DUR:-80}; FARM=${FARM:-40}; LAST=$((100+FARM))
LBL=${OUT%.pcap}.labels.json; L=$(cd "$(dirname "$0")" && pwd)
P=pol$$
HOSTS="m:40 p:70 f:101"
ALL="${P}b"; for h in $HOSTS; do ALL="$ALL ${P}${h%%:*}"; done
cleanup() { for n in $ALL; do ip netns pids $n 2>/dev/null | xargs -r kill 2>/dev/null; done; sleep 0.5
  for n in $ALL; do ip netns del $n 2>/dev/null; done; }
trap cleanup EXIT
ip netns add ${P}b; ip -n ${P}b link add br0 type bridge; ip -n ${P}b link set br0 up
i=0
for h in $HOSTS; do n=${P}${h%%:*}; a=${h##*:}; i=$((i+1))
  ip netns add $n; ip -n $n link set lo up
  ip link add e$i netns $n type veth peer name p$i netns ${P}b
  ip -n $n addr add 198.18.0.$a/24 dev e$i; ip -n $n link set e$i up
  ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  ip -n ${P}b link set p$i master br0; ip -n ${P}b link set p$i up
done
for a in $(seq 102 $LAST); do ip -n ${P}f addr add 198.18.0.$a/24 dev e3; done
SPEC=""
for a in $(seq 101 $LAST); do SPEC="$SPEC 198.18.0.$a:9100:http"; [ $((a%2)) = 0 ] && SPEC="$SPEC 198.18.0.$a:22:banner"
  [ $((a%3)) = 0 ] && SPEC="$SPEC 198.18.0.$a:80:http"; [ $((a%3)) = 1 ] && SPEC="$SPEC 198.18.0.$a:6881:peer"; done
ip netns exec ${P}f timeout $((DUR+15)) python3 $L/pollnormal.py farm $((DUR+10)) $SPEC >/dev/null 2>&1 &
sleep 2
ip netns exec ${P}b tcpdump -i br0 -s 96 -w $OUT -U >/dev/null 2>&1 &
TD=$!
sleep 1
FARMHOSTS=$(for a in $(seq 101 $LAST); do echo 198.18.0.$a; done)
ip netns exec ${P}m timeout $((DUR+10)) python3 $L/pollnormal.py poll $DUR ${PERIOD:-10} $FARMHOSTS >/dev/null 2>&1 &
ip netns exec ${P}p timeout $((DUR+10)) python3 $L/pollnormal.py p2p $DUR $SEED $FARMHOSTS >/dev/null 2>&1 &
sleep $((DUR+3))
kill $TD; wait $TD 2>/dev/null
echo '{"capture": "'$(basename $OUT)'", "attackers": [], "episodes": []}' > $LBL
