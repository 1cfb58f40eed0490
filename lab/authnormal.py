#!/usr/bin/env python3
"""Legitimate logins for --scenario bruteforce (normal traffic, one process per kind).

Real OpenSSH and FTP clients logging in to the victim's sshd (22) and vsftpd (21) with the right
password or key, which must raise no password-guessing alert:

  interactive  three ssh sessions (-tt, password through SSH_ASKPASS, one of them mistyped once
               first: a failed password, then the right one on the same connection), each typing
               4-7 shell commands a key at a time (60-250 ms a key, 1-4 s between commands)
  transfer     an scp and an sftp download (key auth) of a 1 or 1.5 MiB file, in a drawn order, one
               in each half of the span
  loop         10-20 short ssh commands (key auth, a new connection each, as ansible runs them
               without ControlPersist) spread evenly over 50-65 s
  ftp          three FTP sessions (Python's ftplib, the right password, one mistyped once first):
               a listing, then 1-2 downloads of 2-400 KB each

The schedule is drawn from --seed (each kind from its own generator) over --span seconds from
the start; --print prints it. Every session is bounded by the span, by counts and by a timeout
(subprocess and socket timeouts). The target must be a lab address (198.18.0.0/15).
--make-home DIR writes the files the sessions fetch (random bytes or text, sizes in FILES).

    python3 lab/authnormal.py --seed 3133 --span 187 --print
    python3 lab/authnormal.py --seed 3133 --span 187 --kind loop --target 198.18.0.10 \\
        --user njlab --secret SECRET_FILE --key CLIENT_KEY --report REPORT_FILE
"""
import argparse
import ftplib
import ipaddress
import os
import random
import shutil
import subprocess
import tempfile
import time

# the files of the throwaway account's home (--make-home) and their sizes in bytes
FILES = {"notes.txt": 2_000, "app.log": 40_000, "report.pdf": 300_000, "logs.tar.gz": 400_000,
         "dataset.bin": 1 << 20, "backup.tar": 3 << 19}
TEXT = ("notes.txt", "app.log")
COMMANDS = ["ls -la", "uptime", "df -h", "free -m", "ps aux | head -15", "cat notes.txt",
            "tail -20 app.log", "who", "uname -a", "ls -l /tmp | head", "date", "id",
            "du -sh .", "grep -c GET app.log", "cat /proc/loadavg", "head -5 notes.txt"]
LOOP_COMMANDS = ["uptime", "df -h /", "free -m", "cat /proc/loadavg", "date -u", "id -un",
                 "ls | wc -l", "uname -r", "test -f notes.txt && echo present", "stat -c %s app.log"]
SSH_OPTS = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10"]


def interactive_plan(seed, span):
    r = random.Random(seed * 7919 + 61)
    mistyped = r.randrange(3)
    third = (span - 10) / 3
    return [(round(5 + i * third + r.uniform(0, max(0.0, third - 30)), 2), r.randint(4, 7), i == mistyped)
            for i in range(3)]


def transfer_plan(seed, span):
    r = random.Random(seed * 7919 + 67)
    kinds = ["scp", "sftp"]
    r.shuffle(kinds)
    files = r.sample(["dataset.bin", "backup.tar"], 2)
    half = (span - 10) / 2
    return [(round(5 + i * half + r.uniform(0, max(0.0, half - 15)), 2), k, f)
            for i, (k, f) in enumerate(zip(kinds, files))]


def loop_plan(seed, span):
    r = random.Random(seed * 7919 + 71)
    n, length = r.randint(10, 20), r.uniform(50, 65)
    start = r.uniform(5, max(5.0, span - length - 5))
    return round(start, 2), n, round(length, 2)


def ftp_plan(seed, span):
    r = random.Random(seed * 7919 + 73)
    mistyped = r.randrange(3)
    third = (span - 10) / 3
    names = [f for f in FILES if FILES[f] <= 400_000]
    return [(round(5 + i * third + r.uniform(0, max(0.0, third - 10)), 2), r.sample(names, r.randint(1, 2)),
             i == mistyped) for i in range(3)]


