# shellcheck shell=bash
# Nightjar capture lab: shared helpers. Sourced by run.sh, smoke.sh and every standalone lab
# script (their building blocks are in netlab.sh, sourced below); not run on its own.
#
# Safety rules enforced here (DESIGN §8 and the lab README):
#   * every host lives in a network namespace this script creates; the bridge lives in its own
#     "switch" namespace; nothing is attached to the host's own interfaces;
#   * addresses only in 198.18.0.0/15 (RFC 2544 benchmarking space); no default route, so
#     nothing can leave the lab; IPv6 is disabled in every namespace;
#   * every process we start is recorded by PID, bounded by `timeout`, and ended by PID on exit;
#   * teardown (trap on EXIT/INT/TERM) kills our PIDs, then any process left inside OUR
#     namespaces (listed with `ip netns pids`), then deletes the namespaces.

# shellcheck disable=SC2034 # used by the scripts that source this file
LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAB_NET_PREFIX=15
SINK_MAC=02:18:00:00:00:fe
PY=/usr/bin/python3
[ -x "$PY" ] || PY="$(command -v python3)"

LAB_PREFIX=""
LAB_NS=()
LAB_PIDS=()

log() { printf '[lab %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

need_root() { [ "$(id -u)" -eq 0 ] || die "run as root (network namespaces need CAP_NET_ADMIN)"; }

# Install the tools the lab needs, only when something is missing; extra commands to check
# (a scenario's own tools: masscan, ping) may be given as "command:package".
ensure_tools() {
    local missing=() extra
    for extra in "$@"; do
        command -v "${extra%%:*}" >/dev/null || missing+=("${extra#*:}")
    done
    command -v ip >/dev/null || missing+=(iproute2)
    command -v nmap >/dev/null || missing+=(nmap)
    command -v hping3 >/dev/null || missing+=(hping3)
    command -v tcpdump >/dev/null || missing+=(tcpdump)
    command -v ethtool >/dev/null || missing+=(ethtool)
    command -v timeout >/dev/null || missing+=(coreutils)
    [ -x "$PY" ] || missing+=(python3)
    if [ "${#missing[@]}" -gt 0 ]; then
        log "installing: ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
        [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
    fi
}

tool_versions() {
    printf 'nmap: %s\n' "$(nmap --version | head -1)"
    printf 'hping3: %s\n' "$(hping3 --version 2>&1 | head -1)"
    printf 'tcpdump: %s\n' "$(tcpdump --version 2>&1 | head -1)"
    printf 'libpcap: %s\n' "$(tcpdump --version 2>&1 | sed -n 2p)"
    printf 'python: %s\n' "$("$PY" --version 2>&1)"
    printf 'iproute2: %s\n' "$(ip -V 2>&1)"
    printf 'kernel: %s\n' "$(uname -sr)"
}

# ns HOST CMD... : run CMD inside the lab namespace of HOST.
ns() { local h="$1"; shift; ip netns exec "$LAB_PREFIX-$h" "$@"; }

# bg HOST SECONDS CMD... : start CMD in HOST's namespace in the background, bounded by timeout.
# The PID is recorded for teardown and returned in BG_PID.
bg() {
    local h="$1" secs="$2"; shift 2
    ip netns exec "$LAB_PREFIX-$h" timeout --kill-after=5 "$secs" "$@" </dev/null &
    BG_PID=$!
    LAB_PIDS+=("$BG_PID")
}

# add_host NAME LAST_OCTET : a namespace with eth0 = 198.18.0.LAST_OCTET/15 plugged into the bridge.
add_host() {
    local name="$1" octet="$2" nsname="$LAB_PREFIX-$1"
    ip netns add "$nsname"
    LAB_NS+=("$nsname")
    ip netns exec "$nsname" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$LAB_PREFIX-sw" link add "p-$name" type veth peer name eth0 netns "$nsname"
    ip -n "$nsname" link set eth0 address "$(printf '02:18:00:00:00:%02x' "$octet")"
    ip -n "$LAB_PREFIX-sw" link set "p-$name" master br0
    # Real MTU-sized frames on the wire: no TSO/GSO/GRO super-packets on the veth pairs.
    ip netns exec "$nsname" ethtool -K eth0 tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
    ip netns exec "$LAB_PREFIX-sw" ethtool -K "p-$name" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
    ip -n "$LAB_PREFIX-sw" link set "p-$name" up
    ip -n "$nsname" link set lo up
    if [ "$octet" != 0 ]; then
        ip -n "$nsname" addr add "198.18.0.$octet/$LAB_NET_PREFIX" dev eth0
    fi
    ip -n "$nsname" link set eth0 up
    # A route out must not exist. Fail closed if one does.
    if ip -n "$nsname" route show default | grep -q .; then die "default route in $nsname"; fi
}

# lab_up NCLIENTS NATTACKERS [NSERVERS [DNS]] : switch + victim (.10) + extra servers s0.. (.11..,
# busy runs only) + a DNS host "dns" (.53, when DNS is 1) + clients (.20..) + attackers (.66..)
# + sink. With NSERVERS 0 and no DNS (the default) the lab is exactly what it always was.
lab_up() {
    local nclients="$1" nattackers="$2" nservers="${3:-0}" dns="${4:-0}" i
    lab_begin "${LAB_NS_PREFIX:-njlab}$$"   # LAB_NS_PREFIX: a run's own prefix (parallel runs)
    ip netns add "$LAB_PREFIX-sw"
    LAB_NS+=("$LAB_PREFIX-sw")
    ip netns exec "$LAB_PREFIX-sw" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$LAB_PREFIX-sw" link add br0 type bridge stp_state 0 forward_delay 0
    ip -n "$LAB_PREFIX-sw" link set br0 up
    add_host victim 10
    for ((i = 0; i < nservers; i++)); do add_host "s$i" $((11 + i)); done
    if [ "$dns" = 1 ]; then add_host dns 53; fi
    for ((i = 0; i < nclients; i++)); do add_host "c$i" $((20 + i)); done
    for ((i = 0; i < nattackers; i++)); do add_host "a$i" $((66 + i)); done
    # The sink stands for the upstream router: it has no address and drops everything. Replies
    # to spoofed sources are sent to its MAC (permanent neighbour entries on the victim), so they
    # appear on the bridge as they would on a real LAN, and go nowhere.
    add_host sink 0
    ip -n "$LAB_PREFIX-sink" link set eth0 address "$SINK_MAC"
    sleep 1
    log "lab up: prefix $LAB_PREFIX, namespaces: ${LAB_NS[*]}"
}

# Route replies for the spoofed addresses to the sink (victim side only).
spoof_neigh() {
    local ip
    for ip in "$@"; do
        case "$ip" in 198.18.* | 198.19.*) ;; *) die "spoofed address $ip outside 198.18.0.0/15" ;; esac
        ip -n "$LAB_PREFIX-victim" neigh replace "$ip" lladdr "$SINK_MAC" nud permanent dev eth0
    done
}

