#!/usr/bin/env bash
# iot.sh OUT.pcap CMDS_FILE [SEED] -- attacks of the Kitsune dataset's kind (Mirsky et al., NDSS
# 2018: OS scan, SSDP flood, SSL renegotiation, Mirai's telnet scan, fuzzing) and floods and scans
# made by packet crafters (mausezahn, packit, sendip) on a small IoT/camera LAN. (session 18)
# Tools (Debian packages): iproute2 tcpdump socat openssl python3 python3-scapy nmap
# netsniff-ng (mausezahn) packit sendip; the commands that need them are the ones in CMDS_FILE.
#   198.18.0.0/24 (bridge br0): gateway .1 (no forwarding: what it gets for 198.18.1.0/24, an empty
#   neighbouring /24, ends there), cameras .11 and .12 (HTTP 80, telnet-like login on 23, .12 also
#   on 2323, SSDP 1900, each an RTP stream of ~1000-byte datagrams to the recorder .30:5004/5006),
#   smart TV .13 (HTTP 80, SSDP), hub .14 (HTTPS 443 that lets clients renegotiate, telnet 23, SSDP),
#   laptop .20 and recorder .30 (normal clients: HTTP fetches from the devices every 0.5-3 s, an
#   SSDP M-SEARCH to 239.255.255.250 every 20-60 s, .20 also a TLS session to the hub every 2-6 s),
#   attacker .66 (route to 198.18.1.0/24 via .1). No default route (checked).
# tcpdump -s 200 on br0 (OUT.pcap). CMDS_FILE lines "LABEL COMMAND": run in the attacker namespace
# under timeout ${TMO:-60}, with $IF (its interface), $ME (198.18.0.66), $DEVS (the SSDP devices'
# addresses) and $HERE (lab/) in the environment; "LABEL@FORGED,REFLECTOR... COMMAND" labels the episode with those sources instead:
# the address forged on the attack's packets (marked "spoofed": true) and the hosts whose answers
# flood it (the SSDP flood); LABEL "normal" means not an attack. Each episode runs from the
# command's start to 2 s after it returned; "attackers" lists every source labelled.
# SSDP_LAN=1 (lab/ssdp.sh; session 19): 14 more UPnP devices (.101-.114, SSDP only), the SSDP
# ports that forged M-SEARCHes name open on their victims (the recorder .30 listens on 1900, the
# laptop .20 on 33333: answers are taken, no ICMP refusals), and a UPnP control point (phone .21,
# port 50000: three multicast M-SEARCHes, then a unicast one to each of the 18 devices, every
# 10-40 s), for the SSDP flood with the victim's port open and fuzzing.
# shellcheck disable=SC2016 # the client loops in single quotes are expanded by their own bash
set -u
OUT=$1; CMDS=$2; SEED=${3:-1}; LBL=${OUT%.pcap}.labels.json
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lab/lib.sh
source "$HERE/lib.sh"
PY=/usr/bin/python3   # Debian's, with python3-scapy
lab_begin "s18c$$"
lab_tmpdir /tmp/s18c.XXXXXX; L=$LAB_TMPDIR
RS="" PH=""
if [ "${SSDP_LAN:-0}" = 1 ]; then
  RS="r1:101 r2:102 r3:103 r4:104 r5:105 r6:106 r7:107 r8:108 r9:109 r10:110 r11:111 r12:112 r13:113 r14:114"
  PH=ph:21
fi
lab_switch b
for r in g:1 c1:11 c2:12 tv:13 hub:14 lap:20 $PH nvr:30 a:66 $RS; do
  h=${r%%:*}
  lab_host "$h" "198.18.0.${r##*:}/24"
  ns "$h" ip route add 224.0.0.0/4 dev "$LAB_IF"
  [ "$h" = a ] && { AIF=$LAB_IF; ns a ip route add 198.18.1.0/24 via 198.18.0.1; }
done
ns g sysctl -qw net.ipv4.ip_forward=0
lab_check_routes
D=$((${DUR:-600}+60))
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$L/k.pem" -out "$L/c.pem" -days 30 -subj /CN=hub.lab >/dev/null 2>&1
for h in c1:11 c2:12 tv:13; do
  bg "${h%%:*}" $D bash -c "cd $L && exec timeout $D python3 -m http.server 80 --bind 198.18.0.${h##*:}" >/dev/null 2>&1
