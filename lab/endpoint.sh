#!/usr/bin/env bash
# lab/endpoint.sh OUT.pcap ATTACKS_FILE -- attacks and normal traffic captured the way published
# captures are often made: on one of the two hosts (`tcpdump -i eth0` on the attacking machine
# while nmap runs, on the victim server, `-i any` on the server), with the NIC offloads on, as
# well as on the wire. (session 22, helper h3; after anycapture.sh)
# Tools (Debian packages): iproute2 ethtool tcpdump socat python3 curl nmap hping3. Run as root.
#   198.18.0.0/24 (bridge br0, no route out), IPv6 off. Victim .10: python3 http.server on 80
#   (a 4 MB file big.bin beside index.html), socat TCP sink on 9000 (discards), an SSH-like
#   banner on 22 and UDP echo on 7, and a local health check (curl http://127.0.0.1/ every 2 s:
#   loopback traffic in `-i any`). Client .20: page fetches, a 4 MB download, a 2 MB upload to
#   9000, pings and a UDP echo, in a loop. Attacker .66. The veth legs keep the kernel's
#   default offloads (TX checksum, TSO, GSO on; GRO switched on in the hosts, `ethtool -K`
#   inside their own namespaces), so a capture inside a host sees its outgoing TCP/UDP with the
#   checksum not filled in and its bulk data as TSO super-segments of up to 64 KB, and its
#   incoming bulk data merged by GRO; the bridge sees the frames as they cross the wire.
# ATTACKS_FILE lines "LABEL COMMAND": run in the attacker namespace under timeout ${TMO:-40},
#   ${GAP:-3} s apart; LABEL "normal" is not an attack (its span goes to OUT.normal.json).
#   Every command must be bounded by its own count (a port list, -c).
# Writes, all tcpdump -s ${SNAP:-128} at the same time:
#   OUT.pcap       on br0 in the switch namespace (the wire: each frame once)
#   OUT.atk.pcap   on the attacker's leg, inside its namespace (tcpdump -i e3)
#   OUT.vic.pcap   on the victim's leg, inside its namespace (tcpdump -i e1)
#   OUT.vany.pcap  -i any inside the victim's namespace (Linux cooked v1; lo traffic mixed in)
# and OUT.labels.json (attacker 198.18.0.66, one episode per attack), OUT.normal.json.
# The filtered variants are made from these afterwards with `tcpdump -r X -w Y 'FILTER'`
# (lab/README.md, "Captures made on an endpoint").
# shellcheck disable=SC2016 # the client loops in single quotes are expanded by their own bash
set -u
OUT=$1; CMDS=$2; LBL=${OUT%.pcap}.labels.json; NRM=${OUT%.pcap}.normal.json; SNAP=${SNAP:-128}
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
lab_begin "${PREFIX:-s22h3$$}"
lab_tmpdir /tmp/nj-endpoint.XXXXXX; W=$LAB_TMPDIR; chmod 755 "$W"
mkdir -p "$W/site"
echo '<html><body>victim</body></html>' >"$W/site/index.html"
head -c 4000000 /dev/urandom >"$W/site/big.bin"
lab_switch b
lab_hosts 198.18.0.0/24 v:10 c:20 a:66
lab_check_routes
for h in v c a; do
    leg=$(lab_leg "$h" "198.18.0.$(case $h in v) echo 10 ;; c) echo 20 ;; a) echo 66 ;; esac)")
    ns "$h" ethtool -K "$leg" tx on tso on gso on gro on >/dev/null 2>&1 || log "ethtool -K in $h: some offloads not changed"
done
VL=$(lab_leg v 198.18.0.10); AL=$(lab_leg a 198.18.0.66)
D=$((${DUR:-300} + 60))
bg v $D python3 -m http.server 80 --bind 198.18.0.10 --directory "$W/site" >/dev/null 2>&1
bg v $D python3 -m http.server 80 --bind 127.0.0.1 --directory "$W/site" >/dev/null 2>&1
bg v $D socat TCP4-LISTEN:9000,fork,reuseaddr OPEN:/dev/null >/dev/null 2>&1
bg v $D socat TCP4-LISTEN:22,fork,reuseaddr SYSTEM:'printf "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"; timeout 5 cat' >/dev/null 2>&1
bg v $D socat UDP4-RECVFROM:7,fork EXEC:cat >/dev/null 2>&1
sleep 1
lab_capture b $D br0 "$OUT" -s "$SNAP"
lab_capture a $D "$AL" "${OUT%.pcap}.atk.pcap" -s "$SNAP"
lab_capture v $D "$VL" "${OUT%.pcap}.vic.pcap" -s "$SNAP"
lab_capture v $D any "${OUT%.pcap}.vany.pcap" -s "$SNAP" -y LINUX_SLL
sleep 1
bg v $D bash -c 'while :; do curl -s -m 2 -o /dev/null http://127.0.0.1/; sleep 2; done' >/dev/null 2>&1
HC=$BG_PID
bg c $D bash -c 'n=0; while :; do n=$((n+1))
    curl -s -m 2 -o /dev/null http://198.18.0.10/; ping -c 2 -i 0.3 -W 1 198.18.0.10 >/dev/null
    echo hello | socat -t 1 - UDP4:198.18.0.10:7 >/dev/null
    if [ $((n%4)) = 0 ]; then curl -s -m 5 -o /dev/null http://198.18.0.10/big.bin
        head -c 2000000 /dev/zero | socat -t 2 - TCP4:198.18.0.10:9000; fi
    sleep 0.$((RANDOM%9+1)); done' >/dev/null 2>&1
CL=$BG_PID
nap "${WARM:-5}"
attack() { # LABEL COMMAND
    nap "${GAP:-3}"
    lab_run a "${TMO:-40}" bash -c "$2" >>"${OUT%.pcap}.tool.log" 2>&1
    log "ran $1 rc=$RUN_RC ($(echo "$RUN_E - $RUN_S" | bc) s): $2"
    if [ "$1" = normal ]; then
        lab_episode "$W/normal" 198.18.0.66 normal "$RUN_S" "$(plus "$RUN_E" 2)" "$2"
    else
        lab_episode "$W/episodes" 198.18.0.66 "$1" "$RUN_S" "$(plus "$RUN_E" 2)" "$2"
    fi
}
: >"$W/episodes"; : >"$W/normal"
lab_lines "$CMDS" attack
lab_labels "$LBL" "$(basename "$OUT")" "$W/episodes" 198.18.0.66
lab_json_array "$NRM" "$W/normal"
nap "${TAIL:-4}"
kill "$CL" "$HC" 2>/dev/null
nap 1
lab_capture_stop
