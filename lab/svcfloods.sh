#!/usr/bin/env bash
# svcfloods.sh OUT.pcap ATTACKS_FILE -- UDP floods aimed at the port of a service the LAN runs
# (session 23, helper h3): DNS, NTP, SNMP, memcached, and the closed QUIC/HTTPS, SSDP and game or
# VoIP ports of a web server, beside those services' normal clients.
#   LAN 198.18.0.0/24 (bridge b0/br0, captured): web server .10 (python http.server on 80; every
#   UDP port closed: ICMP port unreachable, rate limited by the kernel), stub-resolver clients .20
#   (+ .31-.39, lab/infraclients.py dns; SOCKETS=each: a socket per name), a memcached client .21
#   (lab/svcclients.py), an SNMP monitoring station .30 (snmpget every 2-5 s, snmpwalk of the
#   interfaces table every 20-40 s), resolver .53 (dnsmasq 2.90, no upstream: every *.example
#   name is answered from its own records, cache off), attacker .66, NTP server .123 (chronyd -x,
#   its own clock as reference: `local stratum 8`; it never sets the clock) and its 40 clients
#   .160-.199 (one namespace "nc"), SNMP agent .150 (snmpd 5.9, v2c community "public", its
#   configuration and state in the run's scratch directory), memcached .211 (UDP 11211 only).
# ATTACKS_FILE lines "LABEL COMMAND", run in the attacker namespace under timeout ${TMO:-60}, GAP
# (15) seconds apart after WARM (20) seconds of normal traffic; the normal traffic runs DUR (180)
# seconds in all. SEED (1) draws the clients' names and timings; SCALE (1-8) makes the lookup
# bursts that many times larger. tcpdump -s ${SNAP:-96} on the LAN bridge; then the capture is
# also written filtered (tcpdump -r): OUT-udp.pcap (`udp`), OUT-icmpudp.pcap (`icmp or udp`) and
# OUT-nottcp.pcap (`not tcp`), each beside a copy of the labels. Writes OUT.pcap, OUT.labels.json
# and the tools' output in OUT.tool.log. Needs root and the Debian packages dnsmasq, chrony, snmpd,
# snmp, memcached, curl, bc, nmap, hping3, tcpdump (installed when missing).
# Safety: every address in 198.18.0.0/24 (lab_host; the python clients check), no default route
# anywhere (checked), every process under timeout and recorded; dnsmasq, chronyd, snmpd and
# memcached run in their namespaces with configurations in the run's scratch directory (the
# machine's own are neither read nor written: dnsmasq --conf-file=/dev/null, snmpd -C, chronyd
# -x never sets the clock); teardown deletes the namespaces (lib.sh, netlab.sh).
# shellcheck disable=SC2016 # the client loop in single quotes is expanded by its own bash
set -u
OUT=$1; ATK=$2; LBL=${OUT%.pcap}.labels.json; TL=${OUT%.pcap}.tool.log
DUR=${DUR:-180}; SEED=${SEED:-1}; SCALE=${SCALE:-1}
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
ensure_tools dnsmasq:dnsmasq chronyd:chrony snmpd:snmpd snmpget:snmp memcached:memcached curl:curl bc:bc
lab_begin "${PREFIX:-s23h3$$}"
lab_tmpdir /tmp/nj-svcfloods.XXXXXX; L=$LAB_TMPDIR; chmod 755 "$L"
lab_switch b0
lab_hosts 198.18.0.0/24 v:10 c:20 mc:21 mon:30 res:53 a:66 ntp:123 snmp:150 nc:160 mem:211
for i in $(seq 31 39); do ns c ip addr add "198.18.0.$i/24" dev "$(lab_leg c 198.18.0.20)"; done
for i in $(seq 161 199); do ns nc ip addr add "198.18.0.$i/24" dev "$(lab_leg nc 198.18.0.160)"; done
lab_check_routes
D=$((DUR + 60))
bg res "$D" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts --no-poll \
    --user=root --group=root --pid-file="$L/dnsmasq.pid" --listen-address=198.18.0.53 --bind-interfaces \
    --port=53 --cache-size=0 --address=/example/198.18.10.5 --log-facility="$L/dnsmasq.log" >>"$TL" 2>&1
