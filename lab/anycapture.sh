#!/usr/bin/env bash
# lab/anycapture.sh OUT.pcap -- attacks and normal traffic captured the way a user of a Docker
# or VM host captures them: `tcpdump -i any` on the host that bridges the traffic, which sees
# each frame on its ingress port, on its egress port and, the bridge being promiscuous, on the
# bridge (crates/ids/src/copies.rs). Run as root. Writes OUT.pcap (tcpdump -i any -s 96 in the
# bridge's namespace: Linux cooked frames), OUT.br.pcap (tcpdump -i br0 -s 96 at the same time:
# each frame once) and OUT.labels.json (attacker 198.18.0.66, one episode per attack).
#
# One bridge, 198.18.0.0/24 (no route out), IPv6 off. Victim .10 (python3 http.server on 80,
# socat UDP echo on 7), client .20 (an HTTP fetch, two pings and a UDP echo exchange every
# 0.2-1 s), attacker .66. The attacks, one after another with 3 s between them, each bounded by
# `timeout 30`: nmap -sT, -sF, -sU (the three that a tripled capture named wrong before the
# copies rule), and an hping3 SYN flood.
# shellcheck disable=SC2016 # the client loops in single quotes are expanded by their own bash
set -u
OUT=$1; LBL=${OUT%.pcap}.labels.json
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
lab_begin "any$$"
lab_tmpdir /tmp/njany.XXXXXX; W=$LAB_TMPDIR
lab_switch b
lab_hosts 198.18.0.0/24 v:10 c:20 a:66
lab_check_routes
bg v 120 python3 -m http.server 80 --bind 198.18.0.10 >/dev/null 2>&1
bg v 120 socat UDP4-RECVFROM:7,fork EXEC:cat >/dev/null 2>&1
sleep 1
lab_capture b 120 br0 "${OUT%.pcap}.br.pcap" -s 96
lab_capture b 120 any "$OUT" -s 96
sleep 1
bg c 90 bash -c 'while :; do
  curl -s -m 2 -o /dev/null http://198.18.0.10/; ping -c 2 -i 0.3 -W 1 198.18.0.10 >/dev/null
  echo hello | socat -t 1 - UDP4:198.18.0.10:7 >/dev/null; sleep 0.$((RANDOM%9+1)); done'
CL=$BG_PID
attack() { # LABEL COMMAND
  nap 3
  lab_run a 30 bash -c "$2" >/dev/null 2>&1
  log "ran $1 ($(echo "$RUN_E - $RUN_S" | bc) s): $2"
  lab_episode "$W/episodes" 198.18.0.66 "$1" "$RUN_S" "$(plus "$RUN_E" 2)" "$2"
}
cat >"$W/attacks" <<'EOF'
scan-connect nmap -n -sT -T4 --top-ports 300 -Pn 198.18.0.10
scan-fin nmap -n -sF -T4 -p 1-500 -Pn 198.18.0.10
scan-udp nmap -n -sU -T4 --top-ports 40 -Pn 198.18.0.10
flood-syn hping3 -q -S -p 80 -i u400 -c 1500 198.18.0.10
EOF
: >"$W/episodes"
lab_lines "$W/attacks" attack
lab_labels "$LBL" "$(basename "$OUT")" "$W/episodes" 198.18.0.66
nap 3
kill "$CL" 2>/dev/null; nap 1
lab_capture_stop
