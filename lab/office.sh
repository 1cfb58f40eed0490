#!/usr/bin/env bash
# office.sh OUT.pcap CMDS_FILE [SEED] -- a Windows-style office LAN and the tools that attack it
# (session 20, helper h3): SMB file sharing, NetBIOS name service and datagrams (browser
# announcements and elections), LDAP, Kerberos, DHCP, DNS, LLMNR and WS-Discovery, then
# NetBIOS/SMB reconnaissance and password guessing from one attacker host.
# Tools (Debian packages): iproute2 tcpdump python3 python3-scapy samba smbclient samba-common-bin
# slapd ldap-utils krb5-kdc krb5-admin-server krb5-user dnsmasq wsdd; for the attacks nbtscan hydra nmap (the
# commands that need them are the ones in CMDS_FILE; lab/office.attacks is the one used).
#   198.18.0.0/24 (bridge br0, no route out (checked); a route to 224.0.0.0/4 on the link):
#   directory server "dc" .5 (slapd on 389, an MIT KDC on 88 for realm OFFICE.LAB, dnsmasq for DNS
#   on 53 and DHCP on 67 with a reservation per desktop and a pool .100-.199), file server "fs"
#   .10 (smbd on 445/139 with shares docs and scans, SMB1 allowed (as a legacy office has it, and
#   hydra's smb module needs it); nmbd: NetBIOS names, local and domain master browser of workgroup
#   OFFICE), desktops c1-c6 .21-.26 (each boots at a random time in the first ${BOOT:-20} s of the
#   capture: c1-c4 start nmbd too (name registration, host announcements, browser elections);
#   every desktop starts wsdd (WS-Discovery Hello/Bye, answers Probes)), two
#   guests g1, g2 with no address (a DHCP lease now and then, as a laptop joining), attacker .66.
#   Each desktop leases its address at start (DISCOVER/REQUEST from 0.0.0.0 to 255.255.255.255,
#   renewal by unicast every 60-120 s), then every 3-12 s does one of: resolve the file server
#   by NetBIOS broadcast (nmblookup to 198.18.0.255), by LLMNR or by DNS; list the shares; copy a
#   file from or to a share (smbclient, NTLM); an LDAP search (anonymous or bound as its user); a
#   Kerberos TGT and a service ticket (kinit from a keytab, kvno); a WS-Discovery Probe.
# Two unix users, njalice and njbob (no home, no shell), are made for Samba's password database
# when missing and removed at the end if this run made them.
# tcpdump -s ${SNAP:-96} on br0 (OUT.pcap). CMDS_FILE lines "LABEL COMMAND": run in the attacker
# namespace under timeout ${TMO:-90}, ${GAP:-10} s apart, after ${WARM:-60} s of normal traffic
# alone, with $FS (198.18.0.10), $NET (198.18.0.0/24) and $PW (a password list: 60 words, the
# right one 50th) in the environment; LABEL "normal" means not an attack (span written to
# OUT.normal.json). Each episode runs from the command's start to 2 s after it returned. SEED
# seeds the desktops' choices. Writes OUT.pcap, OUT.labels.json, OUT.normal.json and the tools'
# output in OUT.tool.log.
# shellcheck disable=SC2016 # the client loops in single quotes are expanded by their own bash
set -u
OUT=$1; CMDS=$2; SEED=${3:-1}; LBL=${OUT%.pcap}.labels.json; NRM=${OUT%.pcap}.normal.json
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lab/lib.sh
source "$HERE/lib.sh"
case "$SEED" in '' | *[!0-9]*) die "SEED must be a number" ;; esac
# The servers' packages start their own services when installed (smbd and nmbd would answer and
# broadcast on the host's own network): installed under a policy-rc.d that forbids it (made here
# only when the host has none, removed after). On a host with systemd their units are enabled
# still: `systemctl disable smbd nmbd slapd dnsmasq krb5-kdc krb5-admin-server wsdd` if unwanted.
office_install() {
    local t missing=() made=0
    for t in "$@"; do command -v "${t%%:*}" >/dev/null || missing+=("${t#*:}"); done
    [ "${#missing[@]}" -eq 0 ] && return 0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && made=1
    fi
    log "installing: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    [ "$made" = 1 ] && rm -f /usr/sbin/policy-rc.d
    return 0
}
office_install smbd:samba smbclient:smbclient nmblookup:samba-common-bin slapd:slapd \
    ldapsearch:ldap-utils krb5kdc:krb5-kdc kadmin.local:krb5-admin-server kinit:krb5-user dnsmasq:dnsmasq wsdd:wsdd \
    nbtscan:nbtscan hydra:hydra
