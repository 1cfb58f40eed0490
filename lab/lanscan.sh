#!/usr/bin/env bash
# lanscan.sh OUT.pcap CMDS_FILE -- scans of a LAN subnet from a host on that LAN, which begin
# with an ARP request for every address (nmap's own ARP host discovery, or the kernel's ARP for
# each probe's next hop), among a few live hosts. (session 21, helper h4)
# Tools (Debian packages): iproute2 tcpdump socat nmap nbtscan.
#   198.18.0.0/24 (bridge br0, no route out): servers .10 (SMTP-like banner on 25/tcp, DNS-like
#   echo on 53/udp and 53/tcp), .20 (53/udp, 53/tcp) and .30 (25/tcp), all three ping;
#   attacker .66; the rest of 198.18.0.0/26 is dead (its ARP requests go unanswered).
# CMDS_FILE lines "LABEL COMMAND": run in the attacker namespace under timeout ${TMO:-60}, ${GAP:-6} s
# apart. Every command must be bounded by its own count (a port list, a /26). tcpdump -s 96 on
# the bridge. Writes OUT.pcap, OUT.labels.json and the tools' output in OUT.tool.log.
set -u
OUT=$1; CMDS=$2; LBL=${OUT%.pcap}.labels.json
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
lab_begin "${PREFIX:-s21l$$}"
lab_tmpdir /tmp/nj-lanscan.XXXXXX; L=$LAB_TMPDIR
lab_switch b
lab_hosts 198.18.0.0/24 v:10 w:20 x:30 a:66
lab_check_routes
D=$((${DUR:-120} + 60))
bg v $D socat TCP4-LISTEN:25,fork,reuseaddr SYSTEM:'printf "220 mx.lab.example ESMTP\r\n"; timeout 3 cat' >/dev/null 2>&1
bg v $D socat UDP4-RECVFROM:53,fork EXEC:cat >/dev/null 2>&1
bg v $D socat TCP4-LISTEN:53,fork,reuseaddr EXEC:cat >/dev/null 2>&1
bg w $D socat UDP4-RECVFROM:53,fork EXEC:cat >/dev/null 2>&1
bg w $D socat TCP4-LISTEN:53,fork,reuseaddr EXEC:cat >/dev/null 2>&1
bg x $D socat TCP4-LISTEN:25,fork,reuseaddr SYSTEM:'printf "220 relay ESMTP\r\n"; timeout 3 cat' >/dev/null 2>&1
sleep 1
lab_capture b $D br0 "$OUT" -s 96
nap "${WARM:-3}"
attack() { # LABEL COMMAND
    lab_run a "${TMO:-60}" bash -c "$2" >>"${OUT%.pcap}.tool.log" 2>&1
    log "ran $1 rc=$RUN_RC ($(echo "$RUN_E - $RUN_S" | bc) s) at $RUN_S: $2"
    lab_episode "$L/episodes" 198.18.0.66 "$1" "$RUN_S" "$(plus "$RUN_E" 2)" "$2"
    nap "${GAP:-6}"
}
: >"$L/episodes"
lab_lines "$CMDS" attack
lab_labels "$LBL" "$(basename "$OUT")" "$L/episodes" 198.18.0.66
nap "${TAIL:-3}"
