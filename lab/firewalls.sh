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
# shellcheck disable=SC2016 # the client loops in single quotes are expanded by their own bash
set -u
OUT=$(realpath "$1"); CMDS=$2; LBL=${OUT%.pcap}.labels.json; PHS=${OUT%.pcap}.phases.json
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
lab_begin "s16a$$"
lab_tmpdir /tmp/s16a.XXXXXX; L=$LAB_TMPDIR; mkdir "$L/www"; echo hello > "$L/www/index.html"; head -c 20000 /dev/urandom > "$L/www/page.bin"
LIFE=$(( ${DUR:-1500} + 3600 ))   # every process's bound
lab_routed 198.18.0 198.18.1 rt:0:1 v:0:10 c0:0:20 r:0:31 rt:1:1 a:1:66 c1:1:20
lab_check_routes
bg v $LIFE bash -c "cd $L/www && exec python3 -m http.server 80 --bind 198.18.0.10" >/dev/null 2>&1
bg v $LIFE socat UDP4-RECVFROM:7,fork EXEC:cat >/dev/null 2>&1
bg v $LIFE socat TCP4-LISTEN:22,fork,reuseaddr EXEC:cat >/dev/null 2>&1
bg r $LIFE dnsmasq --no-daemon --no-resolv --no-hosts --listen-address=198.18.0.31 --bind-interfaces \
  --address=/www.lab.example/198.18.0.10 --address=/mail.lab.example/198.18.0.10 \
  --pid-file="$L/dns.pid" >/dev/null 2>&1
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
  ns v nft flush ruleset; ns rt nft flush ruleset
  case $1 in
    open) ;;
    drop) victim_rules drop noecho | ns v nft -f - ;;
    adminprohibited) victim_rules "reject with icmp type admin-prohibited" echo | ns v nft -f - ;;
    hostprohibited) victim_rules "reject with icmp type host-prohibited" echo | ns v nft -f - ;;
    reject) victim_rules reject echo | ns v nft -f - ;;
    routerdrop) router_rules drop | ns rt nft -f - ;;
    routerreject) router_rules "reject with icmp type admin-prohibited" | ns rt nft -f - ;;
    *) echo "unknown ruleset $1" >&2; exit 1 ;;
  esac
}

lab_capture b1 $LIFE br0 "$OUT" -s 96
lab_capture b0 $LIFE br0 "${OUT%.pcap}.br0.pcap" -s 96
sleep 1
normal() { # $1 host
  bg "$1" $LIFE bash -c 'end=$((SECONDS+${DUR:-1500})); while [ $SECONDS -lt $end ]; do
    python3 -c "
import urllib.request,random
for i in range(random.randint(1,4)): urllib.request.urlopen(random.choice([\"http://198.18.0.10/index.html\",\"http://198.18.0.10/page.bin\"]),timeout=2).read()
" 2>/dev/null
    ping -c 2 -i 0.3 -W 1 198.18.0.10 >/dev/null
    dig +time=1 +tries=1 @198.18.0.31 $(shuf -n1 -e www mail).lab.example >/dev/null 2>&1
    [ $((RANDOM%3)) = 0 ] && echo hi | timeout 2 socat - UDP4:198.18.0.10:7 >/dev/null 2>&1
    sleep 0.$((RANDOM%9+1)); done'
}
normal c0; CL0=$BG_PID; normal c1; CL1=$BG_PID
fw=open; fws=$(date +%s.%N)
endphase() { printf '{"firewall": "%s", "start": %s, "end": %s}\n' "$fw" "$fws" "$(date +%s.%N)" >> "$L/phases"; }
attack() { # LABEL COMMAND
  nap "${GAP:-3}"
  if [ "$1" = @fw ]; then
    endphase; fw=$2; fws=$(date +%s.%N); set_fw "$fw"; log "firewall $fw"; return
  fi
  lab_run a "${TMO:-45}" bash -c "$2" >>"${OUT%.pcap}.tool.log" 2>&1
  log "ran $1 rc=$RUN_RC ($(echo "$RUN_E - $RUN_S" | bc) s) at $RUN_S: $2"
  lab_episode "$L/episodes" 198.18.1.66 "$1" "$RUN_S" "$(plus "$RUN_E" 2)" "$2" "\"firewall\": \"$fw\""
}
: >"$L/episodes"; : >"$L/phases"
lab_lines "$CMDS" attack
nap 3; endphase
lab_labels "$LBL" "$(basename "$OUT")" "$L/episodes" 198.18.1.66
lab_json_array "$PHS" "$L/phases"
kill "$CL0" "$CL1" 2>/dev/null; nap 1; lab_capture_stop
