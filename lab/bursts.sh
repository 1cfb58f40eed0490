#!/usr/bin/env bash
# lab/bursts.sh OUT.pcap -- bursts of ordinary, complete connections beside floods of the same
# size (for the burst check of the episodes, crates/ids/src/detect.rs "Bursts of connections").
# Run as root. Writes OUT.pcap (tcpdump -s 96 on the bridge) and OUT.labels.json.
#
# One bridge, 198.18.0.0/24 (no route out). The victim .10 serves a site of a page with 100
# resources, 400 small files, a directory of 150 and a git repository of 181 loose objects
# (made in a scratch directory) with Python's http.server on port 80 (HTTP/1.0: a connection
# per request) and nginx without keep-alive on 8080. A background client .20 fetches an image
# or a few and pings now and then. The bursting client .21 runs, 5 s apart: ab -n 150 -c 8,
# ab -n 200 -c 4, a headless Chromium page load, a curl loop over 120 files, git clone over
# dumb HTTP. The attacker .66 runs siege -b -c 25 -r 14 (350 connections, labelled flood-syn)
# and hping3 -S -c 200 (half-open, flood-syn) among them. Every command under a timeout.
# shellcheck disable=SC2016 # the client loops in single quotes are expanded by their own bash
set -u
OUT=$1; LBL=${OUT%.pcap}.labels.json
# shellcheck source=lab/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
lab_begin "bst$$"
lab_tmpdir /tmp/nj-bursts.XXXX; W=$LAB_TMPDIR; S=$W/site; chmod 755 "$W"  # nginx workers read the site
# the site
mkdir -p $S/img $S/files $S/small
python3 - "$S" <<'PY'
import os, random, sys
os.chdir(sys.argv[1]); random.seed(7); res = []
for i in range(60):
    open(f"img/i{i}.png", "wb").write(os.urandom(random.randint(800, 6000))); res.append(f'<img src="img/i{i}.png">')
for i in range(20):
    open(f"img/s{i}.css", "w").write("body{}\n" * random.randint(20, 200)); res.append(f'<link rel="stylesheet" href="img/s{i}.css">')
for i in range(20):
    open(f"img/j{i}.js", "w").write("var x=1;\n" * random.randint(20, 200)); res.append(f'<script src="img/j{i}.js"></script>')
open("index.html", "w").write("<html><body>" + "\n".join(res) + "</body></html>")
for d, p, n in (("files", "f", 400), ("small", "g", 150)):
    links = []
    for i in range(n):
        open(f"{d}/{p}{i}.txt", "w").write("line\n" * random.randint(10, 400)); links.append(f'<a href="{p}{i}.txt">{i}</a>')
    open(f"{d}/index.html", "w").write("<html><body>" + "\n".join(links) + "</body></html>")
PY
git init -q $W/repo && for i in $(seq 60); do echo "v$i $i" > $W/repo/f$((i%20)).txt
  git -C $W/repo add -A; git -C $W/repo -c user.email=lab@lab.test -c user.name=lab commit -qm c$i; done
git clone -q --bare $W/repo $S/repo.git && git -C $S/repo.git update-server-info
cat > $W/nginx.conf <<EOF
worker_processes 1; pid $W/nginx.pid; daemon off; error_log $W/nginx.err;
events { worker_connections 1024; }
http { access_log off; keepalive_timeout 0; sendfile on;
  types { text/html html; text/css css; application/javascript js; image/png png; text/plain txt; }
  server { listen 198.18.0.10:8080; root $S; server_name _; } }
EOF
# the LAN (IPv6 left on in the switch, as it always was)
lab_switch -6 b
lab_hosts 198.18.0.0/24 v:10 a:66 c:20 d:21
lab_check_routes
bg v 300 python3 -m http.server 80 --bind 198.18.0.10 --directory "$S" >/dev/null 2>&1
bg v 300 nginx -c "$W/nginx.conf" >/dev/null 2>&1
sleep 1
lab_capture b 300 br0 "$OUT" -s 96
sleep 1
bg c 200 bash -c 'while :; do python3 -c "
import urllib.request, random
for i in range(random.randint(1, 4)): urllib.request.urlopen(\"http://198.18.0.10/img/i%d.png\" % random.randint(0, 59), timeout=2).read()
" 2>/dev/null; ping -c 2 -i 0.3 -W 1 198.18.0.10 >/dev/null; sleep 0.$((RANDOM%9+1)); done'
CL=$BG_PID
U=http://198.18.0.10; N=http://198.18.0.10:8080
RUNS=(
  "d|ab -q -n 150 -c 8 $U/"
  "d|ab -q -n 200 -c 4 $N/img/j2.js"
  "d|chromium --headless --no-sandbox --disable-gpu --user-data-dir=$W/chr --dump-dom $N/index.html"
  "a|siege -b -q --no-parser -c 25 -r 14 $N/img/i2.png"
  "d|for i in \$(seq 120); do curl -s -o /dev/null $U/files/f\$i.txt; done"
  "d|git clone -q $U/repo.git $W/clone"
  "a|hping3 -S -p 80 -i u1000 -c 200 198.18.0.10"
)
: >"$W/episodes"
for r in "${RUNS[@]}"; do h=${r%%|*}; cmd=${r#*|}
  nap 5
  lab_run "$h" 25 bash -c "$cmd" >/dev/null 2>&1
  # shellcheck disable=SC2153 # RUN_S and RUN_E are lab_run's
  log "ran on .$h ($(echo "$RUN_E - $RUN_S" | bc) s) at $RUN_S: $cmd"
  [ "$h" = a ] || continue
  lab_episode "$W/episodes" 198.18.0.66 flood-syn "$RUN_S" "$(plus "$RUN_E" 2)" "$cmd"
done
lab_labels "$LBL" "$(basename "$OUT")" "$W/episodes" 198.18.0.66
nap 3
kill "$CL" 2>/dev/null; nap 1; lab_capture_stop
