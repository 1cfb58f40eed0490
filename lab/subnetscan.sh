#!/usr/bin/env bash
# subnetscan.sh OUT.pcap SEED ATTACKS_FILE -- scans of one or a few ports across a sparse subnet
# (most addresses empty), the way a worm or an attacker looks for a service, from a scanner on
# the subnet's own LAN (the empty addresses give only ARP requests: no IP packet leaves for an
# address that does not answer ARP) and from one behind a router (the empty addresses give
# nothing, or the router's ICMP host unreachable once its ARP fails), among clients that talk to
# many hosts legitimately. (session 26, helper h3)
# Session 27 (helper h3): scans of many ports per host over a subnet with more live hosts. LIVE0
# and LIVE1 (last octets, space-separated) are more live hosts on 198.18.0 (the LAN, h's
# namespace) and 198.18.1 (f's), serving 22 and 80 and refusing every other port; DROP0 and DROP1
# are hosts behind a firewall that drops everything but 22 and 80 (nft in their own namespaces w0
# and w1, which serve those two); POLL_EXTRA (addresses) are more hosts the poller .30 watches.
# Tools (Debian packages): iproute2 tcpdump python3 nmap masscan zmap ncat.
#   198.18.0.0/24 (bridge b0/br0, the capture's): router .1, scanners .66 (routed) and .67 (LAN),
#   a poller .30 (lab/pollnormal.py poll: ports 22, 9100, 80 and a ping of each host it watches,
#   every ${PERIOD:-5} s; two of its hosts are down), a P2P client .40 (pollnormal.py p2p: 6
#   random peers every 2-6 s, a UDP ping and a TCP connect to 6881; a third of its peers are
#   gone), a P2P node .184 (lab/peerdial.py node: 8 live peers and 8 absent addresses on 30303,
#   all at once, twice), and live LAN hosts .35, .44, .50 (one namespace, pollnormal.py farm).
#   198.18.1.0/24 (b1), across the router: live hosts .5, .9, .20, .45 (one namespace: the farm
#   and peerdial.py peers on 30303); the rest of 198.18.1.0/26 is empty.
# ATTACKS_FILE lines "LABEL WHERE COMMAND": WHERE "wan" (the routed scanner .66) or "lan" (.67);
# COMMAND runs in its namespace under timeout ${TMO:-90}, ${GAP:-8} s apart (GAP "A-B": each gap drawn
# from the seed between A and B s; session 28), with $IF (its leg)
# and $GW (the router's MAC, for zmap) in the environment. Every command must be bounded by its own
# count (a port list, a /26 or smaller, masscan's --rate). tcpdump -s ${SNAPLEN:-96} on b0's bridge.
# Writes OUT.pcap and OUT.labels.json (the scanners' episodes; every other host is normal); the
# teardown deletes the script's namespaces (lib.sh, netlab.sh).
#   lab/subnetscan.sh data/captures/subnetscan.pcap 2601 lab/subnetscan.attacks
set -u
OUT=$(readlink -f "$1"); SEED=$2; ATT=$(readlink -f "$3")
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
case "$SEED" in '' | *[!0-9]*) die "SEED must be a number" ;; esac
[ -f "$ATT" ] || die "no attacks file $ATT"
PY=${PY:-/usr/bin/python3}
lab_begin "${PREFIX:-s26h3$$}"
D=${DUR:-600}
read -ra live0 <<<"${LIVE0:-}"
read -ra live1 <<<"${LIVE1:-}"
read -ra drop0 <<<"${DROP0:-}"
read -ra drop1 <<<"${DROP1:-}"
legs=(rt:0:1 rt:1:1 a0:0:66 a1:0:67 c:0:30 q:0:40 n:0:184 h:0:35 f:1:5)
[ ${#drop0[@]} -eq 0 ] || legs+=("w0:0:${drop0[0]}")
[ ${#drop1[@]} -eq 0 ] || legs+=("w1:1:${drop1[0]}")
lab_routed 198.18.0 198.18.1 "${legs[@]}"
P=198.18.0 R=198.18.1
for a in 44 50 "${live0[@]}"; do ns h ip addr add "$P.$a/24" dev "$(lab_leg h $P.35)"; done
for a in 9 20 45 "${live1[@]}"; do ns f ip addr add "$R.$a/24" dev "$(lab_leg f $R.5)"; done
for a in "${drop0[@]:1}"; do ns w0 ip addr add "$P.$a/24" dev "$(lab_leg w0 "$P.${drop0[0]}")"; done
for a in "${drop1[@]:1}"; do ns w1 ip addr add "$R.$a/24" dev "$(lab_leg w1 "$R.${drop1[0]}")"; done
lab_check_routes
served() { # NET LAST... : the farm's specs of 22 and 80 on each NET.LAST
    local n=$1 a
    shift
    for a in "$@"; do printf '%s\n' "$n.$a:22:banner" "$n.$a:80:http"; done
}
firewall() { # NAME NET LAST... : drop every packet to the host but TCP 22 and 80, which it serves
    ns "$1" nft -f - <<'NFT'
table inet fw {
    chain in {
        type filter hook input priority 0; policy drop;
        ct state established,related accept
        tcp dport { 22, 80 } accept
    }
}
NFT
    local specs
    mapfile -t specs < <(served "$2" "${@:3}")
    bg "$1" "$D" "$PY" "$LAB_DIR/pollnormal.py" farm "$D" "${specs[@]}" >/dev/null 2>&1
}
mapfile -t spec0 < <(served $P "${live0[@]}")
mapfile -t spec1 < <(served $R "${live1[@]}")
read -ra pollx <<<"${POLL_EXTRA:-}"
[ ${#drop0[@]} -eq 0 ] || firewall w0 $P "${drop0[@]}"
[ ${#drop1[@]} -eq 0 ] || firewall w1 $R "${drop1[@]}"
bg h "$D" "$PY" "$LAB_DIR/pollnormal.py" farm "$D" $P.35:22:banner $P.35:80:http $P.35:9100:http \
    $P.44:3389:banner $P.44:445:banner $P.44:9100:http $P.50:80:http $P.50:6881:peer $P.50:9100:http \
    "${spec0[@]}" >/dev/null 2>&1
bg f "$D" "$PY" "$LAB_DIR/pollnormal.py" farm "$D" $R.5:22:banner $R.5:80:http $R.5:443:http $R.5:9100:http \
    $R.9:80:http $R.9:3389:banner $R.9:9100:http $R.20:22:banner $R.20:445:banner $R.20:23:banner \
    $R.45:22:banner $R.45:6881:peer $R.45:9100:http $R.45:80:http "${spec1[@]}" >/dev/null 2>&1
bg f "$D" "$PY" "$LAB_DIR/peerdial.py" peers --addrs $R.5,$R.9,$R.20,$R.45 --port 30303 --seed "$SEED" --life $((D - 10))
sleep 2
lab_capture b0 "$D" br0 "$OUT" -s "${SNAPLEN:-96}"
sleep 1
# the legitimate look-alikes, all through the run
bg c "$D" "$PY" "$LAB_DIR/pollnormal.py" poll $((D - 20)) "${PERIOD:-5}" $R.5 $R.9 $R.20 $R.45 $R.33 $R.34 \
    $P.35 $P.44 $P.50 $P.60 "${pollx[@]}" >/dev/null 2>&1
bg q "$D" "$PY" "$LAB_DIR/pollnormal.py" p2p $((D - 20)) "$SEED" $R.45 $P.50 $R.5 $R.9 $P.35 \
    $R.50 $R.51 $R.52 $P.52 >/dev/null 2>&1
node() { # the P2P node dials its peers, shuffled by $1: 8 live, 8 gone
    lab_run n 40 "$PY" "$LAB_DIR/peerdial.py" node --peers "$("$PY" -c "import random; a=['$R.%d' % i for i in (5, 9, 20, 45, 5, 9, 20, 45, 200, 201, 202, 203, 204, 205, 206, 207)]; random.Random($1).shuffle(a); print(','.join(a))")" \
        --port 30303 --seed "$1" --span 1.0 --at-once 16 --life 15 >/dev/null 2>&1
    log "P2P node round (rc $RUN_RC)"
}
nap 3
node "$SEED"
EP="$OUT.episodes"
: >"$EP"
GW=$(ns rt ip -o link show "$(lab_leg rt $P.1)" | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
one_attack() { # LABEL "WHERE COMMAND"
    local h src where=${2%% *} cmd=${2#* }
    case $where in
        wan) h=a0 src=$P.66 ;;
        lan) h=a1 src=$P.67 ;;
        *) die "attack line: WHERE must be wan or lan, not '$where'" ;;
    esac
    IF=$(lab_leg "$h" "$src")
    export IF GW
    lab_run "$h" "${TMO:-90}" bash -c "$cmd" >>"${OUT%.pcap}.tool.log" 2>&1
    log "$1 from $src: $cmd (rc $RUN_RC, $(echo "$RUN_E - $RUN_S" | bc) s)"
    # the episode ends 2 s after the command, or at the next one's start if it comes sooner
    local g tail
    next_gap
    g=$NEXT_GAP
    tail=$("$PY" -c "print(min(2.0, $g))")
    lab_episode "$EP" "$src" "$1" "$RUN_S" "$(plus "$RUN_E" "$tail")" "$cmd"
    nap "$g"
}
NGAP=0
next_gap() { # NEXT_GAP = GAP, or for GAP "A-B" the next of a seeded uniform draw between A and B s
    NGAP=$((NGAP + 1))
    case ${GAP:-8} in
        *-*) NEXT_GAP=$("$PY" -c "import random; r = random.Random($SEED * 1000 + $NGAP); print(round(r.uniform(${GAP%-*}, ${GAP#*-}), 2))") ;;
        *) NEXT_GAP=${GAP:-8} ;;
    esac
}
lab_lines "$ATT" one_attack
node $((SEED + 1))
nap 3
lab_capture_stop
lab_labels "${OUT%.pcap}.labels.json" "$(basename "$OUT")" "$EP" auto
rm -f "$EP"