ensure_tools hping3:hping3
PY=/usr/bin/python3 # Debian's, with python3-scapy
"$PY" -c 'import scapy' 2>/dev/null || {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-scapy >/dev/null
}
lab_begin "${PREFIX:-s20h3$$}"
MADE_USERS=()
office_down() {
    local u rc=$?
    for u in "${MADE_USERS[@]}"; do userdel "$u" 2>/dev/null; done
    lab_down "$rc"
}
trap office_down EXIT
lab_tmpdir /tmp/nj-office.XXXXXX; L=$LAB_TMPDIR; chmod 755 "$L"
for u in njalice njbob; do
    if ! id "$u" >/dev/null 2>&1; then
        useradd -r -M -N -s /usr/sbin/nologin "$u" || die "useradd $u"
        MADE_USERS+=("$u")
    fi
done
D=$((${DUR:-420} + 60))

lab_switch b
lab_host -i eth0 -m 02:18:00:00:00:05 dc 198.18.0.5/24
lab_host -i eth0 -m 02:18:00:00:00:0a fs 198.18.0.10/24
for i in 1 2 3 4 5 6; do lab_host -i eth0 -m "02:18:00:00:00:2$i" "c$i" "198.18.0.2$i/24"; done
lab_host -i eth0 -m 02:18:00:00:01:01 g1 -
lab_host -i eth0 -m 02:18:00:00:01:02 g2 -
lab_host -i eth0 -m 02:18:00:00:00:42 a 198.18.0.66/24
for h in dc fs c1 c2 c3 c4 c5 c6 a; do ns "$h" ip route add 224.0.0.0/4 dev eth0; done
lab_check_routes
# the capture sees the servers start and the desktops boot
lab_capture b $D br0 "$OUT" -s "${SNAP:-96}"
sleep 1

# --- directory server: LDAP, Kerberos, DNS + DHCP ---------------------------------------------
mkdir -p "$L/dc/ldap" "$L/dc/krb"
cat >"$L/dc/slapd.conf" <<EOF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile $L/dc/slapd.pid
argsfile $L/dc/slapd.args
database mdb
suffix "dc=office,dc=lab"
rootdn "cn=admin,dc=office,dc=lab"
rootpw adminpw
directory $L/dc/ldap
maxsize 10485760
access to attrs=userPassword by self read by anonymous auth by * none
access to * by * read
EOF
bg dc $D slapd -d 0 -f "$L/dc/slapd.conf" -h ldap://198.18.0.5/ >/dev/null 2>&1
{
    printf 'dn: dc=office,dc=lab\nobjectClass: dcObject\nobjectClass: organization\no: Office\ndc: office\n\n'
    printf 'dn: ou=people,dc=office,dc=lab\nobjectClass: organizationalUnit\nou: people\n\n'
    printf 'dn: ou=computers,dc=office,dc=lab\nobjectClass: organizationalUnit\nou: computers\n\n'
    for u in alice bob carol dave erin frank; do
        printf 'dn: uid=%s,ou=people,dc=office,dc=lab\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: %s\nmail: %s@office.lab\nuserPassword: %spw\n\n' \
            "$u" "$u" "$u" "$u" "$u" "$u"
    done
    for i in 1 2 3 4 5 6; do
        printf 'dn: cn=pc%s,ou=computers,dc=office,dc=lab\nobjectClass: device\ncn: pc%s\n\n' "$i" "$i"
    done
} >"$L/dc/base.ldif"
cat >"$L/krb5.conf" <<EOF
[libdefaults]
 default_realm = OFFICE.LAB
 dns_lookup_kdc = false
 dns_lookup_realm = false
 rdns = false
[realms]
 OFFICE.LAB = {
  kdc = 198.18.0.5
  admin_server = 198.18.0.5
 }
EOF
cat >"$L/dc/kdc.conf" <<EOF
[kdcdefaults]
 kdc_ports = 88
 kdc_tcp_ports = 88
[realms]
 OFFICE.LAB = {
  database_name = $L/dc/krb/principal
  key_stash_file = $L/dc/krb/stash
  acl_file = $L/dc/krb/kadm5.acl
 }
[logging]
 kdc = FILE:$L/dc/krb/kdc.log
EOF
export KRB5_CONFIG=$L/krb5.conf KRB5_KDC_PROFILE=$L/dc/kdc.conf
kdb5_util create -s -r OFFICE.LAB -P labmaster >/dev/null 2>&1 || die "kdb5_util create"
for u in alice bob carol dave erin frank; do
    kadmin.local -q "addprinc -pw ${u}pw $u" >/dev/null 2>&1
    kadmin.local -q "ktadd -k $L/$u.keytab -norandkey $u" >/dev/null 2>&1
