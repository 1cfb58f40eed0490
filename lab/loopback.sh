#!/usr/bin/env bash
# loopback.sh OUT.pcap [ATTACKS_FILE] -- attacks captured on a host's loopback interface: the
# capture a user makes when they scan or flood their own machine (`nmap 127.0.0.1`,
# `tcpdump -i lo`), where the attacker and the victim are one address. (session 23)
#   One namespace, no other interface: only its own `lo`, so nothing can leave it. Services on
#   127.0.0.1: HTTP (python3 http.server, 8080), TCP echo (socat, 7 and 22), UDP echo (socat, 7).
#   Normal traffic on another loopback address, 127.0.0.5, so that it cannot be mistaken for the
#   attacks: a client fetching pages from an HTTP server on 127.0.0.5:8081 every 0.3 s, an echo
#   conversation over TCP every 2 s, UDP echo every 0.5 s and a ping a second.
#   Attacks from 127.0.0.1 to 127.0.0.1, one per line of ATTACKS_FILE ("LABEL COMMAND"; default
#   lab/loopback.attacks), each under `timeout 90`, 3 s apart; every command bounded by its own
#   count (a port range, -c); an attack with --rand-source is labelled "spoofed".
# tcpdump -i lo -s 96 (link type Ethernet: Linux gives lo zero hardware addresses). Writes
# OUT.pcap and OUT.labels.json (attacker 127.0.0.1, an episode per attack). Needs root, nmap,
# hping3, socat, curl, tcpdump (installed when missing). Every process under timeout and
# recorded; teardown deletes the namespace (lib.sh, netlab.sh).
set -u
OUT=$1; HERE="$(cd "$(dirname "$0")" && pwd)"; ATK=${2:-$HERE/loopback.attacks}
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
[ -f "$ATK" ] || die "no attacks file $ATK"
ensure_tools socat:socat curl:curl
lab_begin "${PREFIX:-s23lo$$}"
_lab_netns h
[ "$(ns h ip -o link show | grep -vc ': lo:')" = 0 ] || die "the namespace has an interface other than lo"
D=600
bg h $D python3 -m http.server 8080 --bind 127.0.0.1 >/dev/null 2>&1
bg h $D python3 -m http.server 8081 --bind 127.0.0.5 >/dev/null 2>&1
bg h $D socat TCP4-LISTEN:7,bind=127.0.0.1,fork,reuseaddr EXEC:cat >/dev/null 2>&1
bg h $D socat TCP4-LISTEN:22,bind=127.0.0.1,fork,reuseaddr EXEC:cat >/dev/null 2>&1
bg h $D socat UDP4-RECVFROM:7,bind=127.0.0.1,fork EXEC:cat >/dev/null 2>&1
bg h $D socat TCP4-LISTEN:7,bind=127.0.0.5,fork,reuseaddr EXEC:cat >/dev/null 2>&1
bg h $D socat UDP4-RECVFROM:7,bind=127.0.0.5,fork EXEC:cat >/dev/null 2>&1
sleep 1
lab_capture h $D lo "$OUT" -s 96
sleep 1
# shellcheck disable=SC2016 # expanded by the loops' own bash
bg h $D bash -c 'while :; do curl -s -m 2 -o /dev/null --interface 127.0.0.5 http://127.0.0.5:8081/; sleep 0.3; done'
# shellcheck disable=SC2016
bg h $D bash -c 'while :; do echo "hello $RANDOM" | timeout 2 socat - TCP4:127.0.0.5:7,bind=127.0.0.5 >/dev/null; sleep 2; done'
# shellcheck disable=SC2016
bg h $D bash -c 'while :; do echo "ping $RANDOM" | timeout 1 socat - UDP4:127.0.0.5:7,bind=127.0.0.5 >/dev/null; sleep 0.5; done'
bg h $D ping -q -i 1 -I 127.0.0.5 127.0.0.5 >/dev/null 2>&1
sleep 5
: >"$OUT.episodes"
attack() { # LABEL COMMAND
    lab_run h 90 bash -c "$2" >/dev/null 2>&1
    log "$1 ($RUN_RC): $2"
    local spoofed=""
    # random source addresses (hping3 --rand-source): the flood is its victim's alert
    [[ $2 == *--rand-source* ]] && spoofed='"spoofed": true'
    lab_episode "$OUT.episodes" 127.0.0.1 "$1" "$RUN_S" "$RUN_E" "$2" "$spoofed"
    sleep 3
}
lab_lines "$ATK" attack
sleep 3
lab_capture_stop
lab_labels "${OUT%.pcap}.labels.json" "$(basename "$OUT")" "$OUT.episodes" 127.0.0.1
rm -f "$OUT.episodes"
