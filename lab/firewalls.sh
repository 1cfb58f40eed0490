#!/usr/bin/env bash
# firewalls.sh OUT.pcap ATTACKS_FILE -- scans and floods against a firewalled victim (session 16;
# after lab/traces.sh). Two /24s of 198.18.0.0/15 joined by a router namespace:
#   net0 198.18.0.0/24 (bridge br0): router .1, victim .10 (HTTP on 80, tcp echo 22, udp echo 7),
#        client c0 .20, resolver r .31 (dnsmasq: www.lab.example)
#   net1 198.18.1.0/24 (bridge br1): router .1, attacker a .66, client c1 .20
# Hosts have only the route to the other /24 via the router (no default route); ip_forward=1 in the
# router namespace only. tcpdump -s 96 on br1 (OUT.pcap: the attacker's side) and on br0
# (OUT.br0.pcap: the victim's side). Both clients fetch pages, ping, ask DNS and use udp echo all
# along. Tools: iproute2 nftables tcpdump dnsmasq socat python3 nmap hping3 dnsutils.
# ATTACKS_FILE (lab/firewallplan.py makes one): "@fw NAME" switches the firewall (one ruleset at a
# time, the others flushed); "LABEL COMMAND" runs COMMAND in the attacker namespace under
# timeout ${TMO:-45} and labels it (OUT.labels.json, each episode with its "firewall"); phases
# are written to OUT.phases.json. Rulesets (nftables):
#   open             none
#   drop             victim: drop all inbound but established/related and its open services,
#                    ICMP echo too (a Windows firewall, a cloud security group)
#   adminprohibited  victim: the same services open, ICMP echo answered, the rest rejected with
#                    ICMP admin-prohibited (type 3 code 13; firewalld's default)
#   hostprohibited   the same, rejected with ICMP host-prohibited (code 10; RHEL's iptables)
#   reject           the same, rejected with ICMP port unreachable, TCP too (iptables' REJECT)
#   routerdrop       router: forwards to the victim only its open services (and DNS to the
#                    resolver, echo replies back), drops the rest; the victim's side sees nothing
#   routerreject     router: the same, the rest rejected with ICMP admin-prohibited from the router
set -u
OUT=$(realpath "$1"); CMDS=$2; LBL=${OUT%.pcap}.labels.json; PHS=${OUT%.pcap}.phases.json
P=s16a$$
L=$(mktemp -d /tmp/s16a.XXXXXX); mkdir $L/www; echo hello > $L/www/index.html; head -c 20000 /dev/urandom > $L/www/page.bin
NS="${P}b0 ${P}b1 ${P}rt ${P}v ${P}c0 ${P}r ${P}a ${P}c1"
cleanup() { for n in $NS; do ip netns pids $n 2>/dev/null | xargs -r kill 2>/dev/null; done; sleep 0.5
  for n in $NS; do ip netns pids $n 2>/dev/null | xargs -r kill -9 2>/dev/null; ip netns del $n 2>/dev/null; done; rm -rf $L; }
trap cleanup EXIT
for n in $NS; do ip netns add $n; ip -n $n link set lo up; ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1; done
for k in 0 1; do ip -n ${P}b$k link add br0 type bridge; ip -n ${P}b$k link set br0 up; done
i=0
# host:net:addr
for h in rt:0:1 v:0:10 c0:0:20 r:0:31 rt:1:1 a:1:66 c1:1:20; do
  n=${P}${h%%:*}; k=$(echo $h | cut -d: -f2); a=${h##*:}; i=$((i+1))
  ip link add e$i netns $n type veth peer name p$i netns ${P}b$k
  ip -n $n addr add 198.18.$k.$a/24 dev e$i; ip -n $n link set e$i up
  ip -n ${P}b$k link set p$i master br0; ip -n ${P}b$k link set p$i up
  [ ${h%%:*} = rt ] || ip -n $n route add 198.18.$((1-k)).0/24 via 198.18.$k.1
done
ip netns exec ${P}rt sysctl -qw net.ipv4.ip_forward=1
for n in $NS; do if ip -n $n route | grep -q default; then echo "default route in $n: abort" >&2; exit 1; fi; done
(cd $L/www && exec ip netns exec ${P}v python3 -m http.server 80 --bind 198.18.0.10) >/dev/null 2>&1 &
ip netns exec ${P}v socat UDP4-RECVFROM:7,fork EXEC:cat >/dev/null 2>&1 &
ip netns exec ${P}v socat TCP4-LISTEN:22,fork,reuseaddr EXEC:cat >/dev/null 2>&1 &
ip netns exec ${P}r dnsmasq --no-daemon --no-resolv --no-hosts --listen-address=198.18.0.31 --bind-interfaces \
  --address=/www.lab.example/198.18.0.10 --address=/mail.lab.example/198.18.0.10 \
  --pid-file=$L/dns.pid >/dev/null 2>&1 &
sleep 2

# The victim's rulesets: its open services, then the verdict for everything else.
victim_rules() { # $1 verdict for the rest, $2 "echo" to answer ICMP echo
  local echo=""; [ "$2" = echo ] && echo="icmp type echo-request accept"
  printf '%s\n' "table ip fw {" " chain input { type filter hook input priority 0; policy accept;" \
    "  iif lo accept" "  ct state established,related accept" "  tcp dport { 22, 80 } accept" \
    "  udp dport 7 accept" "  $echo" "  $1" " }" "}"
}
# The router's: forward to the victim its services, DNS to the resolver; the rest gets $1.
router_rules() {
  printf '%s\n' "table ip fw {" " chain forward { type filter hook forward priority 0; policy accept;" \
    "  ct state established,related accept" "  ip daddr 198.18.0.10 tcp dport { 22, 80 } accept" \
    "  ip daddr 198.18.0.10 udp dport 7 accept" "  ip daddr 198.18.0.31 udp dport 53 accept" \
    "  ip saddr 198.18.0.0/24 accept" "  $1" " }" "}"
}
set_fw() {
  ip netns exec ${P}v nft flush ruleset; ip netns exec ${P}rt nft flush ruleset
  case $1 in
    open) ;;
    drop) victim_rules drop noecho | ip netns exec ${P}v nft -f - ;;
    adminprohibited) victim_rules "reject with icmp type admin-prohibited" echo | ip netns exec ${P}v nft -f - ;;
    hostprohibited) victim_rules "reject with icmp type host-prohibited" echo | ip netns exec ${P}v nft -f - ;;
    reject) victim_rules reject echo | ip netns exec ${P}v nft -f - ;;
    routerdrop) router_rules drop | ip netns exec ${P}rt nft -f - ;;
    routerreject) router_rules "reject with icmp type admin-prohibited" | ip netns exec ${P}rt nft -f - ;;
    *) echo "unknown ruleset $1" >&2; exit 1 ;;
  esac
}

