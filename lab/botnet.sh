#!/usr/bin/env bash
# botnet.sh OUT.pcap [BOTS [SEED [ATTACKS]]] -- floods from many real hosts (a botnet: Mirai, LOIC
# run by many people, a booter's bots), each bot at a modest rate that alone looks like a busy
# client, and their normal look-alike, a flash crowd (every host fetching pages at once, with
# realistic pacing). (session 20)
#   198.18.0.0/24 on one bridge, no route out (checked): victim .10 (lab/services.py: HTTP on 80,
#   TCP and UDP echo on 7, NTP-like UDP on 123), a gateway .1 (no forwarding), normal clients .20-.22 (lab/client.py, HTTP,
#   echo, ping, NTP, the whole run), bots .100 .. .100+BOTS-1 (default 40, at most 60).
#   First the flash crowd: every bot host, each starting within 1.5 s of the others, loads 3-5
#   pages (the document and two objects on one connection, curl) with 1-4 s of thinking
#   between them; it is normal. Then the attacks of ATTACKS (a space-separated list, default
#   all), one after another, 8 s apart, all bots of one attack started together, every bot with
#   its own address (no -a, no --rand-source), each bounded by -c and timeout:
#     syn50 syn10 syn2     hping3 -S to 80 at 50/s (2 s), 10/s (5 s), 2/s (12 s) per bot
#     udp50 udp10 udp2     hping3 --udp -d 32 to 123, the same rates and spans
#     icmp50 icmp10 icmp2  hping3 --icmp (echo requests), the same rates and spans
#     get                  an HTTP GET flood: curl fetching / in a loop, a new connection each,
#                          ~3 a second per bot, 10 s (completed connections)
#     mirai10 mirai2       Mirai's scan (lab/iot.py mirai: raw SYNs to 23, one in ten to 2323)
#                          of random addresses of 198.18.1.0/24, 10 a second per bot for 10 s
#                          (2 for 20 s); that /24 is empty, routed in the bots via a gateway .1
#                          that does not forward (ip_forward 0, checked): the probes end there
#   Each bot's part of an attack is its own episode (lab_episode) with the attack's command, so
#   lab/episodes.py groups them as one attack (a victim alert over its span covers it).
# tcpdump -s 96 on the bridge (OUT.pcap); OUT.labels.json (attackers: the bots). The seed draws
# the flash crowd's pages and pauses and the clients' behaviour. Needs root, hping3 and curl
# (installed when missing). Every process under timeout and recorded; teardown deletes the
# script's namespaces (lib.sh, netlab.sh).
set -u
OUT=$1
BOTS=${2:-40}
SEED=${3:-1}
ATTACKS=${4:-syn50 syn10 syn2 udp50 udp10 udp2 icmp50 icmp10 icmp2 get mirai10 mirai2}
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
case "$BOTS$SEED" in *[!0-9]*) die "BOTS and SEED must be numbers" ;; esac
if [ "$BOTS" -lt 2 ] || [ "$BOTS" -gt 60 ]; then die "BOTS: 2 to 60"; fi
ensure_tools curl:curl
VICTIM=198.18.0.10
URL="http://$VICTIM"
DUR=600
lab_begin "s20h1$$"
lab_switch b
hosts=(gw:1 v:10 c0:20 c1:21 c2:22)
for ((i = 0; i < BOTS; i++)); do hosts+=("b$i:$((100 + i))"); done
lab_hosts 198.18.0.0/24 "${hosts[@]}"
ns gw sysctl -qw net.ipv4.ip_forward=0
[ "$(ns gw sysctl -n net.ipv4.ip_forward)" = 0 ] || die "the gateway forwards"
for ((i = 0; i < BOTS; i++)); do ns "b$i" ip route add 198.18.1.0/24 via 198.18.0.1; done
lab_check_routes
bg v "$DUR" "$PY" "$LAB_DIR/services.py" --duration "$DUR" --no-ssh >/dev/null 2>&1
sleep 2
lab_capture b "$DUR" br0 "$OUT" -s 96
sleep 1
for c in 0 1 2; do
    bg "c$c" "$DUR" "$PY" "$LAB_DIR/client.py" --seed $((SEED * 10 + c)) --duration "$DUR" \
        --mean-think 2 --kinds http,http_multi,echo_tcp,echo_udp,ping,ntp >/dev/null 2>&1
done
EPS="$OUT.episodes"
: >"$EPS"
sleep 5

