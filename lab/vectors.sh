#!/usr/bin/env bash
# vectors.sh OUT.pcap PLAN_FILE -- a multi-vector DDoS: one victim flooded from random (spoofed)
# source addresses by several kinds of flood in turn, as booter services and DDoS campaigns
# switch vectors every few seconds (SYN, then UDP, then ICMP, then ACK, then Xmas, back to SYN),
# among normal clients. (session 24, helper h1)
#   198.18.0.0/24 on one bridge, no route out (checked): victim .10 (lab/services.py: HTTP on 80,
#   TCP and UDP echo on 7, NTP-like UDP on 123), normal clients .20 .21 (lab/client.py: HTTP,
#   echo, ping, NTP, the whole run), attacker .66.
# PLAN_FILE lines "LABEL GAP HPING3_OPTIONS": after GAP seconds (0 allowed, decimals too), the
# attacker runs `hping3 -q --rand-source HPING3_OPTIONS 198.18.0.10` under timeout ${TMO:-30};
# the options must bound it with -c (checked). Every vector is an episode of its own, labelled
# LABEL, "spoofed": true (its packets carry random source addresses: a victim alert covers it,
# lab/episodes.py), its command prefixed with its number in the plan ("vector 3: ...") so that
# two vectors with the same options stay two attacks. Blank lines and # comments are skipped.
# Env: SEED (the clients' seed, default 1), WARM (seconds of normal traffic first, default 8),
# TAIL (after the last vector, default 8).
# tcpdump -s 96 on the bridge (OUT.pcap); OUT.labels.json; the vectors' log in OUT.tool.log.
# Safety (lab/README.md): namespaces s24h1<PID>-* (or $PREFIX) of this script only, deleted on
# exit; every address in 198.18.0.0/15 but the forged sources, which exist only as the source
# field of the attacker's packets on the lab's bridge: no namespace has a default route
# (checked), so the victim's answers to them have no route and are dropped where they are made;
# every hping3 bounded by -c and timeout, the clients and the capture by timeout.
set -u
OUT=$1
PLAN=$2
LBL=${OUT%.pcap}.labels.json
SEED=${SEED:-1}
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
need_root
case "$SEED" in '' | *[!0-9]*) die "SEED must be a number" ;; esac
ensure_tools hping3:hping3
VICTIM=198.18.0.10
DUR=${DUR:-300}
lab_begin "${PREFIX:-s24h1$$}"
lab_tmpdir /tmp/nj-vectors.XXXXXX
EPS=$LAB_TMPDIR/episodes
: >"$EPS"
lab_switch b
lab_hosts 198.18.0.0/24 v:10 c0:20 c1:21 a:66
lab_check_routes
T=$((DUR + 60))
bg v "$T" "$PY" "$LAB_DIR/services.py" --duration "$T" --no-ssh >/dev/null 2>&1
sleep 2
lab_capture b "$T" br0 "$OUT" -s 96
sleep 1
for c in 0 1; do
    bg "c$c" "$T" "$PY" "$LAB_DIR/client.py" --seed $((SEED * 10 + c)) --duration "$DUR" \
        --mean-think 1 --kinds http,http_multi,echo_tcp,echo_udp,ping,ntp >/dev/null 2>&1
done
nap "${WARM:-8}"
n=0
vector() { # LABEL "GAP OPTIONS..."
    local gap=${2%% *} opts=${2#* } spoofed='"spoofed": true'
    [[ $gap =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "bad gap in: $1 $2"
    [[ " $opts " == *" -c "* ]] || die "a vector must be bounded by -c: $1 $2"
    n=$((n + 1))
    nap "$gap"
    # shellcheck disable=SC2086 # the options are words
    lab_run a "${TMO:-30}" hping3 -q --rand-source $opts "$VICTIM" >>"${OUT%.pcap}.tool.log" 2>&1
    log "vector $n ($1) rc=$RUN_RC ($(echo "$RUN_E - $RUN_S" | bc) s): hping3 -q --rand-source $opts"
    lab_episode "$EPS" 198.18.0.66 "$1" "$RUN_S" "$(plus "$RUN_E" 1)" \
        "vector $n: hping3 -q --rand-source $opts $VICTIM" "$spoofed"
}
lab_lines "$PLAN" vector
lab_labels "$LBL" "$(basename "$OUT")" "$EPS" 198.18.0.66
nap "${TAIL:-8}"
lab_capture_stop
