#!/usr/bin/env bash
# lab/tunnels.sh OUT.pcap -- attacks and normal traffic seen from the underlay of a VXLAN overlay,
# the way a cloud mirror session (AWS VPC Traffic Mirroring, Azure/GCP packet mirroring) or a
# capture between container hosts delivers them: every frame of the overlay inside VXLAN (RFC
# 7348, UDP port 4789) from one tunnel end to the other (crates/packet/src/tunnel.rs). Run as
# root. Writes OUT.pcap (tcpdump -i br0 -s 160 on the underlay bridge: the Linux kernel's own
# VXLAN encapsulation), OUT.inner.pcap (tcpdump -i vx0 -s 110 on the victim's tunnel device at
# the same time: each overlay frame as it is, the reference) and OUT.labels.json (attacker
# 198.18.21.66, one episode per attack).
#
# Underlay: one bridge, tunnel ends 198.18.20.1 and 198.18.20.2 (no route out). Overlay
# 198.18.21.0/24 over VXLAN id 42: the victim .10 (python3 http.server on 80, socat UDP echo on
# 7) behind 198.18.20.2; the client .20 (an HTTP fetch, two pings and a UDP echo exchange every
# 0.2-1 s) and the attacker .66 behind 198.18.20.1. IPv6 off. The attacks, one after another
# with 3 s between them, each bounded by `timeout 30`: nmap -sS and -sX of 200 ports and an
# hping3 SYN flood of 1,000 SYNs (2,000 a second). VXLAN_PORT=8472 (environment) puts the
# overlay on the Linux kernel's default port, as flannel does, instead of IANA's 4789.
# shellcheck disable=SC2016 # the client loops in single quotes are expanded by their own bash
set -u
OUT=$1; LBL=${OUT%.pcap}.labels.json
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
lab_begin "tun$$"
lab_tmpdir /tmp/njtun.XXXXXX; W=$LAB_TMPDIR
lab_switch b
# the tunnel ends x (198.18.20.1) and y (.2), each with a VXLAN device vx0 to the other
for h in x:1:2 y:2:1; do IFS=: read -r n me peer <<<"$h"
  lab_host "$n" "198.18.20.$me/24"
  ns "$n" ip link add vx0 type vxlan id 42 local "198.18.20.$me" remote "198.18.20.$peer" dstport "${VXLAN_PORT:-4789}" dev "$LAB_IF"
  ns "$n" ip link set vx0 up
done
# the attacker's address first: it is the primary one, which nmap and hping3 send from
ns x ip addr add 198.18.21.66/24 dev vx0
ns x ip addr add 198.18.21.20/24 dev vx0
ns y ip addr add 198.18.21.10/24 dev vx0
lab_check_routes
bg y 120 python3 -m http.server 80 --bind 198.18.21.10 >/dev/null 2>&1
bg y 120 socat UDP4-RECVFROM:7,fork EXEC:cat >/dev/null 2>&1
sleep 1
lab_capture b 120 br0 "$OUT" -s 160
lab_capture y 120 vx0 "${OUT%.pcap}.inner.pcap" -s 110
sleep 1
bg x 90 bash -c 'while :; do
  curl -s -m 2 --interface 198.18.21.20 -o /dev/null http://198.18.21.10/
  ping -c 2 -i 0.3 -W 1 -I 198.18.21.20 198.18.21.10 >/dev/null
  echo hello | socat -t 1 - UDP4:198.18.21.10:7,bind=198.18.21.20 >/dev/null
  sleep 0.$((RANDOM%9+1)); done'
CL=$BG_PID
attack() { # LABEL COMMAND
  nap 3
  lab_run x 30 bash -c "$2" >/dev/null 2>&1
  log "ran $1 ($(echo "$RUN_E - $RUN_S" | bc) s): $2"
  lab_episode "$W/episodes" 198.18.21.66 "$1" "$RUN_S" "$(plus "$RUN_E" 2)" "$2"
}
cat >"$W/attacks" <<'EOF'
scan-syn nmap -n -sS -T4 -p 1-200 -Pn 198.18.21.10
scan-xmas nmap -n -sX -T4 -p 1-200 -Pn 198.18.21.10
flood-syn hping3 -S -p 80 -i u500 -c 1000 198.18.21.10
EOF
: >"$W/episodes"
lab_lines "$W/attacks" attack
lab_labels "$LBL" "$(basename "$OUT")" "$W/episodes" 198.18.21.66
nap 5
kill "$CL" 2>/dev/null; wait "$CL" 2>/dev/null
nap 1
lab_capture_stop INT