printf 'local stratum 8\nallow 198.18.0.0/24\nbindaddress 198.18.0.123\ncmdport 0\npidfile %s/chronyd.pid\ndriftfile %s/chrony.drift\n' \
    "$L" "$L" >"$L/chrony.conf"
bg ntp "$D" chronyd -x -d -u root -f "$L/chrony.conf" >>"$TL" 2>&1
mkdir -p "$L/snmp"
printf 'agentAddress udp:198.18.0.150:161\nrocommunity public 198.18.0.0/24\nsysLocation lab\nsysContact lab\n' >"$L/snmpd.conf"
bg snmp "$D" env SNMP_PERSISTENT_DIR="$L/snmp" snmpd -f -C -c "$L/snmpd.conf" -Lf "$L/snmpd.log" \
    -p "$L/snmpd.pid" udp:198.18.0.150:161 >>"$TL" 2>&1
bg mem "$D" memcached -u root -U 11211 -p 0 -l 198.18.0.211 -m 16 >>"$TL" 2>&1
mkdir -p "$L/site"; echo '<html><body>intranet</body></html>' >"$L/site/index.html"
bg v "$D" python3 -m http.server 80 --bind 198.18.0.10 --directory "$L/site" >/dev/null 2>&1
sleep 2
lab_capture b0 "$D" br0 "$OUT" -s "${SNAP:-96}"
sleep 1
T0=$(date +%s)
{
    bg c "$DUR" "$PY" "$LAB_DIR/infraclients.py" dns --server 198.18.0.53 --srcs "198.18.0.20,$(seq -s, -f '198.18.0.%g' 31 39)" \
        --seed "$SEED" --duration "$DUR" --scale "$SCALE" ${SOCKETS:+--socket-per-name}
    bg nc "$DUR" "$PY" "$LAB_DIR/infraclients.py" ntp --server 198.18.0.123 --srcs "$(seq -s, -f '198.18.0.%g' 160 199)" \
        --seed "$SEED" --duration "$DUR"
    bg mc "$DUR" "$PY" "$LAB_DIR/svcclients.py" memcached --server 198.18.0.211 --src 198.18.0.21 --seed "$SEED" --duration "$DUR"
    bg mon "$DUR" "$PY" "$LAB_DIR/svcclients.py" snmp --server 198.18.0.150 --src 198.18.0.30 --seed "$SEED" --duration "$DUR"
} >>"$TL" 2>&1
bg c "$DUR" bash -c 'while :; do curl -s -m 2 -o /dev/null http://198.18.0.10/; sleep 0.$((RANDOM % 9 + 1)); done' >/dev/null 2>&1
nap "${WARM:-20}"
attack() { # LABEL COMMAND
    lab_run a "${TMO:-60}" bash -c "$2" >>"$TL" 2>&1
    log "ran $1 rc=$RUN_RC ($(echo "$RUN_E - $RUN_S" | bc) s): $2"
    lab_episode "$L/episodes" 198.18.0.66 "$1" "$RUN_S" "$(plus "$RUN_E" 2)" "$2"
    nap "${GAP:-15}"
}
: >"$L/episodes"
lab_lines "$ATK" attack
lab_labels "$LBL" "$(basename "$OUT")" "$L/episodes" 198.18.0.66
left=$((T0 + DUR + 3 - $(date +%s)))
[ "$left" -gt 0 ] && nap "$left"
lab_capture_stop
for f in udp:udp icmpudp:'icmp or udp' nottcp:'not tcp'; do
    tcpdump -r "$OUT" -w "${OUT%.pcap}-${f%%:*}.pcap" "${f#*:}" 2>/dev/null
    cp "$LBL" "${OUT%.pcap}-${f%%:*}.labels.json"
done
