#!/usr/bin/env bash
# uploads.sh OUT.pcap [ATTACKS_FILE] -- HTTPS uploads after an idle spell (normal) beside real
# floods. The pattern of nDPI's tests/pcap/whatsappfiles.pcap, whose one HTTPS upload the
# networks flagged and named an ICMP flood (session 25, helper h2): a client opens a TLS
# connection, exchanges a little, stays idle, then uploads a file at full speed on it.
#   198.18.0.0/24, no route out (checked): two bridges joined by lab/wanlink.py (a user-space
#   link delaying each frame DELAY/2 ms each way: DELAY ms of round trip, default 80, as the
#   capture's), client .20 and attacker .66 on one (captured), server .10 on the other:
#   server .10 (lab/upload.py serve: HTTP/1.1
#   over TLS on 443, a self-signed certificate made at start), client .20 (lab/upload.py client:
#   UPLOADS connections one after another, each a GET, IDLE s idle (default 24), then a POST of
#   SIZE bytes (default 600000) of random data; RCVBUF > 0 sets its SO_RCVBUF; net.ipv4.tcp_ecn
#   set to ECN (default 1: ECN asked for, as the macOS client's [SEW] SYN); with CLIENT=openssl
#   the same connections are made by `openssl s_client` fed the requests on its stdin instead),
#   attacker .66.
#   Offloads off everywhere, so the capture sees MTU-sized segments.
# ATTACKS_FILE lines "LABEL COMMAND" (default lab/uploads.attacks): run in the attacker's
# namespace under timeout 60, GAP s apart (default 6), while the client uploads; each must be
# bounded by its own count (hping3 -c). tcpdump -s 128 on the bridge (OUT.pcap, OUT.labels.json).
# Needs root, iproute2, ethtool, bc, tcpdump, openssl, python3, hping3. Every process under
# timeout and recorded; teardown deletes the script's namespaces (lib.sh, netlab.sh).
set -u
OUT=$1; LBL=${OUT%.pcap}.labels.json; TOOLS=${OUT%.pcap}.tool.log
HERE=$(cd "$(dirname "$0")" && pwd)
ATTACKS=${2:-$HERE/uploads.attacks}
UPLOADS=${UPLOADS:-6}; IDLE=${IDLE:-24}; SIZE=${SIZE:-600000}; RCVBUF=${RCVBUF:-0}
ECN=${ECN:-1}; DELAY=${DELAY:-80}; GAP=${GAP:-6}; CLIENT=${CLIENT:-python}
# shellcheck source=lab/lib.sh
source "$HERE/lib.sh"
case "$UPLOADS$IDLE$SIZE$RCVBUF$ECN$DELAY$GAP" in *[!0-9.]*) die "UPLOADS IDLE SIZE RCVBUF ECN DELAY GAP: numbers" ;; esac
case "$CLIENT" in python | openssl) ;; *) die "CLIENT: python or openssl" ;; esac
ensure_tools hping3:hping3 openssl:openssl bc:bc
lab_begin "${PREFIX:-s25u$$}"
lab_tmpdir /tmp/nj-uploads.XXXXXX; L=$LAB_TMPDIR; chmod 755 "$L"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=uploads.lab.example \
    -keyout "$L/key.pem" -out "$L/cert.pem" >/dev/null 2>&1 || die "openssl req"
lab_switch sa
lab_hosts 198.18.0.0/24 c:20 a:66
lab_host -i wa wan -
lab_switch sv
lab_host -i wb wan -
lab_hosts 198.18.0.0/24 v:10
# MTU-sized segments on the wire (no TSO/GSO super-segments; wanlink copies frames as they are)
for n in "${LAB_NS[@]}"; do
    for i in $(ip -n "$n" -o link show | awk -F': ' '{ print $2 }' | cut -d@ -f1 | grep -v '^lo$'); do
        ip netns exec "$n" ethtool -K "$i" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
    done
done
lab_check_routes
: >"$TOOLS"
ns c sysctl -qw net.ipv4.tcp_ecn="$ECN" || die "tcp_ecn"
D=$((UPLOADS * (IDLE + 20) + 120))
bg wan "$D" "$PY" "$HERE/wanlink.py" wa wb --delay "$(echo "$DELAY / 2" | bc -l)" --seconds $((D - 10)) 2>>"$TOOLS"
bg v "$D" "$PY" "$HERE/upload.py" serve 198.18.0.10 443 "$L/cert.pem" "$L/key.pem" >/dev/null 2>&1
sleep 1
lab_capture sa "$D" br0 "$OUT" -s 128
sleep 1
if [ "$CLIENT" = openssl ]; then
    # the same connections from openssl s_client: its stdin is the GET, the idle spell, the POST
    # shellcheck disable=SC2016 # expanded by the client's own bash
    bg c "$D" bash -c 'for _ in $(seq "$1"); do
        { printf "GET / HTTP/1.1\r\nHost: uploads.lab.example\r\n\r\n"; sleep "$2"
          printf "POST /upload HTTP/1.1\r\nHost: uploads.lab.example\r\nContent-Length: %s\r\n\r\n" "$3"
          head -c "$3" /dev/urandom; sleep 3; } | timeout $(($2 + 60)) openssl s_client -quiet -no_ign_eof -connect 198.18.0.10:443
        sleep 1; done' uploads "$UPLOADS" "$IDLE" "$SIZE" >>"$TOOLS" 2>&1
else
    bg c "$D" "$PY" "$HERE/upload.py" client 198.18.0.10 443 "$UPLOADS" "$IDLE" "$SIZE" "$RCVBUF" >>"$TOOLS" 2>&1
fi
CL=$BG_PID
nap 4
attack() { # LABEL COMMAND
    nap "$GAP"
    lab_run a 60 bash -c "$2" >>"$TOOLS" 2>&1
    log "ran $1 rc=$RUN_RC at $RUN_S: $2"
    lab_episode "$L/episodes" 198.18.0.66 "$1" "$RUN_S" "$(plus "$RUN_E" 2)" "$2"
}
: >"$L/episodes"
lab_lines "$ATTACKS" attack
wait "$CL"
log "uploads done (rc $?): $(grep -c stored "$TOOLS") stored"
sleep 2
lab_capture_stop
lab_labels "$LBL" "$(basename "$OUT")" "$L/episodes" 198.18.0.66
