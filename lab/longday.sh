#!/usr/bin/env bash
# lab/longday.sh IN.pcap OUT.pcap HOST [COPIES] -- a long day from a long run: keeps the TCP
# segments with SYN or RST (handshakes opened, refused, reset) sent or received by HOST in IN.pcap
# (a capture of lab/run.sh, e.g. --attacks none --busy --streams --periodic), and writes COPIES
# (default 2) of them one after the other, each shifted by the capture's span rounded up to the
# second (editcap -t, mergecap -a): the host's day repeated, its failed connections to closed
# ports adding up over hours. Reads and writes files only; sends nothing. Writes OUT.pcap and
# OUT.labels.json (no attackers: normal traffic).
set -euo pipefail
IN=$1; OUT=$2; HOST=$3; COPIES=${4:-2}
[[ "$HOST" =~ ^198\.1[89]\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || { echo "HOST must lie in 198.18.0.0/15" >&2; exit 2; }
[[ "$COPIES" =~ ^[1-9][0-9]?$ ]] || { echo "COPIES: 1-99" >&2; exit 2; }
T=$(mktemp -d /tmp/longday.XXXXXX)
trap 'rm -rf "$T"' EXIT
tcpdump -r "$IN" -w "$T/0.pcap" "host $HOST and tcp and (tcp[13] & 0x06 != 0)" 2>/dev/null
SPAN=$(capinfos -u -M "$IN" | awk -F': *' '/Capture duration/ {print int($2) + 1}')
files=("$T/0.pcap")
for ((k = 1; k < COPIES; k++)); do
    editcap -t $((k * SPAN)) "$T/0.pcap" "$T/$k.pcap"
    files+=("$T/$k.pcap")
done
mergecap -a -F pcap -w "$OUT" "${files[@]}"
printf '{\n "capture": "%s",\n "attackers": [],\n "episodes": []\n}\n' "$(basename "$OUT")" >"${OUT%.pcap}.labels.json"
