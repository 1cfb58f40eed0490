#!/usr/bin/env bash
# wan.sh OUT.pcap ATTACKS_FILE -- scans and floods across real latency and through a router, beside
# normal clients on the same far side (session 22, helper h1). Every attack and every normal
# client is 10-200 ms away from the victim, behind a delaying link and a routed hop:
#   attacker site 198.18.1.0/24 (switch sa, bridge br0): attacker .66, WAN clients .20 and .21,
#     and leg wa of the link;
#   the link (namespace wan): lab/wanlink.py copies frames between its legs wa and wb after a
#     one-way delay DELAY ms ± JITTER (uniform, not reordering) with LOSS % seeded random loss each
#     way, in runs of BURST frames on average if BURST is set (DELAY 0: a plain wire, for the
#     comparison run);
#   switch sm, bridge br0: leg wb and the router's leg 198.18.1.1;
#   router rt (ip_forward 1, the only one) to the victim LAN 198.18.0.0/24 (switch sv, bridge
#     br0): router .1, victim .10 (lab/services.py: HTTP 80, echo 7, SSH-like 22, SMTP 25, NTP-like
#     123), file server .11 (services.py too), DNS server .53 (lab/dnsd.py, zone www.lab, files.lab),
#     an idle host .12 (nothing open). Each side has only the route to the other /24 via its .1.
# So a packet from the attacker crosses the delay and the router (its TTL drops by one, its
# source MAC is the router's on the victim LAN). The WAN clients: c0 lab/client.py (HTTP, echo,
# SSH-like banner, ping, NTP-like, ...), c1 client.py --profile busy (DNS lookups to .53 before
# every connection, page loads over parallel keep-alive connections, mDNS/SSDP with TTL 1 on
# its own bridge).
# Two sensors in the same run: tcpdump -s 128 on the victim LAN's bridge (OUT.pcap, what a site's
# IDS sees) and on the attacker site's bridge (OUT-atk.pcap, what a capture on the attacking
# host shows). ATTACKS_FILE lines "LABEL COMMAND": run in the attacker's namespace under timeout
# ${TMO:-120}, GAP (6) s apart; each must be bounded by its own count (a port list, -c).
# Environment: DELAY (ms, one way; 20), JITTER (2.5), LOSS (1), BURST (0: independent losses),
# SEED (1), SNAP (tcpdump's snap length, 128).
# Writes OUT.pcap, OUT-atk.pcap, OUT.labels.json (and OUT-atk.labels.json, the same episodes),
# OUT.tool.log (the tools' output, wanlink's counts and the pings that measured the RTT).
# Needs root, iproute2, tcpdump, nmap, hping3, python3, ethtool, ping.
set -u
OUT=$1; ATK=$2
DELAY=${DELAY:-20}; JITTER=${JITTER:-2.5}; LOSS=${LOSS:-1}; SEED=${SEED:-1}; BURST=${BURST:-0}
LBL=${OUT%.pcap}.labels.json; LOG=${OUT%.pcap}.tool.log; AOUT=${OUT%.pcap}-atk.pcap
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
case "$DELAY$JITTER$LOSS$SEED$BURST" in *[!0-9.]*) die "DELAY, JITTER, LOSS, SEED and BURST must be numbers" ;; esac
ensure_tools ping:iputils-ping
lab_begin "${PREFIX:-s22h1$$}"
lab_tmpdir /tmp/nj-wan.XXXXXX; L=$LAB_TMPDIR
D=$((${DUR:-900} + 60))
lab_switch sa
lab_hosts 198.18.1.0/24 a:66 c0:20 c1:21
lab_host -i wa wan -
lab_switch sm
lab_host -i wb wan -
lab_host rt 198.18.1.1/24
lab_switch sv
lab_host rt 198.18.0.1/24
lab_hosts 198.18.0.0/24 v:10 f:11 dns:53 idle:12
for h in a c0 c1; do ns "$h" ip route add 198.18.0.0/24 via 198.18.1.1; done
for h in v f dns idle; do ns "$h" ip route add 198.18.1.0/24 via 198.18.0.1; done
ns rt sysctl -qw net.ipv4.ip_forward=1
# real MTU-sized frames: no offloads anywhere (wanlink copies frames as they are)
for n in "${LAB_NS[@]}"; do
    for i in $(ip -n "$n" -o link show | awk -F': ' '{ print $2 }' | cut -d@ -f1 | grep -v '^lo$'); do
        ip netns exec "$n" ethtool -K "$i" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
    done
