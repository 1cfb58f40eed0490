#!/usr/bin/env bash
# nat.sh OUT.pcap ATTACKS_FILE -- attacks from a busy or shared address (session 20, helper h2):
# an attacker behind a NAT among busy clients, and a busy workstation that scans while it
# downloads and streams. The capture is taken on the outside bridge, as a dataset's sensor in
# front of the servers sees it (CIC-IDS2017's attackers reach the victims through a NAT).
#   outside 198.18.0.0/24 (bridge b/br0): the router's outside leg .1, victim .10 (web on 80
#   and 8080, UDP stream and echo), server .11 (web, the bulk file, UDP stream), DNS .53
#   (lab/dnsd.py), the workstation .30; no route anywhere but the /24 (checked).
#   inside 198.19.5.0/24 (bridge bi/br0): the router .1, clients .21-.25 (NCLIENTS, 5), the
#   attacker .66; each has only the route to 198.18.0.0/24 via .1.
#   The router "rt" forwards (ip_forward 1) and masquerades what leaves its outside leg
#   (nftables, inside its namespace only); probes that conntrack will not track (FIN, NULL,
#   Xmas, Maimon: invalid flags for a new connection) are rewritten statelessly to its outside
#   address too, as a firewall that NATs everything would (their answers go to the router and
#   stop there). Outside hosts have no route to 198.19.5.0/24: nothing outside reaches inside.
# Normal traffic (lab/natnormal.py, LOAD light or heavy, SEED): every inside client and the
# workstation fetch pages (DNS first), download a bulk file, take a UDP stream, look names up
# and ping, for the whole run (JOBS: which of web,bulk,stream,dns,ping; all by default).
# ATTACKS_FILE lines "LABEL HOST COMMAND": HOST a (the attacker behind the NAT) or w (the
# workstation); COMMAND runs in HOST's namespace under timeout TMO (60 s), GAP (8) seconds apart,
# with $V (the victim, 198.18.0.10) in its environment; each must be bounded by its own count (a
# port list, -c). Labels: the attacker's episodes have the router's outside address 198.18.0.1
# as source, the workstation's 198.18.0.30. Env: SEED (1), LOAD (light), NCLIENTS (5), WARM
# (15), TAIL (15), SNAP (96). Writes OUT.pcap (tcpdump -s SNAP on the outside bridge),
# OUT.labels.json, and the tools' output in OUT.tool.log. Needs root, nmap, hping3, nft, curl.
set -u
OUT=$1; ATT=$2; LBL=${OUT%.pcap}.labels.json
SEED=${SEED:-1}; LOAD=${LOAD:-light}; NCL=${NCLIENTS:-5}
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
case "$SEED$NCL" in *[!0-9]*) die "SEED and NCLIENTS must be numbers" ;; esac
case "$LOAD" in light | heavy) ;; *) die "LOAD must be light or heavy" ;; esac
if [ "$NCL" -lt 1 ] || [ "$NCL" -gt 6 ]; then die "NCLIENTS: 1 to 6"; fi
ensure_tools nft:nftables curl:curl
lab_begin "${PREFIX:-s20h2$$}"
lab_tmpdir /tmp/nj-nat.XXXXXX; L=$LAB_TMPDIR; S=$L/site; chmod 755 "$L"
mkdir -p "$S"
echo '<html><body><h1>lab</h1><img src="obj1.bin"></body></html>' >"$S/index.html"
for i in $(seq 0 19); do head -c $((2000 + i * 1500)) /dev/urandom >"$S/obj$i.bin"; done
head -c 6000000 /dev/urandom >"$S/bulk.bin"

# outside
lab_switch b
lab_hosts 198.18.0.0/24 rt:1 v:10 s1:11 dns:53 w:30
OUTIF=$(lab_leg rt 198.18.0.1)
# inside
lab_switch bi
INS=(a:66)
for ((i = 1; i <= NCL; i++)); do INS+=("c$i:$((20 + i))"); done
lab_hosts 198.19.5.0/24 rt:1 "${INS[@]}"
for h in "${INS[@]}"; do ns "${h%%:*}" ip route add 198.18.0.0/24 via 198.19.5.1; done
ns rt sysctl -qw net.ipv4.ip_forward=1
ns rt nft -f - <<NFT || die "nft in the router"
table ip njnat {
  chain post {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "$OUTIF" ip saddr 198.19.5.0/24 masquerade
  }
  chain untracked {
    type filter hook postrouting priority srcnat + 10; policy accept;
    oifname "$OUTIF" ip saddr 198.19.5.0/24 ct state invalid ip saddr set 198.18.0.1
  }
}
NFT
lab_check_routes

D=$((${DUR:-900} + 60))
ZONE=www.lab=198.18.0.10,files.lab=198.18.0.11,news.lab=198.18.0.10,mail.lab=198.18.0.11,cdn.lab=198.18.0.11
bg dns $D "$PY" "$LAB_DIR/dnsd.py" --zone "$ZONE" --duration $D --seed "$SEED" >/dev/null 2>&1
for h in v:10 s1:11; do
    bg "${h%%:*}" $D python3 -m http.server 80 --bind "198.18.0.${h#*:}" --directory "$S" >/dev/null 2>&1
    bg "${h%%:*}" $D "$PY" "$LAB_DIR/natnormal.py" serve --bind "198.18.0.${h#*:}" --duration $D >/dev/null 2>&1
done
bg v $D python3 -m http.server 8080 --bind 198.18.0.10 --directory "$S" >/dev/null 2>&1
sleep 1
lab_capture b $D br0 "$OUT" -s "${SNAP:-96}"
sleep 1
CL=()
for h in w "${INS[@]}"; do
    h=${h%%:*}
    [ "$h" = a ] && continue
    bg "$h" $D "$PY" "$LAB_DIR/natnormal.py" client --me "$h" --seed "$SEED" --load "$LOAD" --duration "${DUR:-900}" \
        --web 198.18.0.10,198.18.0.11 --bulk http://198.18.0.11/bulk.bin --stream 198.18.0.11 \
        --dns 198.18.0.53 --ping 198.18.0.10 --jobs "${JOBS:-web,bulk,stream,dns,ping}" >/dev/null 2>&1
    CL+=("$BG_PID")
done
nap "${WARM:-15}"
attack() { # LABEL "HOST COMMAND"
    local host=${2%% *} cmd=${2#* } src
    case "$host" in a) src=198.18.0.1 ;; w) src=198.18.0.30 ;; *) die "host $host: a or w" ;; esac
    nap "${GAP:-8}"
    lab_run "$host" "${TMO:-60}" env V=198.18.0.10 bash -c "$cmd" >>"${OUT%.pcap}.tool.log" 2>&1
    log "ran $1 on $host rc=$RUN_RC ($(echo "$RUN_E - $RUN_S" | bc) s): $cmd"
    lab_episode "$L/episodes" "$src" "$1" "$RUN_S" "$(plus "$RUN_E" 2)" "$cmd"
}
: >"$L/episodes"
lab_lines "$ATT" attack
lab_labels "$LBL" "$(basename "$OUT")" "$L/episodes" auto
nap "${TAIL:-15}"
for p in "${CL[@]}"; do kill "$p" 2>/dev/null; done
nap 1
lab_capture_stop
