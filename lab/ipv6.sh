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
set -u
OUT=$1; ATT=$2; LBL=${OUT%.pcap}.labels.json; HERE=$(cd $(dirname $0) && pwd)
P=${P:-s14b}; SEED=${SEED:-1}; RANDOM=$SEED
HOSTS="v:10 a:66 c:20 r:31 g:1"
NS="${P}b"; for r in $HOSTS; do NS="$NS ${P}${r%%:*}"; done
cleanup() { for n in $NS; do ip netns pids $n 2>/dev/null | xargs -r kill 2>/dev/null; done; sleep 0.5; for n in $NS; do ip netns del $n 2>/dev/null; done; }
trap cleanup EXIT
v6() { printf '2001:2::c612:%x' $1; }
ip netns add ${P}b; ip netns exec ${P}b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n ${P}b link add br0 type bridge; ip -n ${P}b link set br0 up; ip -n ${P}b link set lo up
i=0
for r in $HOSTS; do n=${P}${r%%:*}; a=${r##*:}; i=$((i+1))
  ip netns add $n
  ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
  ip link add e$i netns $n type veth peer name p$i netns ${P}b
  ip -n $n addr add 198.18.0.$a/24 dev e$i; ip -n $n addr add $(v6 $a)/64 dev e$i
  ip -n $n link set e$i up; ip -n $n link set lo up
  ip -n ${P}b link set p$i master br0; ip -n ${P}b link set p$i up
done
sleep 3   # DAD
ip netns exec ${P}v python3 -m http.server 80 --bind :: >/dev/null 2>&1 &
ip netns exec ${P}v socat UDP6-RECVFROM:7,fork,ipv6only=0 EXEC:cat >/dev/null 2>&1 &
ip netns exec ${P}v socat TCP6-LISTEN:22,fork,reuseaddr,ipv6only=0 EXEC:cat >/dev/null 2>&1 &
ip netns exec ${P}r dnsmasq --no-daemon --no-resolv --no-hosts --listen-address=198.18.0.31,$(v6 31) --bind-interfaces \
    --address=/www.example/198.18.0.10 --address=/www.example/$(v6 10) --pid-file=/tmp/ipv6lab-dns$P.pid >/dev/null 2>&1 &
ip netns exec ${P}g sysctl -qw net.ipv6.conf.all.forwarding=1
cat > /tmp/ipv6lab-radvd$P.conf <<RA
interface e5 { AdvSendAdvert on; MinRtrAdvInterval 10; MaxRtrAdvInterval 30; AdvDefaultLifetime 0;
  prefix 2001:2::/64 { AdvOnLink on; AdvAutonomous off; }; };
RA
ip netns exec ${P}g timeout 3600 radvd -n -C /tmp/ipv6lab-radvd$P.conf -p /tmp/ipv6lab-radvd$P.pid -u root >/dev/null 2>&1 &
[ -n "${EXTRA_VICTIM:-}" ] && ip netns exec ${P}v bash -c "$EXTRA_VICTIM" >/dev/null 2>&1 &
sleep 1
ip netns exec ${P}b tcpdump -i br0 -s 128 -w $OUT -U >/dev/null 2>&1 &
TD=$!
sleep 1
BGD=$(( ${DUR:-600} + 600 ))
k=0; for h in v:1 c:3 r:4; do k=$((k+1)); ip netns exec ${P}${h%%:*} timeout $BGD python3 $HERE/ipv6bg.py ${h%%:*} $BGD $((SEED*10+k)) e${h##*:} >/dev/null 2>&1 & done
ip netns exec ${P}c timeout $(( ${DUR:-600} + 5 )) bash -c 'RANDOM='$SEED'; end=$((SECONDS+${DUR:-600})); while [ $SECONDS -lt $end ]; do
  if [ $((RANDOM%2)) = 0 ]; then V=2001:2::c612:a; U="http://[$V]/"; R=2001:2::c612:1f; F=-6; else V=198.18.0.10; U="http://$V/"; R=198.18.0.31; F=-4; fi
  python3 -c "
import urllib.request,random,socket,sys
for i in range(random.randint(1,4)): urllib.request.urlopen(\"$U\",timeout=2).read()
fam = socket.AF_INET6 if \":\" in \"$V\" else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM); s.settimeout(1)
for i in range(random.randint(0,2)):
    s.sendto(b\"hello %d\" % i, (\"$V\", 7)); s.recvfrom(100)
" 2>/dev/null
  ping $F -c 2 -i 0.3 -W 1 $V >/dev/null; dig +time=1 +tries=1 @$R www.example AAAA >/dev/null 2>&1; sleep 0.$((RANDOM%9+1)); done' &
CL=$!
echo '{"capture": "'$(basename $OUT)'", "attackers": [{"ip": "'$(v6 66)'"}, {"ip": "198.18.0.66"}], "episodes": [' > $LBL
first=1
while read -r label cmd; do
  [ -z "$label" ] && continue; [[ $label == \#* ]] && continue
  sleep ${GAP:-3}
  ns=${P}a; [[ $label == *@* ]] && ns=${P}${label##*@}
  src=$(v6 66); [[ $label == *:v4 ]] && { src=198.18.0.66; label=${label%:v4}; }
  s=$(date +%s.%N)
  ip netns exec $ns timeout ${TMO:-30} bash -c "$cmd" >/dev/null 2>&1
  e=$(date +%s.%N)
  echo "ran $label ($(echo "$e - $s" | bc) s) at $s: $cmd" >&2
  [[ $label == normal* ]] && continue
  [ $first = 1 ] || echo ',' >> $LBL; first=0
  python3 -c 'import json,sys; print(json.dumps({"src": sys.argv[1], "label": sys.argv[2], "start": float(sys.argv[3]), "end": float(sys.argv[4]) + 2, "command": sys.argv[5]}))' "$src" "$label" $s $e "$cmd" >> $LBL
done < $ATT
echo '], "seed": '$SEED'}' >> $LBL
wait $CL 2>/dev/null
sleep 3
kill $TD; wait $TD 2>/dev/null
