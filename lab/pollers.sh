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
LBL=${OUT%.pcap}.labels.json
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
L=$LAB_DIR
lab_begin "pol$$"
lab_switch -6 b   # IPv6 left on in the switch, as it always was: br0's MLD reports and RSs are in the capture
lab_hosts 198.18.0.0/24 m:40 p:70 f:101
for a in $(seq 102 $LAST); do ns f ip addr add "198.18.0.$a/24" dev e3; done
lab_check_routes
SPEC=""
for a in $(seq 101 $LAST); do SPEC="$SPEC 198.18.0.$a:9100:http"; [ $((a%2)) = 0 ] && SPEC="$SPEC 198.18.0.$a:22:banner"
  [ $((a%3)) = 0 ] && SPEC="$SPEC 198.18.0.$a:80:http"; [ $((a%3)) = 1 ] && SPEC="$SPEC 198.18.0.$a:6881:peer"; done
# shellcheck disable=SC2086 # SPEC and FARMHOSTS are lists
bg f $((DUR+15)) python3 $L/pollnormal.py farm $((DUR+10)) $SPEC >/dev/null 2>&1
sleep 2
lab_capture b $((DUR+30)) br0 "$OUT" -s 96
sleep 1
FARMHOSTS=$(for a in $(seq 101 $LAST); do echo "198.18.0.$a"; done)
# shellcheck disable=SC2086
bg m $((DUR+10)) python3 $L/pollnormal.py poll $DUR ${PERIOD:-10} $FARMHOSTS >/dev/null 2>&1
# shellcheck disable=SC2086
bg p $((DUR+10)) python3 $L/pollnormal.py p2p $DUR $SEED $FARMHOSTS >/dev/null 2>&1
nap $((DUR+3))
lab_capture_stop
lab_labels "$LBL" "$(basename "$OUT")" /dev/null ""
