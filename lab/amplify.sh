#!/usr/bin/env bash
# amplify.sh OUT SEED [REFLECTORS [COUNT [RATE [VPORT [VECTORS]]]]] -- reflection and
# amplification DDoS as the public datasets record it (CIC-DDoS2019's DNS, NTP, SNMP, SSDP, LDAP,
# MSSQL, NetBIOS, portmap, TFTP floods; booters' chargen and memcached), captured at both ends:
# OUT.refl.pcap on the reflectors' link (the forged requests and the answers, as a mirror port of
# their switch or the attacker's uplink sees them) and OUT.victim.pcap on the victim's link (the
# answers alone, often fragmented). (session 27)
#   198.18.0.0/15 on one bridge, no route out (checked): victim .0.10, attacker .0.66, and one
#   reflector namespace holding REFLECTORS (default 60) addresses 198.18.1.1.. on one leg, with
#   real dnsmasq (DNS: ANY / TXT for big.example, ~3 KB with EDNS: fragmented) and snmpd (SNMP
#   GetBulk, community public) on every address, and lab/amplifiers.py answering chargen, TFTP,
#   portmap, NTP (mode 7 monlist emulated), NetBIOS, CLDAP, MS-SQL, SSDP and memcached with their
#   real servers' answer sizes.
#   The victim is a busy server that is itself a client of the reflectors' services (the normal
#   look-alikes): a recursive resolver asking every authoritative server, an SNMP manager
#   (snmpbulkwalk, net-snmp) polling 50 agents, an NTP monitor of every server (mode 3 and
#   ntpq-style mode 6), an SSDP control point answered by 40 devices, a PXE client reading six files
#   over TFTP, DC locator pings over CLDAP. They run alone for 30 s, then on through the attacks.
#   The attacker sends, one vector after another 6 s apart, COUNT (default 600) forged requests at
#   RATE a second (default 300) from the victim's address, port VPORT (default 0: a random port
#   each datagram, as booters' scripts; or a fixed one), to the reflectors in turn
#   (lab/amplifiers.py spoof: a raw socket, IP_HDRINCL); VECTORS is a comma-separated list
#   (default all eleven). One vector (dns-any) is sent by nping (-S VICTIM) instead when VPORT is
#   fixed.
# Labels (OUT.labels.json, for both captures): each vector's attack is one `flood-udp` episode
# per reflector (several sources: a victim alert covers it), from its start to 2 s after it ended.
# Needs root, python3, dnsmasq, snmpd, snmp, nmap (nping), tcpdump. Every process under timeout
# and recorded; the forged source is the lab's own victim; the spoofer is bounded by COUNT and
# its time; teardown deletes the script's namespaces (lib.sh, netlab.sh).
set -u
OUT=${1:?OUT}
SEED=${2:?SEED}
NREF=${3:-60}
COUNT=${4:-600}
RATE=${5:-300}
VPORT=${6:-0}
VECTORS=${7:-dns-any,ntp-monlist,snmp-getbulk,ssdp,cldap,mssql,netbios,portmap,chargen,tftp,memcached}
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
case "$SEED$NREF$COUNT$RATE$VPORT" in *[!0-9.]*) die "SEED, REFLECTORS, COUNT, RATE and VPORT must be numbers" ;; esac
if [ "$NREF" -lt 2 ] || [ "$NREF" -gt 250 ]; then die "REFLECTORS: 2 to 250"; fi
ensure_tools dnsmasq:dnsmasq-base snmpd:snmpd snmpbulkwalk:snmp nping:nmap tcpdump:tcpdump
VICTIM=198.18.0.10
RUN_SECS=900
lab_begin "s27h2$$"
lab_tmpdir /tmp/njamplify.XXXXXX
WORK=$LAB_TMPDIR
lab_switch b br0 mcast_snooping 0
lab_host -i eth0 v "$VICTIM/15"
lab_host -i eth0 a 198.18.0.66/15
lab_host -i eth0 r 198.18.1.1/15
REFL=()
for i in $(seq 1 "$NREF"); do
    REFL+=("198.18.1.$i")
    [ "$i" = 1 ] || ns r ip addr add "198.18.1.$i/15" dev eth0
done
ns v ip route add 239.0.0.0/8 dev eth0
ns r ip route add 239.0.0.0/8 dev eth0
for h in v a r; do ns "$h" ethtool -K eth0 tso off gso off gro off >/dev/null 2>&1 || true; done
# the attacker reaches the reflectors through its uplink, not by ARP on the victim's LAN: its
# neighbour entries are made by hand (no ARP sweep of the reflectors on the wire)
RMAC=$(ns r cat /sys/class/net/eth0/address)
for r in "${REFL[@]}"; do ns a ip neigh replace "$r" lladdr "$RMAC" nud permanent dev eth0; done
lab_check_routes
LIST=$(IFS=,; echo "${REFL[*]}")

