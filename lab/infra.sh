#!/usr/bin/env bash
# infra.sh OUT.pcap ATTACKS_FILE -- infrastructure servers as normal traffic (session 21, helper
# h1): a recursive resolver, a mail relay, an NTP server and a crawler whose normal work looks like
# a scan from the network's point of view (many servers, some dead), beside nmap scans and an
# hping3 SYN flood of one LAN server.
#   LAN 198.18.0.0/24 (bridge b0/br0, captured): router .1, victim .10 (python http.server on 80,
#   an SSH-like banner on 22 by socat, udp echo on 7), stub-resolver clients .20 (+ .31-.39),
#   mail relay .25, resolver .53 (unbound 1.17, iterative over 20 stub zones, TCP fallback for
#   truncated answers), attacker .66, crawler .80, NTP server .123 (chronyd -x: serves time, never
#   touches the clock) and its 40 NTP clients .160-.199 (one namespace "nc").
#   "Internet" 198.18.1.0/24 (bridge b1/br0, not captured): host i1 (.2) holds the live servers'
#   addresses (extra /32s on lo): 198.18.10.1-40 authoritative DNS, 198.18.20.1-40 SMTP,
#   198.18.30.1-8 NTP, 198.18.40.1-40 HTTP and HTTPS (lab/infrasrv.py); host i2 (.3) holds the
#   "closed" ones (.130-.150 of each /24: nothing listens, the kernel answers RST or ICMP port
#   unreachable); the router drops .192-.255 of each /24 (blackhole route: silence).
# ATTACKS_FILE lines "LABEL COMMAND", run in the attacker namespace under timeout ${TMO:-60}, GAP
# (20) seconds apart after WARM (30) seconds of normal traffic; the normal traffic runs DUR (240)
# seconds in all. SEED (1) draws the stub zones' servers, the MX hosts and the clients' names;
# SCALE (1-8, default 1) makes the bursts (queue flushes, lookups at once, fetches) that many
# times larger. SOCKETS=each: the stub clients ask each name from a socket of its own, A and
# AAAA together (glibc's and Go's resolvers), a burst's sockets all at once.
# tcpdump -s 96 on the LAN bridge. Writes OUT.pcap, OUT.labels.json and the tools' output in
# OUT.tool.log. Needs root and the Debian packages unbound, chrony, socat, curl, openssl, bc, nmap,
# hping3, tcpdump (installed when missing).
# Safety: every address in 198.18.0.0/15 (lab_host, infrasrv.py and infraclients.py check), no
# default route anywhere (checked), every process under timeout and recorded; unbound and chronyd
# run with configurations in the run's scratch directory (the machine's own are neither read nor
# written; chronyd -x never sets the clock); teardown deletes the namespaces (lib.sh, netlab.sh).
# shellcheck disable=SC2016 # the client loop in single quotes is expanded by its own bash
set -u
OUT=$1; ATK=$2; LBL=${OUT%.pcap}.labels.json; TL=${OUT%.pcap}.tool.log
DUR=${DUR:-240}; SEED=${SEED:-1}; SCALE=${SCALE:-1}
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
ensure_tools unbound:unbound chronyd:chrony socat:socat curl:curl openssl:openssl bc:bc
lab_begin "${PREFIX:-s21h1$$}"
lab_tmpdir /tmp/nj-infra.XXXXXX; L=$LAB_TMPDIR; chmod 755 "$L"
lab_switch b1
lab_hosts 198.18.1.0/24 rt:1 i1:2 i2:3
lab_switch b0
lab_hosts 198.18.0.0/24 rt:1 v:10 c:20 mx:25 res:53 a:66 px:80 ntp:123 nc:160
for i in $(seq 31 39); do ns c ip addr add "198.18.0.$i/24" dev "$(lab_leg c 198.18.0.20)"; done
for i in $(seq 161 199); do ns nc ip addr add "198.18.0.$i/24" dev "$(lab_leg nc 198.18.0.160)"; done
ns rt sysctl -qw net.ipv4.ip_forward=1
for n in 10 20 30 40; do
    ns rt ip route add "198.18.$n.0/25" via 198.18.1.2
    ns rt ip route add "198.18.$n.128/26" via 198.18.1.3
    ns rt ip route add blackhole "198.18.$n.192/26"
    for i in $(seq 1 40); do ns i1 ip addr add "198.18.$n.$i/32" dev lo; done
    for i in $(seq 130 150); do ns i2 ip addr add "198.18.$n.$i/32" dev lo; done
