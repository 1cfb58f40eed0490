#!/usr/bin/env bash
# quicretry.sh [--name NAME] [--seed S] [--out DIR] -- a QUIC client whose Initials go unanswered
# (session 25, helper h1; after nDPI's tests/pcap/quic_interop_V.pcapng, an interop client's
# Initials to 8 servers on 443/4433/4434, each sent again with exponential back-off, mostly
# unanswered, which the base build alerted as two UDP scans), beside real UDP scans of few ports.
#   198.18.0.0/24 on one bridge, no route out (checked): QUIC server q .10 (lab/quicpeer.py, aioquic,
#   on 443; python3 http.server on 80); d1-d3 .11-.13 drop every datagram to 443, 4433 and 4434
#   with nftables (no ICMP: a blocked UDP path); r1, r2 .21-.22 have those ports closed (ICMP port
#   unreachables); QUIC client c .20; normal client n .30 (curl to q:80 and pings, in a loop);
#   attacker a .66.
# Client rounds (normal: labelled spans in NAME.normal.json): c connects at once to every
#   drop host's three ports and q:443 (variant a), to every closed host's three ports and q:443
#   (variant b), then to all of them (the interop run), each attempt bounded by TRY to TRY + 4 s
#   (seeded; TRY=8 unless set in the environment).
# Attacks from a (labelled scan-udp): nmap -sU of a few ports of a closed host, nmap -sU -p
#   443,4433,4434 of the drop and closed hosts, hping3 --udp on a few ports of a closed host,
#   nmap -sU --max-retries 8 of the drop hosts' three ports. Each under timeout, bounded by its
#   port list and count.
# tcpdump -s 128 on the bridge. Writes OUT/NAME.pcap, NAME.labels.json, NAME.normal.json and
# NAME.tool.log. Needs root, nmap, hping3, nftables, openssl, curl and aioquic (pip install
# aioquic). Every process under timeout and recorded; teardown deletes the namespaces.
set -u
LAB_DIR="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=lab/lib.sh
source "$LAB_DIR/lib.sh"
run_args quicretry 1 2,24 "$@"
python3 -c 'import aioquic' 2>/dev/null || die "aioquic missing: pip install aioquic"
ensure_tools nmap:nmap hping3:hping3 nft:nftables openssl:openssl curl:curl
RANDOM=$SEED
PCAP=$OUT/$NAME.pcap LBL=$OUT/$NAME.labels.json NRM=$OUT/$NAME.normal.json LOG=$OUT/$NAME.tool.log
: >"$LOG"
lab_begin "${PREFIX:-s25h1$$}"
lab_tmpdir /tmp/nj-quicretry.XXXXXX; L=$LAB_TMPDIR; chmod 755 "$L"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=q.lab.example \
    -keyout "$L/key.pem" -out "$L/cert.pem" >/dev/null 2>&1 || die "openssl req"
lab_switch b
lab_hosts 198.18.0.0/24 q:10 d1:11 d2:12 d3:13 r1:21 r2:22 c:20 n:30 a:66
lab_check_routes
for h in d1 d2 d3; do
    ns "$h" nft -f - <<'NFT' || die "nft in $h"
table inet quicretry {
    chain in { type filter hook input priority 0; udp dport { 443, 4433, 4434 } drop; }
}
NFT
done
D=420
bg q $D python3 "$LAB_DIR/quicpeer.py" server 198.18.0.10 443 "$L/cert.pem" "$L/key.pem" $((D - 10)) >>"$LOG" 2>&1
bg q $D python3 -m http.server 80 --bind 198.18.0.10 >/dev/null 2>&1
sleep 2
lab_capture b $D br0 "$PCAP" -s 128
sleep 1
# shellcheck disable=SC2016 # expanded by the client's own bash
bg n $D bash -c 'while :; do curl -s -m 2 -o /dev/null http://198.18.0.10/
    ping -c 2 -i 0.3 -W 1 198.18.0.1$((RANDOM%4)) >/dev/null; sleep 0.$((RANDOM%9+1)); done' >/dev/null 2>&1
CL=$BG_PID
nap 5
: >"$L/episodes"; : >"$L/normal"
targets() { local h p; for h in "$@"; do for p in 443 4433 4434; do printf '198.18.0.%s:%s ' "$h" "$p"; done; done; echo 198.18.0.10:443; }
quic() { # WHAT TARGET_HOSTS...
    local what=$1 t=$((${TRY:-8} + RANDOM % 5)) tg
    shift
    read -ra tg <<<"$(targets "$@")"
    lab_run c $((t + 10)) python3 "$LAB_DIR/quicpeer.py" client "$t" "${tg[@]}" >>"$LOG" 2>&1
    log "quic $what rc=$RUN_RC at $RUN_S"
    lab_episode "$L/normal" 198.18.0.20 normal "$RUN_S" "$(plus "$RUN_E" 2)" "quicpeer.py client $t ${tg[*]}"
    nap $((5 + RANDOM % 4))
}
attack() { # COMMAND
    lab_run a 120 bash -c "$1" >>"$LOG" 2>&1
    log "attack rc=$RUN_RC at $RUN_S: $1"
    lab_episode "$L/episodes" 198.18.0.66 scan-udp "$RUN_S" "$(plus "$RUN_E" 2)" "$1"
    nap $((6 + RANDOM % 4))
}
quic drop 11 12 13
quic closed 21 22
quic all 11 12 13 21 22
attack "nmap -sU -Pn -n -p 53,69,123,161,443,500,1900,4433,5353,11211 198.18.0.21"
attack "nmap -sU -Pn -n -p 443,4433,4434 198.18.0.11-13 198.18.0.21-22"
attack "for p in 443 4433 4434 5000 5001; do hping3 --udp -p \$p -c 4 -i u200000 198.18.0.22; done"
attack "nmap -sU -Pn -n --max-retries 8 -p 443,4433,4434 198.18.0.11-13"
lab_labels "$LBL" "$NAME.pcap" "$L/episodes" 198.18.0.66
lab_json_array "$NRM" "$L/normal"
nap 6
kill "$CL" 2>/dev/null
nap 1
lab_capture_stop
log "wrote $PCAP ($(tcpdump -r "$PCAP" 2>/dev/null | wc -l) packets), $LBL, $NRM"