def wait_until(t):
    while time.time() < t:
        time.sleep(min(0.5, t - time.time()))


def askpass(tmp, secret, mistype):
    """An SSH_ASKPASS program in tmp that prints the password (a wrong one first if mistype)."""
    path = os.path.join(tmp, "askpass")
    flag = os.path.join(tmp, "mistype")
    if mistype:
        open(flag, "w").close()
    with open(path, "w") as f:
        f.write(f"#!/bin/sh\nif [ -e '{flag}' ]; then rm -f '{flag}'; echo 'hunter2-typo'; "
                f"else cat '{secret}'; fi\n")
    os.chmod(path, 0o700)
    return path


def run_interactive(a, r, t0, report):
    for n, (start, ncmd, mistype) in enumerate(interactive_plan(a.seed, a.span)):
        wait_until(t0 + start)
        if time.time() > t0 + a.span:
            return
        tmp = tempfile.mkdtemp(prefix="njauth-")
        env = dict(os.environ, SSH_ASKPASS=askpass(tmp, a.secret, mistype), SSH_ASKPASS_REQUIRE="force",
                   DISPLAY=":0")
        s0, typed = time.time(), 0
        try:
            p = subprocess.Popen(["ssh", "-tt", *SSH_OPTS, "-o", "PubkeyAuthentication=no",
                                  "-o", "PreferredAuthentications=password", f"{a.user}@{a.target}"],
                                 stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 env=env)
            time.sleep(r.uniform(1.5, 2.5))  # the login, and the prompt
            for cmd in r.sample(COMMANDS, ncmd) + ["exit"]:
                for ch in cmd + "\n":
                    p.stdin.write(ch.encode())
                    p.stdin.flush()
                    time.sleep(r.uniform(0.06, 0.25))
                typed += cmd != "exit"
                time.sleep(r.uniform(1.0, 4.0))
            p.stdin.close()
            rc = p.wait(timeout=15)
        except (OSError, subprocess.TimeoutExpired, BrokenPipeError) as e:
            rc = f"error {e.__class__.__name__}"
            p.kill()
        shutil.rmtree(tmp, ignore_errors=True)
        report(f"interactive {n + 1}: exit {rc}, {typed} commands typed, {time.time() - s0:.1f} s"
               f"{', password mistyped once first' if mistype else ''}")


def run_transfer(a, r, t0, report):
    for start, kind, name in transfer_plan(a.seed, a.span):
        wait_until(t0 + start)
        if time.time() > t0 + a.span:
            return
        tmp = tempfile.mkdtemp(prefix="njauth-")
        key = ["-i", a.key, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "PasswordAuthentication=no"]
        local = os.path.join(tmp, name)
        s0 = time.time()
        if kind == "scp":
            argv = ["scp", "-q", *key, *SSH_OPTS, f"{a.user}@{a.target}:{name}", local]
        else:
            batch = os.path.join(tmp, "batch")
            with open(batch, "w") as f:
                f.write(f"ls -l\nget {name} {local}\nbye\n")
            argv = ["sftp", "-q", "-b", batch, *key, *SSH_OPTS, f"{a.user}@{a.target}"]
        try:
            rc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                timeout=40).returncode
        except subprocess.TimeoutExpired:
            rc = "timeout"
        got = os.path.getsize(local) if os.path.exists(local) else 0
        shutil.rmtree(tmp, ignore_errors=True)
        report(f"{kind} {name}: exit {rc}, {got} bytes, {time.time() - s0:.1f} s")


def run_loop(a, r, t0, report):
    start, n, length = loop_plan(a.seed, a.span)
    wait_until(t0 + start)
    key = ["-i", a.key, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "PasswordAuthentication=no"]
    s0, ok = time.time(), 0
    for i in range(n):
        wait_until(s0 + i * length / n)
        if time.time() > t0 + a.span:
            break
        try:
            rc = subprocess.run(["ssh", *key, *SSH_OPTS, f"{a.user}@{a.target}", r.choice(LOOP_COMMANDS)],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                timeout=15).returncode
        except subprocess.TimeoutExpired:
            rc = -1
        ok += rc == 0
    report(f"loop: {ok} of {n} ssh commands exited 0, over {time.time() - s0:.1f} s")