done
for h in c1:11:23 c2:12:23 c2:12:2323 hub:14:23; do IFS=: read -r n a p <<< "$h"
  bg "$n" $D $PY "$HERE/iot.py" telnetd "198.18.0.$a" "$p" $D >/dev/null 2>&1
done
RR=""; for r in $RS; do RR="$RR ${r%%:*}:${r##*:}:Bulb${r##*:}"; done
for h in c1:11:IPCam c2:12:IPCam tv:13:SmartTV hub:14:Hub $RR; do IFS=: read -r n a m <<< "$h"
  bg "$n" $D $PY "$HERE/iot.py" ssdpd "198.18.0.$a" $D "$m" >/dev/null 2>&1
done
bg hub $D $PY "$HERE/iot.py" tlsd 198.18.0.14 443 $D "$L/c.pem" "$L/k.pem" >/dev/null 2>&1
bg nvr $D socat -u UDP4-RECVFROM:5004,fork /dev/null >/dev/null 2>&1
bg nvr $D socat -u UDP4-RECVFROM:5006,fork /dev/null >/dev/null 2>&1
sleep 2
lab_capture b $D br0 "$OUT" -s 200
sleep 1
bg c1 $D $PY "$HERE/iot.py" rtp 198.18.0.11 198.18.0.30 5004 "${PPS:-8}" "${DUR:-600}" >/dev/null 2>&1
bg c2 $D $PY "$HERE/iot.py" rtp 198.18.0.12 198.18.0.30 5006 "${PPS:-8}" "${DUR:-600}" >/dev/null 2>&1
bg lap $D $PY "$HERE/iot.py" client 198.18.0.20 "${DUR:-600}" "$SEED" 198.18.0.11 198.18.0.12 198.18.0.13 >/dev/null 2>&1
bg nvr $D $PY "$HERE/iot.py" client 198.18.0.30 "${DUR:-600}" $((SEED+1)) 198.18.0.11 198.18.0.12 >/dev/null 2>&1
bg lap $D bash -c 'end=$((SECONDS+${DUR:-600})); while [ $SECONDS -lt $end ]; do
  curl -sk --max-time 3 https://198.18.0.14/ >/dev/null; sleep $((RANDOM%5+2)); done' >/dev/null 2>&1
DEVS="198.18.0.11 198.18.0.12 198.18.0.13 198.18.0.14"; for r in $RS; do DEVS="$DEVS 198.18.0.${r##*:}"; done
if [ -n "$PH" ]; then
  # the ports the forged M-SEARCHes name, open: the answers are taken
  bg nvr $D $PY "$HERE/iot.py" udpsink 198.18.0.30 1900 $D >/dev/null 2>&1
  bg lap $D $PY "$HERE/iot.py" udpsink 198.18.0.20 33333 $D >/dev/null 2>&1
  # shellcheck disable=SC2086 # the devices, one argument each
  bg ph $D $PY "$HERE/iot.py" discover 198.18.0.21 50000 "${DUR:-600}" "$SEED" $DEVS >/dev/null 2>&1
fi
sleep "${WARM:-15}"
attack() { # LABEL COMMAND
  local label=$1 c=$2 srcs=198.18.0.66 sp="" src
  nap "${GAP:-8}"
  lab_run a "${TMO:-60}" env IF="$AIF" ME=198.18.0.66 HERE="$HERE" PY=$PY DEVS="$DEVS" bash -c "$c" >>"${OUT%.pcap}.tool.log" 2>&1
  log "ran $label rc=$RUN_RC ($(echo "$RUN_E - $RUN_S" | bc) s) at $RUN_S: $c"
  [ "$label" = normal ] && return
  [[ $label == *@* ]] && { srcs=${label#*@}; label=${label%%@*}; sp='"spoofed": true'; }
  for src in ${srcs//,/ }; do
    lab_episode "$L/episodes" "$src" "$label" "$RUN_S" "$(plus "$RUN_E" 2)" "$c" "$sp"
    sp=""
  done
}
: >"$L/episodes"
lab_lines "$CMDS" attack
# "attackers": every source labelled
lab_labels "$LBL" "$(basename "$OUT")" "$L/episodes" auto
nap "${TAIL:-10}"
lab_capture_stop
