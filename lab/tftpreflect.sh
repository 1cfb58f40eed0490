#!/usr/bin/env bash
# tftpreflect.sh OUT SEED [REFLECTORS [COUNT [RATE [VPORT [FILE [BOOTS [KIB]]]]]]] -- TFTP reflection floods
# (CIC-DDoS2019's largest vector) beside real TFTP downloads, captured at both ends:
# OUT.refl.pcap on the reflectors' link (the forged read requests, the answers and the victim's
# refusals, as a mirror port of their switch sees them) and OUT.victim.pcap on the victim's link
# (the answers alone, and the victim's refusals). (session 28)
#   198.18.0.0/15 on one bridge, no route out (checked): victim .0.10, attacker .0.66, three TFTP
#   clients .0.21-.0.23, and one reflector namespace holding REFLECTORS (default 20) addresses
#   198.18.1.1.. on one leg, served by one real tftpd-hpa (in.tftpd -L: a new process and a new
#   port of the address asked for each transfer, as RFC 1350 §4 has it) from a root holding a
#   PXE tree: pxelinux.0 (42 KiB), pxelinux.cfg/default, boot/vmlinuz (KIB KiB, default 1024),
#   boot/initrd.img (half as large).
#   The normal look-alikes, the whole run and alone for its first 30 s: three clients at once
#   reading the tree from the first three servers (tftp-hpa's `tftp` for the large files,
#   curl's tftp:// with its tsize and blksize options: OACK first), each asking first for a
#   per-host config that is not there (pxelinux.cfg/01-MAC: ERROR "File not found", as a PXE
#   boot does), again and again 3-7 s apart (BOOTS 0, the default) or BOOTS times 20-29 s apart;
#   and the victim itself reading pxelinux.0 every 4-6 s.
#   The attacker sends COUNT (default 300) forged read requests for pxelinux.0 at RATE a second
#   (default 150) from the victim's address, port VPORT (default 0: a random port each, as
#   booters' scripts), to the reflectors in turn (lab/amplifiers.py spoof tftp: a raw socket,
#   IP_HDRINCL); FILE (default pxelinux.0) the file asked for ("none": a file no server has, so
#   that every answer is an ERROR).
# Labels (OUT.labels.json, for both captures): one `flood-udp` episode per reflector, from the
# attack's start to 16 s after it ended (tftpd-hpa resends block 1 after 1, 2, 4 and 8 s until a
# refusal reaches it: the flood's answers go on 15 s after its last request).
# Needs root, python3, tftpd-hpa, tftp-hpa, curl, tcpdump. Every process under timeout and
# recorded; the forged source is the lab's own victim; the spoofer is bounded by COUNT and its
# time; teardown deletes the script's namespaces (lib.sh, netlab.sh).
set -u
OUT=${1:?OUT}
SEED=${2:?SEED}
NREF=${3:-20}
COUNT=${4:-300}
RATE=${5:-150}
VPORT=${6:-0}
FILE=${7:-pxelinux.0}
BOOTS=${8:-0}
KIB=${9:-1024}
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
case "$SEED$NREF$COUNT$RATE$VPORT$BOOTS$KIB" in *[!0-9.]*) die "SEED, REFLECTORS, COUNT, RATE, VPORT, BOOTS and KIB must be numbers" ;; esac
if [ "$KIB" -lt 64 ] || [ "$KIB" -gt 4096 ]; then die "KIB: 64 to 4096"; fi
if [ "$NREF" -lt 3 ] || [ "$NREF" -gt 250 ]; then die "REFLECTORS: 3 to 250"; fi
case "$FILE" in pxelinux.0 | none) ;; *) die "FILE: pxelinux.0 or none" ;; esac
ensure_tools in.tftpd:tftpd-hpa tftp:tftp-hpa curl:curl tcpdump:tcpdump
VICTIM=198.18.0.10
RUN_SECS=300
lab_begin "s28h1$$"
lab_tmpdir /tmp/njtftp.XXXXXX
WORK=$LAB_TMPDIR
lab_switch b br0 mcast_snooping 0
lab_host -i eth0 v "$VICTIM/15"
lab_host -i eth0 a 198.18.0.66/15
lab_host -i eth0 c1 198.18.0.21/15
lab_host -i eth0 c2 198.18.0.22/15
lab_host -i eth0 c3 198.18.0.23/15
lab_host -i eth0 r 198.18.1.1/15
REFL=()
for i in $(seq 1 "$NREF"); do
    REFL+=("198.18.1.$i")
    [ "$i" = 1 ] || ns r ip addr add "198.18.1.$i/15" dev eth0