done
kadmin.local -q "addprinc -randkey cifs/filesrv.office.lab" >/dev/null 2>&1
kadmin.local -q "addprinc -randkey ldap/dc.office.lab" >/dev/null 2>&1
chmod 644 "$L"/*.keytab
bg dc $D krb5kdc -n >/dev/null 2>&1
DH=()
for i in 1 2 3 4 5 6; do DH+=("--dhcp-host=02:18:00:00:00:2$i,198.18.0.2$i,pc$i"); done
bg dc $D dnsmasq --no-daemon --conf-file=/dev/null --user=root --interface=eth0 --bind-interfaces \
    --no-resolv --no-hosts --domain=office.lab --local=/office.lab/ \
    --address=/filesrv.office.lab/198.18.0.10 --address=/dc.office.lab/198.18.0.5 \
    --srv-host=_ldap._tcp.office.lab,dc.office.lab,389 --srv-host=_kerberos._udp.office.lab,dc.office.lab,88 \
    --dhcp-range=198.18.0.100,198.18.0.199,255.255.255.0,10m --dhcp-option=3 --dhcp-option=6,198.18.0.5 \
    --dhcp-option=44,198.18.0.10 --dhcp-option=46,8 --dhcp-authoritative "${DH[@]}" \
    --dhcp-leasefile="$L/dc/leases" --pid-file="$L/dc/dnsmasq.pid" --log-facility="$L/dc/dnsmasq.log" >/dev/null 2>&1

# --- Samba: the file server's smbd + nmbd, the desktops' nmbd -----------------------------------
smbconf() { # NAME NETBIOS OSLEVEL MASTER
    local d=$L/smb/$1
    mkdir -p "$d"/{private,lock,state,cache,pid,ncalrpc,docs,scans}
    cat >"$d/smb.conf" <<EOF
[global]
 workgroup = OFFICE
 netbios name = $2
 server string = $2
 interfaces = eth0
 bind interfaces only = yes
 server role = standalone server
 passdb backend = tdbsam:$d/private/passdb.tdb
 private dir = $d/private
 lock directory = $d/lock
 state directory = $d/state
 cache directory = $d/cache
 pid directory = $d/pid
 ncalrpc dir = $d/ncalrpc
 log file = $d/log.%m
 log level = 0
 os level = $3
 local master = yes
 preferred master = $4
 domain master = $4
 wins support = no
 dns proxy = no
 server min protocol = NT1
 ntlm auth = yes
 load printers = no
 printing = bsd
 printcap name = /dev/null
 disable spoolss = yes
 restrict anonymous = 0
 map to guest = never
[docs]
 path = $d/docs
 read only = no
 valid users = njalice njbob
[scans]
 path = $d/scans
 read only = yes
 guest ok = yes
EOF
    chmod 1777 "$d/docs" "$d/scans"
}
smbconf fs FILESRV 65 yes
for i in 1 2 3 4; do smbconf "c$i" "PC$i" 20 no; done
head -c 180000 /dev/urandom >"$L/smb/fs/docs/report.pdf"
head -c 60000 /dev/urandom >"$L/smb/fs/docs/budget.xlsx"
head -c 25000 /dev/urandom >"$L/smb/fs/scans/scan001.jpg"
for u in njalice njbob; do
    printf '%s\n%s\n' "${u}pw" "${u}pw" | smbpasswd -c "$L/smb/fs/smb.conf" -s -a "$u" >/dev/null 2>&1 ||
        die "smbpasswd $u"
done
bg fs $D smbd --foreground --no-process-group -s "$L/smb/fs/smb.conf" >/dev/null 2>&1
bg fs $D nmbd --foreground --no-process-group -s "$L/smb/fs/smb.conf" >/dev/null 2>&1
bg fs $D wsdd -i eth0 -4 -n FILESRV -w OFFICE >/dev/null 2>&1
sleep 2
ns dc ldapadd -x -H ldap://198.18.0.5/ -D cn=admin,dc=office,dc=lab -w adminpw -f "$L/dc/base.ldif" >/dev/null 2>&1 ||
    log "warning: ldapadd failed"

# the attacker's password list: 59 wrong, then the right one for njalice
{
    for w in 123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon 123123 \
        baseball abc123 football monkey letmein 696969 shadow master 666666 qwertyuiop 123321 \
        mustang 1234567890 michael 654321 superman 1qaz2wsx 7777777 121212 000000 qazwsx 123qwe \
        killer trustno1 jordan jennifer zxcvbnm asdfgh hunter buster soccer harley batman andrew \
        tigger sunshine iloveyou 2000 charlie robert thomas hockey ranger daniel starwars klaster \
        112233 george computer; do echo "$w"; done | head -49
    echo njalicepw
    for w in michelle jessica pepper 1111 zxcvbn 555555 11111111 131313 freedom 777777; do echo "$w"; done
} >"$L/pw.txt"


# --- the guests: a lease now and then ------------------------------------------------------------
for g in g1:01 g2:02; do
    bg "${g%%:*}" $D bash -c "RANDOM=$SEED${g##*:}; end=\$((SECONDS+${DUR:-420})); sleep \$((RANDOM%40+5))
        while [ \$SECONDS -lt \$end ]; do $PY $HERE/office.py dhcp eth0 02:18:00:00:01:${g##*:} 10 0
            sleep \$((RANDOM%120+60)); done" >/dev/null 2>>"$L/guests.log"
done

# --- the desktops ----------------------------------------------------------------------------
desk() { # N : desktop cN's day
    local n=$1 u=njalice k=alice
    [ $((n % 2)) = 0 ] && u=njbob k=bob
    cat <<EOF
RANDOM=$((SEED * 100 + n)); end=\$((SECONDS+${DUR:-420})); export KRB5_CONFIG=$L/krb5.conf KRB5CCNAME=FILE:$L/cc.c$n
sleep \$((RANDOM%${BOOT:-20})).\$((RANDOM%10))
$PY $HERE/office.py dhcp eth0 02:18:00:00:00:2$n ${DUR:-420} \$((RANDOM%60+60)) &
sleep 2
[ $n -le 4 ] && nmbd --foreground --no-process-group -s $L/smb/c$n/smb.conf &
wsdd -i eth0 -4 -n PC$n -w OFFICE &
sleep 3
i=0
while [ \$SECONDS -lt \$end ]; do
  i=\$((i+1))
  case \$((RANDOM%12)) in
    0|1) nmblookup -B 198.18.0.255 FILESRV ;;
    2) $PY $HERE/office.py llmnr \$( [ \$((RANDOM%2)) = 0 ] && echo filesrv || echo printer\$((RANDOM%4)) ) ;;
    3) $PY $HERE/office.py dns 198.18.0.5 \$( [ \$((RANDOM%2)) = 0 ] && echo filesrv.office.lab || echo _ldap._tcp.office.lab ) ;;
    4) smbclient -L //198.18.0.10 -U $u%${u}pw -m SMB3 -g ;;
    5|6) smbclient //198.18.0.10/docs -U $u%${u}pw -m SMB3 -c 'ls; get report.pdf /dev/null' ;;
    7) head -c \$((RANDOM*4+2000)) /dev/urandom > $L/up.c$n; smbclient //198.18.0.10/docs -U $u%${u}pw -c "put $L/up.c$n pc$n-\$i.tmp; ls; del pc$n-\$i.tmp" ;;
    8) smbclient //198.18.0.10/scans -N -c 'get scan001.jpg /dev/null' ;;
    9) ldapsearch -x -LLL -H ldap://198.18.0.5/ -b dc=office,dc=lab "(uid=$k)" cn mail ;;
    10) ldapsearch -x -LLL -H ldap://198.18.0.5/ -D uid=$k,ou=people,dc=office,dc=lab -w ${k}pw -b ou=computers,dc=office,dc=lab ;;
    11) kinit -k -t $L/$k.keytab $k && kvno cifs/filesrv.office.lab ; [ \$((RANDOM%3)) = 0 ] && $PY $HERE/office.py wsd ;;
  esac
  sleep \$((RANDOM%10+3)).\$((RANDOM%10))
done
wait
EOF
}
for i in 1 2 3 4 5 6; do
    bg "c$i" $D bash -c "$(desk "$i")" >"$L/desk.c$i.log" 2>&1
done
nap "${WARM:-60}"

# --- the attacks ---------------------------------------------------------------------------------
attack() { # LABEL COMMAND
    lab_run a "${TMO:-90}" env FS=198.18.0.10 NET=198.18.0.0/24 PW="$L/pw.txt" bash -c "$2" >>"${OUT%.pcap}.tool.log" 2>&1
    log "ran $1 rc=$RUN_RC ($(echo "$RUN_E - $RUN_S" | bc) s) at $RUN_S: $2"
    if [ "$1" = normal ]; then
        lab_episode "$L/normal" 198.18.0.66 normal "$RUN_S" "$(plus "$RUN_E" 2)" "$2"
    else
        lab_episode "$L/episodes" 198.18.0.66 "$1" "$RUN_S" "$(plus "$RUN_E" 2)" "$2"
    fi
    nap "${GAP:-10}"
}
: >"$L/episodes"; : >"$L/normal"
lab_lines "$CMDS" attack
lab_labels "$LBL" "$(basename "$OUT")" "$L/episodes" 198.18.0.66
lab_json_array "$NRM" "$L/normal"
nap "${TAIL:-20}"
lab_capture_stop
cat "$L"/desk.c*.log "$L/guests.log" >>"${OUT%.pcap}.tool.log" 2>/dev/null
cp "$L/dc/leases" "${OUT%.pcap}.leases" 2>/dev/null