# The flash crowd: every bot host browses (normal). Pages, objects and pauses drawn per host.
crowd=()
RANDOM=$SEED
for ((i = 0; i < BOTS; i++)); do
    script="sleep 0.$((RANDOM % 15))"
    for ((k = 0; k < 3 + RANDOM % 3; k++)); do
        script+="; curl -s -o /dev/null -o /dev/null -o /dev/null --max-time 5 $URL/ $URL/img/$((RANDOM % 8 + 1)) $URL/bytes/$((512 << RANDOM % 4))"
        script+="; sleep $((1 + RANDOM % 3)).$((RANDOM % 10))"
    done
    bg "b$i" 40 bash -c "$script" >/dev/null 2>&1
    crowd+=("$BG_PID")
done
wait "${crowd[@]}"
log "flash crowd done ($BOTS hosts)"
nap 8

# attack LABEL SECONDS COMMAND... : COMMAND in every bot at once (each under timeout SECONDS),
# waited for; one episode per bot, all with the same command (and the attack's span).
attack() {
    local label=$1 secs=$2 pids=() s e i
    shift 2
    s=$(now)
    for ((i = 0; i < BOTS; i++)); do
        bg "b$i" "$secs" "$@" >/dev/null 2>&1
        pids+=("$BG_PID")
    done
    wait "${pids[@]}"
    e=$(now)
    for ((i = 0; i < BOTS; i++)); do
        lab_episode "$EPS" "198.18.0.$((100 + i))" "$label" "$s" "$e" "$* ($BOTS bots)"
    done
    log "$label: $* ($BOTS bots)"
    nap 8
}

# hflood LABEL RATE SECONDS HPING3_OPTION... : hping3 at RATE a second for SECONDS, from each bot.
hflood() {
    local label=$1 rate=$2 secs=$3
    shift 3
    attack "$label" $((secs + 5)) hping3 -q "$@" -i "u$((1000000 / rate))" -c $((rate * secs)) "$VICTIM"
}

# mirai PPS SECONDS : every bot runs Mirai's scanner (lab/iot.py mirai, its own seed) over the
# empty 198.18.1.0/24 at PPS a second for SECONDS; one scan-syn episode per bot, one command.
mirai() {
    local pps=$1 secs=$2 pids=() s e i
    s=$(now)
    for ((i = 0; i < BOTS; i++)); do
        bg "b$i" $((secs + 10)) "$PY" "$LAB_DIR/iot.py" mirai "198.18.0.$((100 + i))" "$secs" "$pps" \
            $((SEED * 1000 + i)) 198.18.1 >/dev/null 2>&1
        pids+=("$BG_PID")
    done
    wait "${pids[@]}"
    e=$(now)
    for ((i = 0; i < BOTS; i++)); do
        lab_episode "$EPS" "198.18.0.$((100 + i))" scan-syn "$s" "$e" \
            "python3 lab/iot.py mirai BOT $secs $pps SEED 198.18.1 ($BOTS bots)"
    done
    log "scan-syn: Mirai's scan, $pps a second per bot for $secs s ($BOTS bots)"
    nap 8
}

for a in $ATTACKS; do
    case $a in
        syn50) hflood flood-syn 50 2 -S -p 80 ;;
        syn10) hflood flood-syn 10 5 -S -p 80 ;;
        syn2) hflood flood-syn 2 12 -S -p 80 ;;
        udp50) hflood flood-udp 50 2 --udp -p 123 -d 32 ;;
        udp10) hflood flood-udp 10 5 --udp -p 123 -d 32 ;;
        udp2) hflood flood-udp 2 12 --udp -p 123 -d 32 ;;
        icmp50) hflood flood-icmp 50 2 --icmp -d 32 ;;
        icmp10) hflood flood-icmp 10 5 --icmp -d 32 ;;
        icmp2) hflood flood-icmp 2 12 --icmp -d 32 ;;
        get) attack flood-syn 15 bash -c "for i in \$(seq 30); do curl -s -o /dev/null --max-time 2 $URL/; sleep 0.3; done" ;;
        mirai10) mirai 10 10 ;;
        mirai2) mirai 2 20 ;;
        *) die "unknown attack $a" ;;
    esac
done
nap 2
lab_capture_stop
lab_labels "${OUT%.pcap}.labels.json" "$(basename "$OUT")" "$EPS" auto
rm -f "$EPS"
