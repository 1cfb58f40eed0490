# shellcheck shell=bash
# Nightjar capture lab: the building blocks of the standalone lab scripts (anycapture.sh,
# arpspoof.sh, ... tunnels.sh; lib.sh's lab_up, which run.sh and reflection.sh use, starts with
# lab_begin too). Sourced by lib.sh (which defines ns, bg, nap, log, die and lab_down, used
# here); not run on its own.
#
# A script using them:
#   lab_begin PREFIX                     # names, teardown on EXIT/INT/TERM
#   lab_switch b                         # a switch namespace with bridge br0
#   lab_hosts 198.18.0.0/24 v:10 a:66    # hosts with a leg into it
#   lab_check_routes                     # no default route anywhere
#   bg v 600 python3 -m http.server ...  # services, clients: timeout + PID
#   lab_capture b 600 br0 OUT.pcap -s 96 # tcpdump on the bridge
#   lab_lines ATTACKS_FILE one_attack    # the "LABEL COMMAND" file; each: lab_run + lab_episode
#   lab_capture_stop; lab_labels OUT.labels.json ...
# The safety rules of lib.sh hold for every namespace made here: named PREFIX-NAME and recorded
# (teardown deletes exactly those), addresses checked to lie in 198.18.0.0/15 (IPv6: 2001:2::/48),
# no default route (lab_check_routes), every process under `timeout` and recorded by PID.

# shellcheck disable=SC2034 # LAB_IF and the RUN_* values are read by the scripts
LAB_NIF=0        # veth legs made so far: leg N is e<N> in its host (unless named), p<N> on the switch
LAB_CAPS=()      # tcpdump PIDs (lab_capture)
LAB_TMP=()       # scratch directories, removed at teardown (lab_tmpdir)
LAB_SW=""        # the switch namespace and bridge new legs plug into (lab_switch)
LAB_BR=""
declare -A LAB_MADE=()