done
for h in v a c1 c2 c3 r; do ns "$h" ethtool -K eth0 tso off gso off gro off >/dev/null 2>&1 || true; done
# the attacker reaches the reflectors through its uplink, not by ARP on the victim's LAN
RMAC=$(ns r cat /sys/class/net/eth0/address)
for r in "${REFL[@]}"; do ns a ip neigh replace "$r" lladdr "$RMAC" nud permanent dev eth0; done
lab_check_routes

# the servers: one tftpd-hpa on every address of the reflector namespace, a PXE tree
ROOT=$WORK/tftp
mkdir -p "$ROOT/pxelinux.cfg" "$ROOT/boot"
head -c $((42 * 1024)) /dev/urandom >"$ROOT/pxelinux.0"
printf 'DEFAULT linux\nLABEL linux\n  KERNEL boot/vmlinuz\n  APPEND initrd=boot/initrd.img\n' >"$ROOT/pxelinux.cfg/default"
head -c $((KIB * 1024)) /dev/urandom >"$ROOT/boot/vmlinuz"
head -c $((KIB * 512)) /dev/urandom >"$ROOT/boot/initrd.img"
chmod -R a+rX "$WORK"
bg r "$RUN_SECS" in.tftpd -L -u root -a 0.0.0.0:69 -s "$ROOT"
sleep 2
lab_capture r "$RUN_SECS" eth0 "$OUT.refl.pcap" -n -s 96
lab_capture v "$RUN_SECS" eth0 "$OUT.victim.pcap" -n -s 96
sleep 2

# the normal look-alikes: a PXE boot's reads, three clients at once, and the victim's own
pxe() { # pxe CLIENT SERVER SEED: a PXE boot's reads, again and again (or BOOTS times), bounded by RUN_SECS
    local c=$1 s=$2 seed=$3 loop="while :" gap="3 + RANDOM % 5"
    [ "$BOOTS" = 0 ] || { loop="for b in \$(seq $BOOTS)"; gap="20 + RANDOM % 10"; }
    bg "$c" "$RUN_SECS" bash -c "RANDOM=$seed; $loop; do
        timeout 10 tftp -m binary $s -c get pxelinux.cfg/01-02-18-00-00-00-$seed /dev/null
        timeout 20 curl -s -o /dev/null tftp://$s/pxelinux.0
        timeout 10 tftp -m binary $s -c get pxelinux.cfg/default /dev/null
        timeout 60 tftp -m binary $s -c get boot/vmlinuz /dev/null
        timeout 60 curl -s -o /dev/null tftp://$s/boot/initrd.img
        sleep \$(($gap))
    done"
}
pxe c1 "${REFL[0]}" "$SEED"
pxe c2 "${REFL[1]}" "$((SEED + 1))"
pxe c3 "${REFL[2]}" "$((SEED + 2))"
bg v "$RUN_SECS" bash -c "RANDOM=$((SEED + 3)); while :; do
    timeout 20 tftp -m binary ${REFL[0]} -c get pxelinux.0 /dev/null; sleep \$((4 + RANDOM % 3)); done"
NORMAL_S=$(now)
nap 30
log "normal look-alikes alone: $NORMAL_S - $(now)"

: >"$WORK/episodes"
secs=$(echo "$COUNT / $RATE + 10" | bc)
cmd="python3 lab/amplifiers.py spoof $secs $((SEED + 10)) $VICTIM $VPORT tftp $RATE $COUNT 198.18.1.1..$NREF"
[ "$FILE" = none ] && cmd="$cmd (TFTP_FILE=none)"
lab_run a "$secs" env TFTP_FILE="$FILE" "$PY" "$LAB_DIR/amplifiers.py" spoof "$secs" "$((SEED + 10))" "$VICTIM" "$VPORT" tftp "$RATE" "$COUNT" "${REFL[@]}"
log "tftp: $RUN_S - $RUN_E (rc $RUN_RC)"
e=$(plus "$RUN_E" 16)
for r in "${REFL[@]}"; do lab_episode "$WORK/episodes" "$r" flood-udp "$RUN_S" "$e" "$cmd"; done
nap 25
lab_capture_stop
lab_labels "$OUT.labels.json" "$(basename "$OUT").pcap" "$WORK/episodes" "${REFL[*]}" "\"normal_alone\": [$NORMAL_S, $(plus "$NORMAL_S" 30)], \"victim\": \"$VICTIM\""
log "wrote $OUT.refl.pcap, $OUT.victim.pcap and $OUT.labels.json"
