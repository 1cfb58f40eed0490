#!/usr/bin/env bash
# lab/ipv6.sh OUT.pcap ATTACKS_FILE -- a dual-stack (IPv6 + IPv4) LAN, for the detector on IPv6. Run as root.
# Hosts (IPv4 198.18.0.X/24 and IPv6 2001:2::c612:XX/64 with XX = X in hex, plus link-local):
#   victim .10 (http 80 on ::, tcp echo 22, udp echo 7), attacker .66, client .20, resolver .31
#   (dnsmasq on both stacks), router .1 (radvd: router advertisements with default lifetime 0,
#   i.e. not a default router, prefix not autonomous: no route out, no SLAAC addresses).
# Background: ND/DAD/MLD from the kernels, mDNS (ff02::fb, 224.0.0.251) and DHCPv6 solicits
#   (lab/ipv6bg.py) from victim, client, resolver; client normal traffic over IPv6 and IPv4.
# ATTACKS_FILE lines: "label command" (attacker ns) or "normal@c command" (client ns, not labelled).
# env: DUR (client traffic, s), TMO (per attack), SEED, P (namespace prefix, default s14b)
#   GAP (s before each attack, 3). tcpdump -s 128 on the bridge (an ICMPv6 error quoting a UDP
#   probe needs 14+40+8+40+8 = 110 bytes). Every loop is bounded by timeout.
# shellcheck disable=SC2016 # the client loops in single quotes are expanded by their own bash
set -u
OUT=$1; ATT=$2; LBL=${OUT%.pcap}.labels.json; HERE=$(cd "$(dirname "$0")" && pwd)
SEED=${SEED:-1}; RANDOM=$SEED
# shellcheck source=lab/lib.sh
source "$HERE/lib.sh"
lab_begin "${P:-s14b}"
lab_tmpdir /tmp/ipv6lab.XXXXXX; W=$LAB_TMPDIR
LIFE=$(( ${DUR:-600} + 3600 ))   # every process's bound
v6() { printf '2001:2::c612:%x' "$1"; }
lab_switch b
for r in v:10 a:66 c:20 r:31 g:1; do
  lab_host -6 "${r%%:*}" "198.18.0.${r##*:}/24"
  lab_addr6 "${r%%:*}" "$LAB_IF" "$(v6 "${r##*:}")/64"
done
sleep 3   # DAD
lab_check_routes
bg v $LIFE python3 -m http.server 80 --bind :: >/dev/null 2>&1
bg v $LIFE socat UDP6-RECVFROM:7,fork,ipv6only=0 EXEC:cat >/dev/null 2>&1
bg v $LIFE socat TCP6-LISTEN:22,fork,reuseaddr,ipv6only=0 EXEC:cat >/dev/null 2>&1
bg r $LIFE dnsmasq --no-daemon --no-resolv --no-hosts --listen-address="198.18.0.31,$(v6 31)" --bind-interfaces \
    --address=/www.example/198.18.0.10 --address=/www.example/"$(v6 10)" --pid-file="$W/dns.pid" >/dev/null 2>&1
ns g sysctl -qw net.ipv6.conf.all.forwarding=1
cat > "$W/radvd.conf" <<RA
interface e5 { AdvSendAdvert on; MinRtrAdvInterval 10; MaxRtrAdvInterval 30; AdvDefaultLifetime 0;
  prefix 2001:2::/64 { AdvOnLink on; AdvAutonomous off; }; };
RA
bg g 3600 radvd -n -C "$W/radvd.conf" -p "$W/radvd.pid" -u root >/dev/null 2>&1
[ -n "${EXTRA_VICTIM:-}" ] && bg v $LIFE bash -c "$EXTRA_VICTIM" >/dev/null 2>&1
sleep 1
lab_capture b $LIFE br0 "$OUT" -s 128
sleep 1
BGD=$(( ${DUR:-600} + 600 ))
k=0; for h in v:1 c:3 r:4; do k=$((k+1)); bg "${h%%:*}" $BGD python3 "$HERE/ipv6bg.py" "${h%%:*}" $BGD $((SEED*10+k)) "e${h##*:}" >/dev/null 2>&1; done
bg c $(( ${DUR:-600} + 5 )) bash -c 'RANDOM='"$SEED"'; end=$((SECONDS+${DUR:-600})); while [ $SECONDS -lt $end ]; do
  if [ $((RANDOM%2)) = 0 ]; then V=2001:2::c612:a; U="http://[$V]/"; R=2001:2::c612:1f; F=-6; else V=198.18.0.10; U="http://$V/"; R=198.18.0.31; F=-4; fi
  python3 -c "
import urllib.request,random,socket,sys
for i in range(random.randint(1,4)): urllib.request.urlopen(\"$U\",timeout=2).read()
fam = socket.AF_INET6 if \":\" in \"$V\" else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM); s.settimeout(1)
for i in range(random.randint(0,2)):
    s.sendto(b\"hello %d\" % i, (\"$V\", 7)); s.recvfrom(100)
" 2>/dev/null
  ping $F -c 2 -i 0.3 -W 1 $V >/dev/null; dig +time=1 +tries=1 @$R www.example AAAA >/dev/null 2>&1; sleep 0.$((RANDOM%9+1)); done'
CL=$BG_PID
attack() { # LABEL COMMAND
  local label=$1 h=a src
  nap "${GAP:-3}"
  [[ $label == *@* ]] && h=${label##*@}
  src=$(v6 66); [[ $label == *:v4 ]] && { src=198.18.0.66; label=${label%:v4}; }
  lab_run "$h" "${TMO:-30}" bash -c "$2" >/dev/null 2>&1
  log "ran $label ($(echo "$RUN_E - $RUN_S" | bc) s) at $RUN_S: $2"
  [[ $label == normal* ]] && return
  lab_episode "$W/episodes" "$src" "$label" "$RUN_S" "$(plus "$RUN_E" 2)" "$2"
}
: >"$W/episodes"
lab_lines "$ATT" attack
lab_labels "$LBL" "$(basename "$OUT")" "$W/episodes" "$(v6 66) 198.18.0.66" "\"seed\": $SEED"
wait "$CL" 2>/dev/null
nap 3
lab_capture_stop
