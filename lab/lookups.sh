#!/usr/bin/env bash
# lookups.sh OUT.pcap PLAN_FILE -- many names looked up at once as normal traffic, and DNS query
# floods (session 24, helper h4). A host that resolves many names within seconds (a mail server
# checking blocklists, a log analyser resolving its clients' addresses, a crawler) asks its
# resolver with glibc's getaddrinfo/getnameinfo: a socket of its own per name, the A and AAAA
# questions together, or one PTR question (lab/lookups.py burst). The floods that look like it:
# hping3 --udp -p 53 junk, nping valid queries from one port, and a random-subdomain ("water
# torture") flood from a new source port per query (lab/lookups.py torture).
#   198.18.0.0/24 on one bridge, no route out (checked): resolver .53 (lab/dnsd.py: the zone
#   w0-w39.lab answered, every other name NXDOMAIN), lookup host .20 (and .21 on the same
#   namespace), attacker .66.
# PLAN_FILE lines "LABEL COMMAND", run one after another GAP (6) seconds apart after WARM (3):
# LABEL "lookup" runs COMMAND in the lookup host's namespace (normal traffic, not labelled); any
# other label runs it in the attacker's namespace under timeout TMO (60) and labels it (src .66).
# COMMAND may use $LK (python3 lab/lookups.py). tcpdump -s 96 on the bridge. Writes OUT.pcap,
# OUT.labels.json and the tools' output in OUT.tool.log. Needs root, hping3, nping (nmap),
# tcpdump. Every process under timeout and recorded; teardown deletes the namespaces.
set -u
OUT=$1; PLAN=$2; LBL=${OUT%.pcap}.labels.json; TL=${OUT%.pcap}.tool.log
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
ensure_tools hping3:hping3 nping:nmap tcpdump:tcpdump bc:bc
[ -r "$PLAN" ] || die "no plan file $PLAN"
lab_begin "${PREFIX:-s24lk$$}"
lab_tmpdir /tmp/nj-lookups.XXXXXX; L=$LAB_TMPDIR
lab_switch b
lab_hosts 198.18.0.0/24 res:53 c:20 a:66
ns c ip addr add 198.18.0.21/24 dev "$(lab_leg c 198.18.0.20)"
lab_check_routes
D=${BOUND:-900}
ZONE=$(seq -s, -f 'w%g.lab=198.18.0.10' 0 39)
bg res "$D" "$PY" "$LAB_DIR/dnsd.py" --zone "$ZONE" --duration "$D" >/dev/null 2>&1
sleep 1
lab_capture b "$D" br0 "$OUT" -s 96
sleep 1
: >"$TL"
nap "${WARM:-3}"
step() { # LABEL COMMAND
    local h=a
    [ "$1" = lookup ] && h=c
    lab_run "$h" "${TMO:-60}" env LK="$PY $LAB_DIR/lookups.py" bash -c "$2" >>"$TL" 2>&1
    log "ran $1 rc=$RUN_RC ($(echo "$RUN_E - $RUN_S" | bc) s): $2"
    [ "$1" = lookup ] || lab_episode "$L/episodes" 198.18.0.66 "$1" "$RUN_S" "$(plus "$RUN_E" 2)" "$2"
    nap "${GAP:-6}"
}
: >"$L/episodes"
lab_lines "$PLAN" step
lab_labels "$LBL" "$(basename "$OUT")" "$L/episodes" 198.18.0.66
lab_capture_stop