# lab_begin PREFIX : this run's namespaces will be PREFIX-NAME; refuses a prefix some namespace
# already has (another run's), arms the teardown (lab_down on EXIT, INT, TERM).
lab_begin() {
    need_root
    [[ $1 =~ ^[A-Za-z0-9_]+$ ]] || die "namespace prefix '$1': letters, digits and _ only"
    if ip netns list | grep -q "^$1-"; then die "namespaces $1-* exist already (another run?): choose another prefix"; fi
    LAB_PREFIX=$1
    trap lab_down EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# lab_tmpdir TEMPLATE : a scratch directory (mktemp -d TEMPLATE) in LAB_TMPDIR, removed at teardown.
lab_tmpdir() {
    LAB_TMPDIR=$(mktemp -d "$1") || die "mktemp -d $1"
    LAB_TMP+=("$LAB_TMPDIR")
}

# lab_in_v4 ADDRESS[/LEN] : true if ADDRESS lies in 198.18.0.0/15.
lab_in_v4() {
    [[ ${1%/*} =~ ^198\.1[89]\.([0-9]{1,3})\.([0-9]{1,3})$ ]] &&
        [ "${BASH_REMATCH[1]}" -le 255 ] && [ "${BASH_REMATCH[2]}" -le 255 ]
}

# lab_in_v6 ADDRESS[/LEN] : true if ADDRESS lies in 2001:2::/48 (RFC 5180).
lab_in_v6() { [[ ${1%/*} =~ ^2001:0{0,3}2:(:|0{1,4}:) ]]; }

# _lab_netns NAME [V6] : the namespace PREFIX-NAME, made and recorded at the first call, lo up.
# IPv6 is disabled in it (all and default) unless V6 is 1: then it is left as the kernel makes it.
_lab_netns() {
    local n="$LAB_PREFIX-$1"
    [ -n "${LAB_MADE[$n]:-}" ] && return 0
    ip netns add "$n" || die "ip netns add $n"
    LAB_NS+=("$n")
    LAB_MADE[$n]=1
    ip -n "$n" link set lo up
    if [ "${2:-0}" != 1 ]; then
        ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    fi
}

# lab_switch [-6] NAME [BRIDGE [OPTION...]] : a switch namespace NAME (made once) with a bridge
# BRIDGE (br0), made with ip-link's bridge OPTIONs (e.g. ageing_time 0, mcast_snooping 0). Legs
# made after it plug into it. IPv6 off in the namespace unless -6 (then the bridge's own MLD
# reports and router solicitations are on the wire, as in the scripts that never turned it off).
lab_switch() {
    local v6=0
    [ "${1:-}" = -6 ] && { v6=1; shift; }
    local sw=$1 br=${2:-br0}
    shift $(($# < 2 ? $# : 2))
    _lab_netns "$sw" "$v6"
    ns "$sw" ip link add "$br" type bridge "$@" || die "bridge $br in $sw"
    ns "$sw" ip link set "$br" up
    LAB_SW=$sw
    LAB_BR=$br
}

# lab_host [-6] [-i IFNAME] [-m MAC] [-b SWITCH/BRIDGE] NAME ADDRESS/LEN : host NAME (its namespace
# made at its first leg: a router gets one call per leg) with a veth leg into the bridge (the last
# lab_switch's, or -b's). The leg is IFNAME in the host (default e<N>, N counting every leg made,
# from 1) with hardware address MAC (default: the kernel's random one), p<N> on the switch;
# ADDRESS in 198.18.0.0/15 (checked), or "-" for none. IPv6 off unless -6. Sets LAB_IF.
lab_host() {
    local OPTIND=1 o v6=0 ifn="" mac="" sw=$LAB_SW br=$LAB_BR
    while getopts 6i:m:b: o; do
        case $o in
            6) v6=1 ;;
            i) ifn=$OPTARG ;;
            m) mac=$OPTARG ;;
            b) sw=${OPTARG%/*} br=${OPTARG#*/} ;;
            *) die "lab_host: unknown option" ;;
        esac
    done
    shift $((OPTIND - 1))
    local name=$1 addr=$2 n="$LAB_PREFIX-$1" leg tmp
    [ -n "$sw" ] || die "lab_host $name: no switch (lab_switch first)"
    [ "$addr" = - ] || lab_in_v4 "$addr" || die "lab_host $name: $addr is outside 198.18.0.0/15"
    _lab_netns "$name" "$v6"
    LAB_NIF=$((LAB_NIF + 1))
    leg=${ifn:-e$LAB_NIF}
    tmp=$leg
    # a chosen name (eth0) may exist where ip runs: make the pair under a unique one, then rename
    [ -n "$ifn" ] && tmp="nj$$x$LAB_NIF"
    # shellcheck disable=SC2086 # ${mac:+...} is either nothing or two words
    ip link add "$tmp" netns "$n" ${mac:+address "$mac"} type veth peer name "p$LAB_NIF" netns "$LAB_PREFIX-$sw" ||
        die "veth for $name"
    [ "$tmp" = "$leg" ] || ip -n "$n" link set "$tmp" name "$leg"
    [ "$addr" = - ] || ip -n "$n" addr add "$addr" dev "$leg"
    ip -n "$n" link set "$leg" up
    ip -n "$LAB_PREFIX-$sw" link set "p$LAB_NIF" master "$br"
    ip -n "$LAB_PREFIX-$sw" link set "p$LAB_NIF" up
    LAB_IF=$leg
}

# lab_hosts [-6] NET/LEN NAME:LAST... : lab_host for each NAME with address NET's first three
# octets . LAST /LEN, e.g. lab_hosts 198.18.0.0/24 v:10 c:20 a:66.
lab_hosts() {
    local v6=() net h
    [ "${1:-}" = -6 ] && { v6=(-6); shift; }
    net=${1%/*}
    net=${net%.*}
    for h in "${@:2}"; do lab_host "${v6[@]}" "${h%%:*}" "$net.${h##*:}/${1#*/}"; done
}

# lab_routed NET0 NET1 NAME:K:LAST... : two /24s, NET0.0/24 on bridge br0 of switch b0 and
# NET1.0/24 on br0 of b1 (NET0, NET1: three octets), joined by the router "rt" (ip_forward 1).
# Each NAME:K:LAST is a leg into net K (0 or 1) with address NETK.LAST/24, in the order given
# (give rt:0:1 and rt:1:1 for the router's legs); every host but rt gets the route to the other
# /24 via its net's .1 (lab_leg names a leg's interface).
lab_routed() {
    local nets=("$1" "$2") r h k a
    shift 2
    lab_switch b1
    lab_switch b0
    for r in "$@"; do
        IFS=: read -r h k a <<<"$r"
        lab_host -b "b$k/br0" "$h" "${nets[k]}.$a/24"
        [ "$h" = rt ] || ns "$h" ip route add "${nets[1 - k]}.0/24" via "${nets[k]}.1"
    done
    ns rt sysctl -qw net.ipv4.ip_forward=1
}

# lab_leg NAME ADDRESS : the interface of host NAME that holds IPv4 ADDRESS.
lab_leg() { ns "$1" ip -o -4 addr show to "$2" | awk '{ print $2; exit }'; }

# lab_link NAME1 IF1 ADDRESS1 NAME2 IF2 ADDRESS2 : a veth pair straight between two hosts (a
# router's far leg), IF1 in NAME1 and IF2 in NAME2 (made if new, IPv6 off), both up.
lab_link() {
    local a
    for a in "$3" "$6"; do lab_in_v4 "$a" || die "lab_link: $a is outside 198.18.0.0/15"; done
    _lab_netns "$1"
    _lab_netns "$4"
    ip link add "$2" netns "$LAB_PREFIX-$1" type veth peer name "$5" netns "$LAB_PREFIX-$4" || die "veth $1-$4"
    ns "$1" ip addr add "$3" dev "$2"
    ns "$1" ip link set "$2" up
    ns "$4" ip addr add "$6" dev "$5"
    ns "$4" ip link set "$5" up
}

# lab_addr6 NAME IF ADDRESS/LEN [OPTION...] : an IPv6 address (checked to lie in 2001:2::/48) on
# host NAME's IF, with ip-address OPTIONs (nodad).
lab_addr6() {
    lab_in_v6 "$3" || die "lab_addr6 $1: $3 is outside 2001:2::/48"
    ns "$1" ip -6 addr add "$3" dev "$2" "${@:4}"
}

# lab_check_routes : stop if any of our namespaces has a default route (IPv4 or IPv6).
lab_check_routes() {
    local n
    for n in "${LAB_NS[@]}"; do
        if ip -n "$n" -4 route show default | grep -q . || ip -n "$n" -6 route show default 2>/dev/null | grep -q .; then
            die "a default route in $n: stopping"
        fi
    done
}

# lab_capture HOST SECONDS IFACE FILE [TCPDUMP_OPTION...] : tcpdump -i IFACE -w FILE -U in HOST's
# namespace (a switch's bridge or a host's leg), bounded by SECONDS, its output discarded.
lab_capture() {
    local h=$1 secs=$2 i=$3 f=$4
    shift 4
    bg "$h" "$secs" tcpdump -i "$i" "$@" -w "$f" -U >/dev/null 2>&1
    LAB_CAPS+=("$BG_PID")
}

# lab_capture_stop [SIGNAL] : end every capture (TERM by default; tcpdump writes out what it
# holds either way) and wait for it.
# shellcheck disable=SC2120 # the signal is optional
lab_capture_stop() {
    local p
    for p in "${LAB_CAPS[@]}"; do kill "-${1:-TERM}" "$p" 2>/dev/null; done
    for p in "${LAB_CAPS[@]}"; do wait "$p" 2>/dev/null; done
    LAB_CAPS=()
}

# lab_run [-s SIGNAL] HOST SECONDS CMD... : CMD in HOST's namespace under `timeout SECONDS` (-s:
# the signal timeout sends), waited for (the PID is recorded while it runs, so a signal to the
# script ends it at once); stdin /dev/null. Sets RUN_S and RUN_E (date +%s.%N before and after)
# and RUN_RC (its exit status).
lab_run() {
    local sig=TERM pid
    [ "$1" = -s ] && { sig=$2; shift 2; }
    local h=$1 secs=$2
    shift 2
    RUN_S=$(date +%s.%N)
    ip netns exec "$LAB_PREFIX-$h" timeout -s "$sig" "$secs" "$@" </dev/null &
    pid=$!
    LAB_PIDS+=("$pid")
    wait "$pid"
    RUN_RC=$?
    RUN_E=$(date +%s.%N)
    unset 'LAB_PIDS[-1]'
}

# lab_lines FILE FUNCTION : FUNCTION LABEL COMMAND for each line "LABEL COMMAND" of FILE; blank
# lines and lines starting with # are skipped. FILE is read on fd 3, closed for FUNCTION: the
# commands can neither eat it nor hold it open.
lab_lines() {
    local label cmd
    while read -r -u 3 label cmd; do
        [ -z "$label" ] && continue
        [[ $label == \#* ]] && continue
        "$2" "$label" "$cmd" 3<&-
    done 3<"$1"
}

# json_str TEXT : TEXT as a JSON string.
json_str() {
    local s=$1
    s=${s//\\/\\\\}
    s=${s//\"/\\\"}
    s=${s//$'\t'/\\t}
    s=${s//$'\n'/\\n}
    s=${s//$'\r'/\\r}
    printf '"%s"' "$s"
}

# plus START SECONDS : START (date +%s.%N) + SECONDS, digits kept (bc).
plus() { echo "$1 + $2" | bc; }

# lab_episode FILE SRC LABEL START END COMMAND [MEMBERS] : one episode (DESIGN §12; what
# lab/episodes.py reads) as a JSON object on a line of FILE: {"src", "label", "start", "end",
# "command"} and MEMBERS (more, e.g. '"spoofed": true'); SRC "-" leaves "src" out (a normal span).
lab_episode() {
    local src=""
    [ "$2" = - ] || src="\"src\": \"$2\", "
    printf '{%s"label": "%s", "start": %s, "end": %s, "command": %s%s}\n' \
        "$src" "$3" "$4" "$5" "$(json_str "$6")" "${7:+, $7}" >>"$1"
}

# lab_json_array OUT LINES : the JSON objects of LINES (one a line) as a JSON array in OUT.
lab_json_array() {
    { echo '['; sed '$!s/$/,/' "$2"; echo ']'; } >"$1"
}

# lab_labels OUT CAPTURE EPISODES ATTACKERS [MEMBERS] : the labels file OUT: {"capture":
# CAPTURE, "attackers": [{"ip": A}...], "episodes": [the lines of EPISODES], MEMBERS}; ATTACKERS
# is a list of addresses, or "auto": every episode's source, sorted. Stops if OUT does not parse.
lab_labels() {
    local out=$1 atk=$4 a list="" sep=""
    if [ "$atk" = auto ]; then atk=$(sed -n 's/^{"src": "\([^"]*\)".*/\1/p' "$3" | LC_ALL=C sort -u); fi
    for a in $atk; do
        list+="$sep{\"ip\": \"$a\"}"
        sep=", "
    done
    {
        printf '{"capture": %s, "attackers": [%s], "episodes": [\n' "$(json_str "$2")" "$list"
        sed '$!s/$/,/' "$3"
        printf ']%s}\n' "${5:+, $5}"
    } >"$out"
    "$PY" -m json.tool "$out" >/dev/null || die "the labels file $out does not parse"
}