# the reflectors: dnsmasq (DNS), snmpd (SNMP), amplifiers.py (the rest), on every address
TXT=$(printf 'x%.0s' $(seq 250))
TXTS=()
for i in 1 2 3 4 5 6 7 8 9 10; do TXTS+=("--txt-record=big.example,v=$i$TXT"); done
bg r "$RUN_SECS" dnsmasq --no-daemon --no-resolv --no-hosts --port 53 --pid-file="$WORK/dnsmasq.pid" \
    --user=root --address=/www.example/198.18.0.10 --address=/mail.example/198.18.0.11 "${TXTS[@]}"
printf 'rocommunity public\nrocommunity monitor\nsysLocation lab rack 4\nsysContact ops@lab.example\n' >"$WORK/snmpd.conf"
bg r "$RUN_SECS" snmpd -f -Lo -C -c "$WORK/snmpd.conf" -p "$WORK/snmpd.pid" udp:161 >/dev/null 2>&1
bg r "$RUN_SECS" "$PY" "$LAB_DIR/amplifiers.py" serve "$RUN_SECS" 198.18.1 1 "$NREF" 40
sleep 3
lab_capture r "$RUN_SECS" eth0 "$OUT.refl.pcap" -n -s 96
lab_capture v "$RUN_SECS" eth0 "$OUT.victim.pcap" -n -s 96
sleep 2

# the normal look-alikes, on the victim, for the whole run
AGENTS=$(IFS=,; echo "${REFL[*]:0:50}")
bg v "$RUN_SECS" "$PY" "$LAB_DIR/amplifiers.py" normal "$RUN_SECS" "$SEED" resolver "$LIST"
bg v "$RUN_SECS" "$PY" "$LAB_DIR/amplifiers.py" normal "$RUN_SECS" "$((SEED + 1))" ntp "$LIST"
bg v "$RUN_SECS" "$PY" "$LAB_DIR/amplifiers.py" normal "$RUN_SECS" "$((SEED + 2))" ssdp
bg v "$RUN_SECS" "$PY" "$LAB_DIR/amplifiers.py" normal "$RUN_SECS" "$((SEED + 3))" tftp "${REFL[0]}" 6
bg v "$RUN_SECS" "$PY" "$LAB_DIR/amplifiers.py" normal "$RUN_SECS" "$((SEED + 4))" cldap "$(IFS=,; echo "${REFL[*]:0:4}")"
bg v "$RUN_SECS" bash -c "while :; do for h in ${AGENTS//,/ }; do timeout 10 snmpbulkwalk -v2c -c monitor -t 1 -r 1 -Cr20 \$h system >/dev/null 2>&1; done; sleep 20; done"
NORMAL_S=$(now)
nap 30
log "normal look-alikes alone: $NORMAL_S - $(now)"

: >"$WORK/episodes"
IFS=, read -r -a VLIST <<<"$VECTORS"
k=0
for vec in "${VLIST[@]}"; do
    k=$((k + 1))
    secs=$(echo "$COUNT / $RATE + 10" | bc)
    if [ "$vec" = dns-any ] && [ "$VPORT" != 0 ]; then
        q=$("$PY" -c "import sys; sys.path.insert(0, '$LAB_DIR'); import amplifiers as a; print(a.dns_query(4660, 'big.example', 255).hex())")
        rounds=$(((COUNT + NREF - 1) / NREF))
        cmd="nping --udp -S $VICTIM -g $VPORT -p 53 --data $q --rate $RATE -c $rounds -H -N -q 198.18.1.1-$NREF"
        # shellcheck disable=SC2086 # the command's words
        lab_run a "$secs" $cmd >/dev/null 2>&1
    else
        cmd="python3 lab/amplifiers.py spoof $secs $((SEED + 10 + k)) $VICTIM $VPORT $vec $RATE $COUNT 198.18.1.1..$NREF"
        lab_run a "$secs" "$PY" "$LAB_DIR/amplifiers.py" spoof "$secs" "$((SEED + 10 + k))" "$VICTIM" "$VPORT" "$vec" "$RATE" "$COUNT" "${REFL[@]}"
    fi
    log "$vec: $RUN_S - $RUN_E (rc $RUN_RC)"
    e=$(plus "$RUN_E" 2)
    for r in "${REFL[@]}"; do lab_episode "$WORK/episodes" "$r" flood-udp "$RUN_S" "$e" "$cmd"; done
    nap 6
done
nap 4
lab_capture_stop
lab_labels "$OUT.labels.json" "$(basename "$OUT").pcap" "$WORK/episodes" "${REFL[*]}" "\"normal_alone\": [$NORMAL_S, $(plus "$NORMAL_S" 30)], \"victim\": \"$VICTIM\""
log "wrote $OUT.refl.pcap, $OUT.victim.pcap and $OUT.labels.json"
