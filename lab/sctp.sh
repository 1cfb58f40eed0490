#!/usr/bin/env bash
# sctp.sh OUT.pcap [SEED [SCALE]] -- SCTP associations (normal) beside the SCTP attacks that
# must stay alerted. (session 26, helper h4; after Wireshark's netperfmeter.pcapng, NetPerfMeter
# over SCTP, which the base alerted as an "SCTP flood")
#   198.18.0.0/24 on one bridge, no route out (checked): server .10 runs two servers of
#   lab/sctpperf.c (a tiny client and server on usrsctp, the user-space SCTP stack: real SCTP
#   over raw IP, no kernel SCTP module needed), a sink on 9001 and an echo on 9002; client .20
#   sends a bulk transfer to 9001 (DATA one way, SACKs back: 3000*SCALE messages of 1,200
#   bytes), client .21 talks to 9002 (DATA both ways: 600*SCALE messages of 100-400 bytes, 10 ms
#   apart) and then opens 8 short associations (5 messages each); attacker .66 runs nmap -sY
#   (INIT scan, 300 ports), nmap -sZ (COOKIE-ECHO scan, 300 ports) and an SCTP flood of raw IP
#   protocol-132 packets (hping3 --rawip -H 132, 3,000 packets), each labelled other-attack.
# SEED varies the order of the attacks, the ports scanned and the message sizes.
# tcpdump -s 96 on the bridge (OUT.pcap), OUT.labels.json. Needs root, a C compiler and the
# Debian packages libusrsctp-dev, nmap and hping3 (installed when missing). Every process
# under timeout and recorded; teardown deletes the script's namespaces (lib.sh, netlab.sh).
set -u
OUT=$1; SEED=${2:-1}; SCALE=${3:-1}
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
case "$SEED$SCALE" in *[!0-9]*) die "SEED and SCALE must be whole numbers" ;; esac
ensure_tools nmap:nmap hping3:hping3 cc:gcc
[ -e /usr/include/usrsctp.h ] || { apt-get install -y -q libusrsctp-dev >/dev/null 2>&1 || die "apt-get install libusrsctp-dev"; }
lab_begin "${PREFIX:-s26s$$}"
lab_tmpdir /tmp/nj-sctp.XXXXXX; T=$LAB_TMPDIR
cc -O2 -o "$T/sctpperf" "$LAB_DIR/sctpperf.c" -lusrsctp -lpthread || die "cc sctpperf.c"
RANDOM=$SEED
lab_switch b
lab_hosts 198.18.0.0/24 srv:10 cl:20 c2:21 atk:66
lab_check_routes
EP=$T/episodes
: >"$EP"
bg srv 400 "$T/sctpperf" server 198.18.0.10 390 9001 9002 2>>"$T/tool.log"
sleep 2
lab_capture b 400 br0 "$OUT" -s 96
sleep 1
# normal: the bulk transfer and the two-way association run beside the attacks
bg cl 300 "$T/sctpperf" client 198.18.0.20 198.18.0.10 9001 $((3000 * SCALE)) 1200 $((500 + RANDOM % 500)) 2>>"$T/tool.log"
BULK=$BG_PID
bg c2 300 bash -c "'$T/sctpperf' client 198.18.0.21 198.18.0.10 9002 $((600 * SCALE)) $((100 + RANDOM % 300)) 10000
  for i in 1 2 3 4 5 6 7 8; do '$T/sctpperf' client 198.18.0.21 198.18.0.10 9002 5 $((50 + RANDOM % 200)) 100000; sleep 1; done" 2>>"$T/tool.log"
TWO=$BG_PID
sleep 3
one_attack() {
    lab_run atk 120 bash -c "$2" >>"$T/tool.log" 2>&1
    lab_episode "$EP" 198.18.0.66 "$1" "$RUN_S" "$RUN_E" "$2"
    log "$1: $2 (rc $RUN_RC)"
    sleep 4
}
P0=$((1 + RANDOM % 2000))
A1="nmap -n -Pn -sY --max-retries 0 -p $P0-$((P0 + 299)) 198.18.0.10"
A2="nmap -n -Pn -sZ --max-retries 0 -p $((P0 + 300))-$((P0 + 599)) 198.18.0.10"
A3="hping3 --rawip -H 132 -d $((40 + RANDOM % 40)) -c 3000 -i u2000 198.18.0.10"
lines=("other-attack $A1" "other-attack $A2" "other-attack $A3")
for i in 0 1 2; do
    j=$((RANDOM % 3))
    t=${lines[i]}; lines[i]=${lines[j]}; lines[j]=$t
done
printf '%s\n' "${lines[@]}" >"$T/attacks"
lab_lines "$T/attacks" one_attack
wait "$BULK"; log "bulk transfer done (rc $?)"
wait "$TWO"; log "two-way and short associations done (rc $?)"
sleep 2
lab_capture_stop
cat "$T/tool.log" >&2
lab_labels "${OUT%.pcap}.labels.json" "$(basename "$OUT")" "$EP" 198.18.0.66