done
lab_check_routes
bg wan "$D" "$PY" "$LAB_DIR/wanlink.py" wa wb --delay "$DELAY" --jitter "$JITTER" --loss "$LOSS" \
    --seed "$SEED" --burst "$BURST" --seconds $((D - 10)) 2>>"$LOG"
WL=$BG_PID
ZONE=www.lab=198.18.0.10,files.lab=198.18.0.11
bg v "$D" "$PY" "$LAB_DIR/services.py" --duration "$D" >/dev/null 2>&1
bg f "$D" "$PY" "$LAB_DIR/services.py" --duration "$D" >/dev/null 2>&1
bg dns "$D" "$PY" "$LAB_DIR/dnsd.py" --duration "$D" --zone "$ZONE" --seed "$SEED" >/dev/null 2>&1
nap 2
# the round trip as configured? (before the captures start: these pings are in neither)
for h in a c0; do
    lab_run "$h" 60 ping -n -q -c "${PINGS:-100}" -i 0.05 -W 2 198.18.0.10
done >>"$LOG" 2>&1
lab_capture sv "$D" br0 "$OUT" -s "${SNAP:-128}"
lab_capture sa "$D" br0 "$AOUT" -s "${SNAP:-128}"
nap 1
bg c0 "$D" "$PY" "$LAB_DIR/client.py" --seed $((SEED * 100)) --duration "$D" --mean-think 1.2 >/dev/null 2>&1
C0=$BG_PID
bg c1 "$D" "$PY" "$LAB_DIR/client.py" --seed $((SEED * 100 + 1)) --duration "$D" --mean-think 2 \
    --profile busy --dns 198.18.0.53 --zone "$ZONE" >/dev/null 2>&1
C1=$BG_PID
T0=$(now)
nap "${WARM:-15}"
attack() { # LABEL COMMAND
    nap "${GAP:-6}"
    lab_run a "${TMO:-120}" bash -c "$2" >>"$LOG" 2>&1
    log "ran $1 rc=$RUN_RC ($(echo "$RUN_E - $RUN_S" | bc) s): $2"
    lab_episode "$L/episodes" 198.18.1.66 "$1" "$RUN_S" "$(plus "$RUN_E" 2)" "$2"
}
: >"$L/episodes"
lab_lines "$ATK" attack
nap "${TAIL:-10}"
kill "$C0" "$C1" 2>/dev/null
nap 2
T1=$(now)
lab_capture_stop
kill "$WL" 2>/dev/null
wait "$WL" 2>/dev/null
N="\"normal\": [{\"src\": \"198.18.1.20\", \"start\": $T0, \"end\": $T1}, {\"src\": \"198.18.1.21\", \"start\": $T0, \"end\": $T1}]"
N+=", \"link\": {\"one_way_delay_ms\": $DELAY, \"jitter_ms\": $JITTER, \"loss_pct\": $LOSS, \"seed\": $SEED}"
[ "$BURST" = 0 ] || N=${N%\}}", \"loss_burst\": $BURST}"
lab_labels "$LBL" "$(basename "$OUT")" "$L/episodes" 198.18.1.66 "$N"
lab_labels "${AOUT%.pcap}.labels.json" "$(basename "$AOUT")" "$L/episodes" 198.18.1.66 "$N"
log "wrote $OUT, $AOUT and $LBL"
