#!/usr/bin/env bash
# lossy.sh OUT.pcap -- a capture that drops packets under load, as a real sensor's does, beside a
# clean one of the same traffic. (session 21, helper h3)
# Tools (Debian packages): iproute2 tcpdump python3 curl nmap hping3.
#   198.18.0.0/24 (bridge br0, no route out): victim .10 serves HTTP (python3 http.server on 80)
#   and a UDP echo (python3, port 7); client .20 fetches pages and pings in a loop; attackers .66
#   (floods at full speed: hping3 -i u1, bounded by -c and timeout) and .67 (nmap scans, run
#   while .66 floods, so the drops fall on the scans' probes and answers too).
# Two tcpdumps on the bridge at once, both -s 96: OUT.full.pcap with tcpdump's default buffer
# (the clean reference) and OUT.pcap with -B ${BUF:-64} (KiB: a ring of a few dozen packets)
# and -U (a write per packet: a slow writer), which drops under the floods; their "dropped by
# kernel" counts go to OUT.tcpdump.log. Writes OUT.pcap, OUT.full.pcap, OUT.labels.json and
# OUT.full.labels.json (the same episodes). ROUNDS (default 1) repeats the attack plan.
set -u
OUT=$1; FULL=${OUT%.pcap}.full.pcap; LBL=${OUT%.pcap}.labels.json; TDL=${OUT%.pcap}.tcpdump.log
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
lab_begin "${PREFIX:-s21h3$$}"
lab_tmpdir /tmp/nj-lossy.XXXXXX; L=$LAB_TMPDIR; chmod 755 "$L"
echo '<html><body>lab</body></html>' >"$L/index.html"
head -c 20000 /dev/zero >"$L/big.bin"
lab_switch b
lab_hosts 198.18.0.0/24 v:10 c:20 a:66 s:67
lab_check_routes
D=$((${ROUNDS:-1} * 120 + 60))
bg v $D python3 -m http.server 80 --bind 198.18.0.10 --directory "$L" >/dev/null 2>&1
bg v $D python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("198.18.0.10", 7))
while True:
    d, a = s.recvfrom(2048); s.sendto(d, a)' >/dev/null 2>&1
sleep 1
: >"$TDL"
bg b $D tcpdump -i br0 -s 96 -w "$FULL" >/dev/null 2>>"$TDL.full"
FULL_PID=$BG_PID
bg b $D tcpdump -i br0 -s 96 -B "${BUF:-64}" -U -w "$OUT" >/dev/null 2>>"$TDL.lossy"
LOSSY_PID=$BG_PID
sleep 2
# shellcheck disable=SC2016 # the client loop is expanded by its own bash
bg c $D bash -c 'while :; do
    curl -s -m 2 -o /dev/null http://198.18.0.10/; curl -s -m 2 -o /dev/null http://198.18.0.10/big.bin
    ping -c 2 -i 0.3 -W 1 198.18.0.10 >/dev/null; sleep 0.$((RANDOM%9+1)); done' >/dev/null 2>&1
CL=$BG_PID
nap "${WARM:-8}"
: >"$L/episodes"
# pair LABEL_F FLOOD LABEL_S SCAN : the flood from .66 and, a second into it, the scan from .67
pair() {
    local fs fe
    fs=$(date +%s.%N)
    bg a 20 "$@" >/dev/null 2>&1
    local fp=$BG_PID
    sleep 1
    lab_run s 60 bash -c "$SCAN" >/dev/null 2>&1
    lab_episode "$L/episodes" 198.18.0.67 "$SLBL" "$RUN_S" "$(plus "$RUN_E" 1)" "$SCAN"
    wait "$fp"
    fe=$(date +%s.%N)
    lab_episode "$L/episodes" 198.18.0.66 "$FLBL" "$fs" "$(plus "$fe" 1)" "$*"
    log "ran $FLBL ($*) with $SLBL ($SCAN)"
    nap "${GAP:-8}"
}
for _ in $(seq "${ROUNDS:-1}"); do
    FLBL=flood-syn SLBL=scan-syn SCAN='nmap -n -Pn -sS -T4 --max-retries 1 --top-ports 300 198.18.0.10' \
        pair hping3 -q -S -p 80 -i u1 -c 60000 198.18.0.10
    FLBL=flood-udp SLBL=scan-udp SCAN='nmap -n -Pn -sU -T4 --max-retries 1 -p 7,53,67,69,123,137,161,500,514,520,1900,5353 198.18.0.10' \
        pair hping3 -q --udp -p 7 -d 64 -i u1 -c 60000 198.18.0.10
    FLBL=flood-icmp SLBL=scan-fin SCAN='nmap -n -Pn -sF -T4 --max-retries 1 --top-ports 100 198.18.0.10' \
        pair hping3 -q --icmp -d 200 -i u1 -c 60000 198.18.0.10
done
nap "${TAIL:-6}"
kill "$CL" 2>/dev/null
nap 1
kill -INT "$FULL_PID" "$LOSSY_PID" 2>/dev/null
wait "$FULL_PID" "$LOSSY_PID" 2>/dev/null
cat "$TDL.full" "$TDL.lossy" >"$TDL"
rm -f "$TDL.full" "$TDL.lossy"
lab_labels "$LBL" "$(basename "$OUT")" "$L/episodes" "198.18.0.66 198.18.0.67"
sed "s/\"capture\": \"[^\"]*\"/\"capture\": \"$(basename "$FULL")\"/" "$LBL" >"${FULL%.pcap}.labels.json"
