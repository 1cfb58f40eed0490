#!/usr/bin/env bash
# pings.sh OUT.pcap PLAN_FILE -- a DNSCrypt client measuring its resolvers as normal traffic,
# beside UDP floods (session 25, helper h4). dnscrypt-proxy "pings" dozens of resolvers at once:
# to each, ~6 queries from fresh source ports within a millisecond, padded to 512 or 1532 bytes
# (over the MTU: the kernel fragments them), each answered (lab/pings.py; the pattern of nDPI's
# tests/pcap/dnscrypt-v1-and-resolver-pings.pcap). The floods: hping3 at one of the resolvers'
# ports (answered one for one), fragmented hping3 floods, a DNS query flood the lab's DNS server
# answers (lab/lookups.py torture against lab/dnsd.py).
#   198.18.0.0/24 on one bridge, no route out (checked): "resolvers" .100-.139 (one namespace,
#   lab/pings.py serve on 443, 1443 and 8443 of each) and DNS server .53 (lab/dnsd.py), client
#   .20, attacker .66.
# PLAN_FILE lines "LABEL COMMAND", run one after another GAP (6) seconds apart after WARM (3):
# LABEL "ping" runs COMMAND in the client's namespace (normal traffic, not labelled); any other
# label runs it in the attacker's namespace under timeout TMO (60) and labels it (src .66).
# COMMAND may use $PG (python3 lab/pings.py), $LK (python3 lab/lookups.py) and $RS (the
# resolvers' addresses, comma-separated). tcpdump -s 96 on the bridge. Writes OUT.pcap,
# OUT.labels.json and the tools' output in OUT.tool.log. Needs root, hping3, tcpdump. Every
# process under timeout and recorded; teardown deletes the namespaces.
set -u
OUT=$1; PLAN=$2; LBL=${OUT%.pcap}.labels.json; TL=${OUT%.pcap}.tool.log
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
ensure_tools hping3:hping3 tcpdump:tcpdump bc:bc
[ -r "$PLAN" ] || die "no plan file $PLAN"
lab_begin "${PREFIX:-s25pg$$}"
lab_tmpdir /tmp/nj-pings.XXXXXX; L=$LAB_TMPDIR
lab_switch b
lab_hosts 198.18.0.0/24 res:53 c:20 a:66
LEG=$(lab_leg res 198.18.0.53)
RS=$(seq -s, -f '198.18.0.%g' 100 139)
for r in ${RS//,/ }; do ns res ip addr add "$r/24" dev "$LEG"; done
lab_check_routes
D=${BOUND:-900}
ZONE=$(seq -s, -f 'w%g.lab=198.18.0.10' 0 39)
bg res "$D" "$PY" "$LAB_DIR/pings.py" serve --addrs "$RS" --duration "$D" >"$L/serve.log" 2>&1
bg res "$D" "$PY" "$LAB_DIR/dnsd.py" --zone "$ZONE" --duration "$D" >/dev/null 2>&1
sleep 1
lab_capture b "$D" br0 "$OUT" -s 96
sleep 1
: >"$TL"
nap "${WARM:-3}"
step() { # LABEL COMMAND
    local h=a
    [ "$1" = ping ] && h=c
    lab_run "$h" "${TMO:-60}" env PG="$PY $LAB_DIR/pings.py" LK="$PY $LAB_DIR/lookups.py" RS="$RS" bash -c "$2" >>"$TL" 2>&1
    log "ran $1 rc=$RUN_RC ($(echo "$RUN_E - $RUN_S" | bc) s): $2"
    [ "$1" = ping ] || lab_episode "$L/episodes" 198.18.0.66 "$1" "$RUN_S" "$(plus "$RUN_E" 2)" "$2"
    nap "${GAP:-6}"
}
: >"$L/episodes"
lab_lines "$PLAN" step
lab_labels "$LBL" "$(basename "$OUT")" "$L/episodes" 198.18.0.66
lab_capture_stop