done
for h in i1 i2; do ns "$h" ip route add 198.18.0.0/24 via 198.18.1.1; done
for h in v c mx res a px ntp nc; do ns "$h" ip route add 198.18.0.0/15 via 198.18.0.1; done
lab_check_routes
D=$((DUR + 120))
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=origin.lab.example \
    -keyout "$L/key.pem" -out "$L/cert.pem" >/dev/null 2>&1 || die "openssl req"
bg i1 "$D" "$PY" "$LAB_DIR/infrasrv.py" --dns "$(seq -s, -f '198.18.10.%g' 1 40)" \
    --ntp "$(seq -s, -f '198.18.30.%g' 1 8)" --smtp --http --tls "$L/cert.pem:$L/key.pem" --duration "$D" \
    >>"$TL" 2>&1
cat >"$L/unbound.conf" <<UB
server:
  username: ""
  chroot: ""
  directory: "$L"
  pidfile: "$L/unbound.pid"
  do-daemonize: no
  use-syslog: no
  logfile: ""
  verbosity: 0
  num-threads: 1
  interface: 198.18.0.53
  outgoing-interface: 198.18.0.53
  access-control: 198.18.0.0/24 allow
  do-ip6: no
  module-config: "iterator"
  root-hints: "$L/root.hints"
  cache-max-ttl: 5
  cache-max-negative-ttl: 5
  infra-host-ttl: 60
remote-control:
  control-enable: no
UB
"$PY" "$LAB_DIR/infraclients.py" unbound-stubs "$SEED" >>"$L/unbound.conf"
printf '.\t3600\tIN\tNS\ta.root.lab.\na.root.lab.\t3600\tIN\tA\t198.18.10.1\n' >"$L/root.hints"
{
    "$PY" "$LAB_DIR/infraclients.py" ntp-servers "$SEED"
    printf 'allow 198.18.0.0/24\nbindaddress 198.18.0.123\ncmdport 0\npidfile %s/chronyd.pid\ndriftfile %s/chrony.drift\n' "$L" "$L"
} >"$L/chrony.conf"
bg res "$D" unbound -d -c "$L/unbound.conf" >>"$TL" 2>&1
bg ntp "$D" chronyd -x -d -u root -f "$L/chrony.conf" >>"$TL" 2>&1
mkdir -p "$L/site"; echo '<html><body>intranet</body></html>' >"$L/site/index.html"
bg v "$D" python3 -m http.server 80 --bind 198.18.0.10 --directory "$L/site" >/dev/null 2>&1
bg v "$D" socat TCP4-LISTEN:22,fork,reuseaddr SYSTEM:'printf "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"; timeout 5 cat' >/dev/null 2>&1
bg v "$D" socat UDP4-RECVFROM:7,fork EXEC:cat >/dev/null 2>&1
sleep 2
lab_capture b0 "$D" br0 "$OUT" -s 96
sleep 1
T0=$(date +%s)
{
    bg c "$DUR" "$PY" "$LAB_DIR/infraclients.py" dns --server 198.18.0.53 --srcs "198.18.0.20,$(seq -s, -f '198.18.0.%g' 31 39)" \
        --seed "$SEED" --duration "$DUR" --scale "$SCALE" ${SOCKETS:+--socket-per-name}
    bg mx "$DUR" "$PY" "$LAB_DIR/infraclients.py" mail --src 198.18.0.25 --seed "$SEED" --duration "$DUR" --scale "$SCALE"
    bg nc "$DUR" "$PY" "$LAB_DIR/infraclients.py" ntp --server 198.18.0.123 --srcs "$(seq -s, -f '198.18.0.%g' 160 199)" \
        --seed "$SEED" --duration "$DUR"
    bg px "$DUR" "$PY" "$LAB_DIR/infraclients.py" crawl --src 198.18.0.80 --seed "$SEED" --timeout 5 --duration "$DUR" --scale "$SCALE"
} >>"$TL" 2>&1
bg c "$DUR" bash -c 'while :; do curl -s -m 2 -o /dev/null http://198.18.0.10/; sleep 0.$((RANDOM % 9 + 1)); done' >/dev/null 2>&1
nap "${WARM:-30}"
attack() { # LABEL COMMAND
    lab_run a "${TMO:-60}" bash -c "$2" >>"$TL" 2>&1
    log "ran $1 rc=$RUN_RC ($(echo "$RUN_E - $RUN_S" | bc) s): $2"
    lab_episode "$L/episodes" 198.18.0.66 "$1" "$RUN_S" "$(plus "$RUN_E" 2)" "$2"
    nap "${GAP:-20}"
}
: >"$L/episodes"
lab_lines "$ATK" attack
lab_labels "$LBL" "$(basename "$OUT")" "$L/episodes" 198.18.0.66
left=$((T0 + DUR + 3 - $(date +%s)))
[ "$left" -gt 0 ] && nap "$left"
lab_capture_stop