def run_ftp(a, r, t0, report):
    with open(a.secret) as f:
        secret = f.read().strip()
    for n, (start, names, mistype) in enumerate(ftp_plan(a.seed, a.span)):
        wait_until(t0 + start)
        if time.time() > t0 + a.span:
            return
        got, s0, note = 0, time.time(), ""
        try:
            with ftplib.FTP(a.target, timeout=15) as f:
                if mistype:
                    try:
                        f.login(a.user, "hunter2-typo")
                    except ftplib.error_perm:
                        note = ", password mistyped once first"
                f.login(a.user, secret)
                time.sleep(r.uniform(0.5, 2.0))
                f.retrlines("LIST", lambda line: None)
                for name in names:
                    time.sleep(r.uniform(0.5, 3.0))
                    sizes = []
                    f.retrbinary(f"RETR {name}", lambda b: sizes.append(len(b)))
                    got += sum(sizes)
                f.quit()
            status = "ok"
        except (OSError, ftplib.Error, EOFError) as e:
            status = f"error {e.__class__.__name__}: {e}"
        report(f"ftp {n + 1}: {status}, {len(names)} files, {got} bytes, {time.time() - s0:.1f} s{note}")


def make_home(d):
    r = random.Random(7)
    for name, size in FILES.items():
        with open(os.path.join(d, name), "wb") as f:
            if name in TEXT:
                lines = []
                while sum(map(len, lines)) < size:
                    lines.append(f"198.18.0.{r.randint(20, 35)} - - \"GET /bytes/{r.randint(100, 9999)} HTTP/1.1\" "
                                 f"200 {r.randint(100, 9999)}\n")
                f.write("".join(lines).encode()[:size])
            else:
                f.write(os.urandom(size))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--span", type=float, default=0)
    ap.add_argument("--kind", choices=["interactive", "transfer", "loop", "ftp"])
    ap.add_argument("--target", default="198.18.0.10")
    ap.add_argument("--user", default="njlab")
    ap.add_argument("--secret", default="", help="a file holding the account's password")
    ap.add_argument("--key", default="", help="the client's private key (key auth)")
    ap.add_argument("--report", default="", help="append one line per session to this file")
    ap.add_argument("--print", action="store_true")
    ap.add_argument("--make-home", default="", help="write the files the sessions fetch into this directory")
    a = ap.parse_args()
    if a.make_home:
        make_home(a.make_home)
        return
    if a.print:
        for start, ncmd, mistype in interactive_plan(a.seed, a.span):
            note = ", password mistyped once first" if mistype else ""
            print(f"interactive: {start:7.2f} s, {ncmd} commands typed{note}")
        for start, kind, name in transfer_plan(a.seed, a.span):
            print(f"transfer: {start:7.2f} s, {kind} download of {name} ({FILES[name]} bytes)")
        start, n, length = loop_plan(a.seed, a.span)
        print(f"loop: {start:7.2f} s, {n} ssh commands over {length:.2f} s (a new connection each, key auth)")
        for start, names, mistype in ftp_plan(a.seed, a.span):
            print(f"ftp: {start:7.2f} s, {', '.join(names)}{', password mistyped once first' if mistype else ''}")
        return
    if ipaddress.ip_address(a.target) not in ipaddress.ip_network("198.18.0.0/15"):
        raise SystemExit(f"{a.target}: not a lab address (198.18.0.0/15)")

    def report(line):
        if a.report:
            with open(a.report, "a") as f:
                f.write(line + "\n")

    kinds = {"interactive": (run_interactive, 79), "transfer": (run_transfer, 83), "loop": (run_loop, 89),
             "ftp": (run_ftp, 97)}
    run, salt = kinds[a.kind]
    run(a, random.Random(a.seed * 7919 + salt), time.time(), report)


if __name__ == "__main__":
    main()