# lab_down [RC]: tear everything down and exit with RC (default: the status that triggered it).
lab_down() {
    local rc=$? pid n p
    set +e
    [ $# -gt 0 ] && rc="$1"
    trap - EXIT INT TERM
    [ -n "${NAP_PID:-}" ] && kill "$NAP_PID" 2>/dev/null
    for pid in "${LAB_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    sleep 0.5
    for pid in "${LAB_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    # Anything still running inside our own namespaces was started by this script.
    for n in "${LAB_NS[@]}"; do
        for p in $(ip netns pids "$n" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    done
    for n in "${LAB_NS[@]}"; do ip netns del "$n" 2>/dev/null; done
    [ "${#LAB_NS[@]}" -gt 0 ] && log "lab down (${#LAB_NS[@]} namespaces removed)"
    for n in "${LAB_TMP[@]}"; do rm -rf "$n"; done
    LAB_NS=()
    LAB_PIDS=()
    exit "$rc"
}

# run_args NAME SEED HELP_LINES ARGS... : the arguments of a standalone run, `--name NAME --seed
# S [--out DIR]` (defaults: the first two arguments, and data/captures), into NAME, SEED and OUT
# (made, and absolute); `-h`/`--help` prints the script's header lines HELP_LINES (e.g. 2,22)
# and exits. Needs root.
run_args() {
    NAME="$1" SEED="$2"
    local help="$3"
    shift 3
    OUT="$LAB_DIR/../data/captures"
    while [ $# -gt 0 ]; do
        case "$1" in
            --name) NAME="$2"; shift 2 ;;
            --seed) SEED="$2"; shift 2 ;;
            --out) OUT="$2"; shift 2 ;;
            -h | --help) sed -n "${help}p" "$0"; exit 0 ;;
            *) die "unknown argument $1 (see --help)" ;;
        esac
    done
    case "$SEED" in '' | *[!0-9]*) die "--seed must be a number" ;; esac
    need_root
    mkdir -p "$OUT"
    OUT="$(cd "$OUT" && pwd)"
}

now() { date +%s.%N; }

# nap SECONDS: a sleep that a signal interrupts at once (a foreground sleep would delay the trap).
nap() {
    sleep "$1" &
    NAP_PID=$!
    wait "$NAP_PID" || true
    NAP_PID=""
}

# shellcheck source=lab/netlab.sh
source "$LAB_DIR/netlab.sh"
