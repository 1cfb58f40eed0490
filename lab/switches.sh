#!/usr/bin/env bash
# switches.sh OUT.pcap ATTACKS_FILE -- one attacker switching attacks against one victim, back to
# back (session 24, helper h2): a flood then a scan of the same host (or a scan then a flood, a
# small scan then a large one) within a second or two, as a pentester's script or a bot does.
# DESIGN §12: each attack is an episode of its own, with its own class.
#   198.18.0.0/24 (switch b, bridge br0, no route out): victim .10 (lab/services.py: HTTP 80,
#   echo 7, SSH-like 22, SMTP 25, NTP-like 123), normal client .20 (lab/client.py: HTTP, echo,
#   SSH-like banner, ping, NTP-like, ...), attacker .66. tcpdump -s ${SNAP:-96} on the bridge.
# ATTACKS_FILE lines "PAUSE LABEL COMMAND": wait PAUSE seconds after the attack before (0-2:
# back to back; 8 or more: the source's episode before has ended, its gap being 4 s), then run
# COMMAND in the attacker's namespace under timeout ${TMO:-60}. Each must be bounded by its own
# count (a port list, -c). Each attack is labelled from its start to its end plus LINGER (0.3)
# seconds (its last answers; less than the shortest pause, so that labels do not overlap).
# Environment: SEED (1: the client's), WARM (8) and TAIL (8) seconds of normal traffic before
# the first attack and after the last, SNAP, TMO, PREFIX (the namespaces' prefix).
# Writes OUT.pcap, OUT.labels.json and OUT.tool.log (the tools' output).
# Needs root, iproute2, tcpdump, nmap, hping3, python3.
set -u
OUT=$1; ATK=$2
LBL=${OUT%.pcap}.labels.json; LOG=${OUT%.pcap}.tool.log
SEED=${SEED:-1}; LINGER=${LINGER:-0.3}
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
case "$SEED$LINGER" in *[!0-9.]*) die "SEED and LINGER must be numbers" ;; esac
ensure_tools bc:bc
lab_begin "${PREFIX:-s24h2$$}"
lab_tmpdir /tmp/nj-switches.XXXXXX; L=$LAB_TMPDIR
D=$((${DUR:-300} + 60))
lab_switch b
lab_hosts 198.18.0.0/24 v:10 c:20 a:66
lab_check_routes
bg v "$D" "$PY" "$LAB_DIR/services.py" --duration "$D" >/dev/null 2>&1
nap 1
lab_capture b "$D" br0 "$OUT" -s "${SNAP:-96}"
nap 1
bg c "$D" "$PY" "$LAB_DIR/client.py" --seed $((SEED * 100)) --duration "$D" --mean-think 1 >/dev/null 2>&1
CL=$BG_PID
T0=$(now)
nap "${WARM:-8}"
attack() { # PAUSE "LABEL COMMAND"
    local label cmd
    read -r label cmd <<<"$2"
    case "$1" in *[!0-9.]*) die "pause '$1' is no number" ;; esac
    nap "$1"
    lab_run a "${TMO:-60}" bash -c "$cmd" >>"$LOG" 2>&1
    log "ran $label after ${1} s rc=$RUN_RC ($(echo "$RUN_E - $RUN_S" | bc) s): $cmd"
    lab_episode "$L/episodes" 198.18.0.66 "$label" "$RUN_S" "$(plus "$RUN_E" "$LINGER")" "$cmd" "\"pause\": $1"
}
: >"$L/episodes"
lab_lines "$ATK" attack
nap "${TAIL:-8}"
kill "$CL" 2>/dev/null
nap 1
T1=$(now)
lab_capture_stop
lab_labels "$LBL" "$(basename "$OUT")" "$L/episodes" 198.18.0.66 \
    "\"normal\": [{\"src\": \"198.18.0.20\", \"start\": $T0, \"end\": $T1}]"
log "wrote $OUT and $LBL"
