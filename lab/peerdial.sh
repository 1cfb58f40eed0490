#!/usr/bin/env bash
# peerdial.sh OUT.pcap SEED ATTACKS_FILE -- a P2P node dialling its peers, all on one port (the
# pattern of nDPI's tests/pcap/ethereum.pcap: an Ethereum node's 58 connections to port 30303 in
# 4 s, its hello answered, most peers ending with a FIN and their kernels' resets to the node's
# late messages), beside real horizontal scans of the peers' subnet. (session 25, helper h3)
#   198.18.0.0/24 (the bridge the capture is made on) holds the node .184, four scanners .66-.69
#   and a router .1; across it and lab/wanlink.py (a user-space delaying link: this kernel has no
#   netem; ${DELAY:-20} ± ${JITTER:-2} ms each way), 198.18.1.0/24 holds six peer hosts, each with
#   eight addresses (.11-.18, .21-.28, ... .61-.68: 48 peers) listening on 30303
#   (lab/peerdial.py peers). The node (lab/peerdial.py node) dials the 48 peers and 8 absent
#   addresses (.200-.207: nothing holds them; the router's ARP fails), shuffled by SEED,
#   ${AT_ONCE:-16} at once and the rest over ${SPAN:-1.5} s (the capture's pace: 58 SYNs in 1.5
#   s), twice (at the start, and again after the attacks, in another order), each time keeping
#   the sessions that stay for 20 s.
# ATTACKS_FILE lines "LABEL COMMAND": the Nth (from 0) run in scanner N mod 4's namespace under
# timeout ${TMO:-60}, 4 s apart, between the node's two rounds, with $IF (that scanner's leg) in
# the environment (each scanner's targets new to it: the sweep rule counts hosts first probed in
# 30 s).
# tcpdump -s ${SNAPLEN:-128} on the node's bridge. Writes OUT.pcap and OUT.labels.json (the
# scanner's episodes; the node is normal). Every process under timeout and recorded; the
# teardown deletes the script's namespaces (lib.sh, netlab.sh).
#   lab/peerdial.sh data/captures/peerdial.pcap 2501 lab/peerdial.attacks
set -u
OUT=$(readlink -f "$1"); SEED=$2; ATT=$(readlink -f "$3")
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
case "$SEED" in '' | *[!0-9]*) die "SEED must be a number" ;; esac
[ -f "$ATT" ] || die "no attacks file $ATT"
PY=${PY:-/usr/bin/python3}
lab_begin "${PREFIX:-s25h3$$}"
D=600
lab_switch b0
lab_hosts 198.18.0.0/24 rt:1 n:184 a0:66 a1:67 a2:68 a3:69
lab_switch sm
lab_host rt 198.18.1.1/24
lab_host -i wa wan -
lab_switch b1
lab_host -i wb wan -
lab_hosts 198.18.1.0/24 p1:11 p2:21 p3:31 p4:41 p5:51 p6:61
for h in n a0 a1 a2 a3; do ns "$h" ip route add 198.18.1.0/24 via 198.18.0.1; done
for k in 1 2 3 4 5 6; do ns "p$k" ip route add 198.18.0.0/24 via 198.18.1.1; done
ns rt sysctl -qw net.ipv4.ip_forward=1
PEERS=()
for k in 1 2 3 4 5 6; do
    addrs=""
    for j in 1 2 3 4 5 6 7 8; do
        a="198.18.1.$((k * 10 + j))"
        lab_in_v4 "$a" || die "$a is outside 198.18.0.0/15"
        [ "$j" = 1 ] || ns "p$k" ip addr add "$a/24" dev "$(lab_leg "p$k" "198.18.1.$((k * 10 + 1))")"
        addrs+="${addrs:+,}$a"
        PEERS+=("$a")
    done
    bg "p$k" 400 "$PY" "$LAB_DIR/peerdial.py" peers --addrs "$addrs" --port 30303 --seed $((SEED * 10 + k)) --life 390
done
for j in 0 1 2 3 4 5 6 7; do PEERS+=("198.18.1.$((200 + j))"); done
# real MTU-sized frames: no offloads anywhere (wanlink copies frames as they are)
for ns_ in "${LAB_NS[@]}"; do
    for i in $(ip -n "$ns_" -o link show | awk -F': ' '{ print $2 }' | cut -d@ -f1 | grep -v '^lo$'); do
        ip netns exec "$ns_" ethtool -K "$i" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
    done
done
lab_check_routes
# the Internet between the node's LAN and its peers: lab/wanlink.py (no netem here)
bg wan "$D" "$PY" "$LAB_DIR/wanlink.py" wa wb --delay "${DELAY:-20}" --jitter "${JITTER:-2}" --loss 0 \
    --seed "$SEED" --seconds $((D - 10)) 2>/dev/null
# the node's dialling order, shuffled by SEED (and another order for its second round)
order() { printf '%s\n' "${PEERS[@]}" | "$PY" -c "import random,sys; a=sys.stdin.read().split(); random.Random($1).shuffle(a); print(','.join(a))"; }
sleep 1
lab_capture b0 600 br0 "$OUT" -s "${SNAPLEN:-128}"
sleep 1
EP="$OUT.episodes"
: >"$EP"
lab_run n 40 "$PY" "$LAB_DIR/peerdial.py" node --peers "$(order "$SEED")" --port 30303 --seed "$SEED" --span "${SPAN:-1.5}" --at-once "${AT_ONCE:-16}" --life 20
log "node round 1 (rc $RUN_RC)"
sleep 4
K=0
one_attack() {
    local h=a$((K % 4)) src=198.18.0.$((66 + K % 4))
    K=$((K + 1))
    IF=$(lab_leg "$h" "$src")
    export IF
    lab_run "$h" "${TMO:-60}" bash -c "$2" >/dev/null 2>&1
    log "$1 from $src: $2 (rc $RUN_RC)"
    lab_episode "$EP" "$src" "$1" "$RUN_S" "$(plus "$RUN_E" 2)" "$2"
    sleep 4
}
lab_lines "$ATT" one_attack
lab_run n 40 "$PY" "$LAB_DIR/peerdial.py" node --peers "$(order $((SEED + 1)))" --port 30303 --seed $((SEED + 1)) --span "${SPAN:-1.5}" --at-once "${AT_ONCE:-16}" --life 20
log "node round 2 (rc $RUN_RC)"
sleep 2
lab_capture_stop
lab_labels "${OUT%.pcap}.labels.json" "$(basename "$OUT")" "$EP" auto
rm -f "$EP"