ip netns exec ${P}b1 tcpdump -i br0 -s 96 -w $OUT -U >/dev/null 2>&1 & TD1=$!
ip netns exec ${P}b0 tcpdump -i br0 -s 96 -w ${OUT%.pcap}.br0.pcap -U >/dev/null 2>&1 & TD0=$!
sleep 1
normal() { # $1 namespace
  ip netns exec $1 bash -c 'end=$((SECONDS+${DUR:-1500})); while [ $SECONDS -lt $end ]; do
    python3 -c "
import urllib.request,random
for i in range(random.randint(1,4)): urllib.request.urlopen(random.choice([\"http://198.18.0.10/index.html\",\"http://198.18.0.10/page.bin\"]),timeout=2).read()
" 2>/dev/null
    ping -c 2 -i 0.3 -W 1 198.18.0.10 >/dev/null
    dig +time=1 +tries=1 @198.18.0.31 $(shuf -n1 -e www mail).lab.example >/dev/null 2>&1
    [ $((RANDOM%3)) = 0 ] && echo hi | timeout 2 socat - UDP4:198.18.0.10:7 >/dev/null 2>&1
    sleep 0.$((RANDOM%9+1)); done' &
}
normal ${P}c0; CL0=$!; normal ${P}c1; CL1=$!
echo '{"capture": "'$(basename $OUT)'", "attackers": [{"ip": "198.18.1.66"}], "episodes": [' > $LBL
echo '[' > $PHS
first=1; fw=open; fws=$(date +%s.%N); firstp=1
endphase() { [ $firstp = 1 ] || echo ',' >> $PHS; firstp=0
  echo "{\"firewall\": \"$fw\", \"start\": $fws, \"end\": $(date +%s.%N)}" >> $PHS; }
while read -r label cmd; do
  [ -z "$label" ] && continue; [[ $label == \#* ]] && continue
  if [ "$label" = @fw ]; then
    sleep ${GAP:-3}; endphase; fw=$cmd; fws=$(date +%s.%N); set_fw $fw; echo "firewall $fw" >&2; continue
  fi
  sleep ${GAP:-3}
  s=$(date +%s.%N)
  ip netns exec ${P}a timeout ${TMO:-45} bash -c "$cmd" >>${OUT%.pcap}.tool.log 2>&1
  rc=$?; e=$(date +%s.%N)
  echo "ran $label rc=$rc ($(echo "$e - $s" | bc) s) at $s: $cmd" >&2
  c=$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$cmd")
  [ $first = 1 ] || echo ',' >> $LBL; first=0
  echo "{\"src\": \"198.18.1.66\", \"label\": \"$label\", \"start\": $s, \"end\": $(echo "$e + 2" | bc), \"firewall\": \"$fw\", \"command\": $c}" >> $LBL
done < $CMDS
sleep 3; endphase
echo ']}' >> $LBL; echo ']' >> $PHS
kill $CL0 $CL1 2>/dev/null; sleep 1; kill $TD1 $TD0; wait $TD1 $TD0 2>/dev/null
