#!/usr/bin/env bash
# Side-by-side load harness: Hecate against nginx, HAProxy and Caddy on this machine.
#
#   bash benchmarks/compare.sh
#
# Runs as root on Debian 12 (installs what is missing with apt-get), on loopback only. A backend
# (nginx serving static files of 1 KiB and 64 KiB) and the load generators (wrk, h2load) run on
# CPU 1; the proxy under test runs alone on CPU 0 with one worker. For every proxy and workload it
# measures requests/s, p50/p99 latency and the proxy's CPU time per request (user + sys of all
# its processes from /proc, divided by the requests served), then the resident memory of each
# proxy holding 10,000 idle keep-alive connections. It rewrites the generated part of
# docs/benchmarks.md and the chart docs/benchmarks-cpu.png. Every run is bounded in time and
# every process it starts is stopped on exit. A whole run takes 6 to 8 minutes, plus up to
# LOAD_WAIT seconds waiting for a quiet machine.
#
# Settings (environment):
#   DURATION=10          seconds measured per proxy and workload
#   ROUNDS=1             measured runs per proxy and workload; the one with the median CPU per
#                        request is reported, with the range of all (3 for steadier figures)
#   WARMUP=3             unmeasured seconds before each measurement (JVM_WARMUP for Hecate)
#   JVM_WARMUP=5         same, for Hecate
#   HECATE_WARMUP=10     one more unmeasured run when Hecate starts, so the JIT has compiled
#   CONNECTIONS=50       HTTP/1.1 connections (wrk -t1 -cN)
#   H2_CLIENTS=10 H2_STREAMS=10   HTTP/2 connections and concurrent streams on each (h2load)
#   IDLE_CONNECTIONS=10000        idle keep-alive connections for the memory figure
#   PROXIES="hecate nginx haproxy caddy"
#   WORKLOADS="h1-1k h1-64k h1-close h2c h2-tls tls-new"
#   LOAD_MAX=1.5 LOAD_WAIT=120    before starting, wait (at most LOAD_WAIT s) for the 1-minute
#                                 load average to drop below LOAD_MAX
#   BASE_PORT=19080      backend on BASE_PORT, proxies on BASE_PORT+1 (h1), +2 (h2c), +363 (TLS)
#   PROXY_CPU=0 LOAD_CPU=1
#   OUT_MD=docs/benchmarks.md OUT_PNG=docs/benchmarks-cpu.png   (OUT_MD=- writes nothing)
#   KEEP_WORK=1          keep the temporary directory (configs, logs, raw outputs)
#   HECATE_BENCH_JAVA_OPTS  JVM options for Hecate (default below)
#   HECATE_JAR=PATH      measure this jar instead of building the checkout with ./hecate
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$repo"

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
JVM_WARMUP=${JVM_WARMUP:-5}
HECATE_WARMUP=${HECATE_WARMUP:-10}
CONNECTIONS=${CONNECTIONS:-50}
H2_CLIENTS=${H2_CLIENTS:-10}
H2_STREAMS=${H2_STREAMS:-10}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-10000}
PROXIES=${PROXIES:-"hecate nginx haproxy caddy"}
WORKLOADS=${WORKLOADS:-"h1-1k h1-64k h1-close h2c h2-tls tls-new"}
LOAD_MAX=${LOAD_MAX:-1.5}
LOAD_WAIT=${LOAD_WAIT:-120}
BASE_PORT=${BASE_PORT:-19080}
PROXY_CPU=${PROXY_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
OUT_MD=${OUT_MD:-$repo/docs/benchmarks.md}
OUT_PNG=${OUT_PNG:-$repo/docs/benchmarks-cpu.png}
KEEP_WORK=${KEEP_WORK:-0}
ROUNDS=${ROUNDS:-1}
HECATE_BENCH_JAVA_OPTS=${HECATE_BENCH_JAVA_OPTS:-"-XX:ActiveProcessorCount=1 -Xms256m -Xmx256m -Dio.netty.leakDetection.level=disabled"}

BACKEND_PORT=$BASE_PORT
H1_PORT=$((BASE_PORT + 1))
H2C_PORT=$((BASE_PORT + 2))
TLS_PORT=$((BASE_PORT + 363))
CLK_TCK=$(getconf CLK_TCK)

log() { printf '%s compare.sh: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "$*"; exit 1; }

[[ $EUID -eq 0 ]] || die "run as root (it installs packages and raises limits)"
(( $(nproc) >= 2 )) || die "needs 2 CPUs: the proxy on one, the backend and load generator on the other"

# ---------------------------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------------------------
install_missing() {
    local -a pkgs=()
    command -v nginx >/dev/null || pkgs+=(nginx-light)
    command -v haproxy >/dev/null || pkgs+=(haproxy)
    command -v caddy >/dev/null || pkgs+=(caddy)
    command -v wrk >/dev/null || pkgs+=(wrk)
    command -v h2load >/dev/null || pkgs+=(nghttp2-client)
    command -v gnuplot >/dev/null || pkgs+=(gnuplot-nox)
    command -v openssl >/dev/null || pkgs+=(openssl)
    command -v curl >/dev/null || pkgs+=(curl)
    command -v python3 >/dev/null || pkgs+=(python3)
    command -v taskset >/dev/null || pkgs+=(util-linux)
    command -v ss >/dev/null || pkgs+=(iproute2)
    command -v java >/dev/null || pkgs+=(openjdk-17-jdk-headless)
    command -v mvn >/dev/null || pkgs+=(maven)
    ((${#pkgs[@]})) || return 0
    log "installing ${pkgs[*]}"
    # Installing nginx, haproxy or caddy would start their system services: forbid that.
    local policy=/usr/sbin/policy-rc.d made_policy=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && made_policy=1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
    ((made_policy)) && rm -f "$policy"
    return 0
}
install_missing

# File descriptors: 10,000 idle connections need more than the usual 1024.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if (( $(ulimit -n) < IDLE_CONNECTIONS + 500 )); then
    log "open-file limit $(ulimit -n) is too low for $IDLE_CONNECTIONS idle connections; using $(( $(ulimit -n) - 500 ))"
    IDLE_CONNECTIONS=$(( $(ulimit -n) - 500 ))
fi

# Everything this script runs, except the proxy under test, stays on the load CPU.
taskset -cp "$LOAD_CPU" $$ >/dev/null

# ---------------------------------------------------------------------------------------------
# Work directory and process bookkeeping
# ---------------------------------------------------------------------------------------------
WORK=$(mktemp -d /tmp/hecate-compare.XXXXXX)
declare -a STARTED=()

cleanup() {
    local rc=$? p
    trap - EXIT INT TERM
    for p in "${STARTED[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${STARTED[@]}"; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    if [[ $KEEP_WORK == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start NAME CMD...: runs CMD in the background, output to $WORK/NAME.log; sets LAST_PID.
start() {
    local name=$1; shift
    "$@" >"$WORK/$name.log" 2>&1 &
    LAST_PID=$!
    STARTED+=("$LAST_PID")
}

stop() {
    local pid=$1
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    local -a rest=()
    for p in "${STARTED[@]}"; do [[ $p == "$pid" ]] || rest+=("$p"); done
    STARTED=("${rest[@]}")
}

port_free() { ! ss -Hltn "( sport = :$1 )" | grep -q .; }

# wait_http PID URL: until the URL answers, at most 60 s, while the process PID lives.
wait_http() {
    local pid=$1 url=$2
    for _ in $(seq 300); do
        curl -s -o /dev/null --max-time 2 "$url" && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.2
    done
    return 1
}

# The process and its descendants (nginx: master and worker).
proc_tree() {
    local -a tree=("$1")
    local i=0 f line rest
    while ((i < ${#tree[@]})); do
        local parent=${tree[i]}
        i=$((i + 1))
        for f in /proc/[0-9]*/stat; do
            { read -r line <"$f"; } 2>/dev/null || continue
            rest=${line##*) }
            # shellcheck disable=SC2086  # the fields after "(comm) ", split on purpose
            set -- $rest
            [[ $2 == "$parent" ]] && tree+=("${f//[!0-9]/}")
        done
    done
    echo "${tree[@]}"
}

# User + system clock ticks of the given processes (all their threads).
cpu_ticks() {
    local total=0 p line rest
    for p in "$@"; do
        { read -r line <"/proc/$p/stat"; } 2>/dev/null || continue
        rest=${line##*) }
        # shellcheck disable=SC2086  # the fields after "(comm) ", split on purpose
        set -- $rest
        total=$((total + ${12} + ${13}))
    done
    echo "$total"
}

rss_kib() {
    local total=0 p v
    for p in "$@"; do
        v=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || true)
        total=$((total + ${v:-0}))
    done
    echo "$total"
}

# "busy total" clock ticks of one CPU from /proc/stat.
cpu_line() {
    awk -v c="cpu$1" '$1 == c { busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, busy + $5 + $6 }' /proc/stat
}

# ---------------------------------------------------------------------------------------------
# Helpers written in Python: output parsing, idle connections, the report
# ---------------------------------------------------------------------------------------------
cat >"$WORK/parse.py" <<'PY'
"""parse.py wrk|h2load OUTPUT [H2LOAD_LOG]: prints `requests rps p50_ms p99_ms errors`."""
import re, sys

def ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]

kind, path = sys.argv[1], sys.argv[2]
text = open(path, errors="replace").read()
if kind == "wrk":
    total = int(re.search(r"(\d+) requests in", text).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    pct = dict((p, ms(v, u)) for p, v, u in re.findall(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    bad = int(non2xx.group(1)) if non2xx else 0
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    errors = bad + (sum(int(x) for x in sock.groups()) if sock else 0)
    print(total - bad, rps, pct.get("50", float("nan")), pct.get("99", float("nan")), errors)
else:
    m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout", text)
    succeeded, failed, errored, timeout = int(m.group(4)), int(m.group(5)), int(m.group(6)), int(m.group(7))
    rps = float(re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", text).group(1))
    durations = []
    with open(sys.argv[3]) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[1].startswith(("2", "3")):
                durations.append(int(parts[2]))
    durations.sort()
    def q(p):
        return durations[min(len(durations) - 1, int(p * len(durations)))] / 1000.0 if durations else float("nan")
    print(succeeded, rps, q(0.50), q(0.99), failed + errored + timeout)
PY

cat >"$WORK/idle.py" <<'PY'
"""idle.py HOST PORT N STATUS_FILE RELEASE_FILE LIMIT_S: opens N connections, sends one keep-alive
GET / request on each (at most 100 at a time), reads the response, keeps them open, writes
`held errors first_error` to STATUS_FILE, and closes them all when RELEASE_FILE appears or LIMIT_S
seconds after the start, whichever comes first."""
import asyncio, os, sys, time

host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
status_file, release_file, limit = sys.argv[4], sys.argv[5], float(sys.argv[6])
request = f"GET /1k HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
start = time.monotonic()

async def one(sem, held, errors):
    async with sem:
        writer = None
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 10)
            writer.write(request)
            head = (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)).decode("latin-1")
            lines = head.split("\r\n")
            status = int(lines[0].split()[1])
            length = [int(l.split(":", 1)[1]) for l in lines[1:] if l.lower().startswith("content-length:")]
            if not length:
                raise ValueError("response without Content-Length")
            await asyncio.wait_for(reader.readexactly(length[0]), 10)
            if status != 200:
                raise ValueError(f"status {status}")
            held.append((reader, writer))
        except Exception as e:  # counted and reported, the run goes on
            errors.append(repr(e))
            if writer is not None:
                writer.close()

async def main():
    held, errors = [], []
    sem = asyncio.Semaphore(100)
    tasks = [asyncio.ensure_future(one(sem, held, errors)) for _ in range(n)]
    done, pending = await asyncio.wait(tasks, timeout=max(1.0, limit / 2))
    for t in pending:
        t.cancel()
    if pending:
        errors.append(f"{len(pending)} not done in time")
    with open(status_file + ".tmp", "w") as f:
        f.write(f"{len(held)} {len(errors)} {errors[0] if errors else '-'}\n")
    os.rename(status_file + ".tmp", status_file)
    while not os.path.exists(release_file) and time.monotonic() - start < limit:
        await asyncio.sleep(0.1)
    closed_by_peer = sum(1 for r, _ in held if r.at_eof())
    with open(status_file + ".closed", "w") as f:
        f.write(f"{closed_by_peer}\n")
    for _, w in held:
        w.close()

asyncio.run(main())
PY

cat >"$WORK/report.py" <<'PY'
"""report.py WORK OUT_MD CHART_DATA: renders the generated section of docs/benchmarks.md and the
chart's data file from WORK/results.tsv, WORK/memory.tsv and WORK/env.tsv."""
import csv, math, os, sys

work, out_md, chart_data = sys.argv[1], sys.argv[2], sys.argv[3]
BEGIN = "<!-- BEGIN GENERATED by benchmarks/compare.sh: do not edit by hand, run it again -->"
END = "<!-- END GENERATED -->"
NAMES = {"hecate": "Hecate", "nginx": "nginx", "haproxy": "HAProxy", "caddy": "Caddy"}
WORKLOADS = {
    "h1-1k": ("HTTP/1.1 keep-alive, 1 KiB", "wrk -t1 -c{CONNECTIONS} --latency http://…/1k"),
    "h1-64k": ("HTTP/1.1 keep-alive, 64 KiB", "wrk -t1 -c{CONNECTIONS} --latency http://…/64k"),
    "h1-close": ("HTTP/1.1, new connection per request, 1 KiB", "wrk -t1 -c{CONNECTIONS} --latency -H 'Connection: close' http://…/1k"),
    "h2c": ("h2c (prior knowledge), multiplexed, 1 KiB", "h2load -t1 -c{H2_CLIENTS} -m{H2_STREAMS} http://…/1k"),
    "h2-tls": ("h2 over TLS, multiplexed, 1 KiB", "h2load -t1 -c{H2_CLIENTS} -m{H2_STREAMS} https://…/1k"),
    "tls-new": ("new TLS connection per request (HTTP/1.1), 1 KiB", "wrk -t1 -c{CONNECTIONS} --latency -H 'Connection: close' https://…/1k"),
}

def read_tsv(name):
    path = os.path.join(work, name)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return list(csv.DictReader(f, delimiter="\t"))

env = {r["key"]: r["value"] for r in read_tsv("env.tsv")}
results = read_tsv("results.tsv")
memory = read_tsv("memory.tsv")
proxies = env["proxies"].split()
workloads = env["workloads"].split()
by = {(r["proxy"], r["workload"]): r for r in results}

def num(v, fmt):
    try:
        x = float(v)
    except (TypeError, ValueError):
        return "–"
    return "–" if math.isnan(x) else fmt.format(x)

out = [BEGIN, ""]
out.append(f"Generated {env['date']} by `{env['command']}` "
           f"(DURATION={env['DURATION']} s measured per run, ROUNDS={env['ROUNDS']} run(s) per proxy and workload "
           f"(the median by CPU per request is shown), after {env['WARMUP']} s of warm-up, "
           f"{env['JVM_WARMUP']} s for Hecate plus {env['HECATE_WARMUP']} s when it starts).")
out.append("")
out.append("### Machine")
out.append("")
out.append("| | |")
out.append("| --- | --- |")
for key in ("cpus", "cpu_model", "kernel", "os", "memory", "load_start", "load_end"):
    out.append(f"| {key.replace('_', ' ')} | {env.get(key, '?')} |")
out.append("")
out.append("### Versions")
out.append("")
out.append("| tool | version |")
out.append("| --- | --- |")
for key in sorted(k for k in env if k.startswith("version_")):
    out.append(f"| {key[len('version_'):]} | {env[key]} |")
out.append("")
out.append("### CPU time per request (µs), by workload")
out.append("")
out.append("User + system time of all the proxy's processes, from `/proc/<pid>/stat`, divided by the "
           "requests it served in the measured run. Lower is better.")
out.append("")
peers = [p for p in proxies if p != "hecate"]
ratios = "hecate" in proxies and peers
head = "| workload | " + " | ".join(NAMES[p] for p in proxies) + " |"
if ratios:
    head += " Hecate ÷ cheapest peer | Hecate ÷ Caddy |" if "caddy" in peers else " Hecate ÷ cheapest peer |"
out.append(head)
out.append("| --- |" + " ---: |" * (head.count("|") - 2))

def cpu(p, w):
    r = by.get((p, w))
    try:
        return float(r["cpu_us"]) if r and r["status"] == "ok" else None
    except ValueError:
        return None

chart_rows = []
for w in workloads:
    cells, values = [], []
    for p in proxies:
        r = by.get((p, w))
        if r is None:
            cells.append("not run"); values.append("n/a")
        elif r["status"] == "ok":
            cells.append(num(r["cpu_us"], "{:.1f}")); values.append(num(r["cpu_us"], "{:.1f}"))
        else:
            cells.append(r["note"]); values.append("n/a")
    if ratios:
        h = cpu("hecate", w)
        known = [cpu(p, w) for p in peers if cpu(p, w)]
        cells.append(f"{h / min(known):.2f}" if h and known else "–")
        if "caddy" in peers:
            c = cpu("caddy", w)
            cells.append(f"{h / c:.2f}" if h and c else "–")
    out.append(f"| {WORKLOADS[w][0]} | " + " | ".join(cells) + " |")
    chart_rows.append((w, values))
out.append("")
out.append("![CPU time per proxied request](benchmarks-cpu.png)")
out.append("")
out.append("### Every run")
out.append("")
out.append("*req/s*, *p50* and *p99* depend on what else runs on the machine; *CPU µs/req* much less. "
           "*proxy CPU* is the proxy's share of its CPU during the run (100 % = saturated); "
           "*others on CPU 0* is the time other processes took from the proxy's CPU; "
           "*CPU 1 busy* shows whether the backend and load generator were the limit.")
for w in workloads:
    title, cmd = WORKLOADS[w]
    cmd = cmd.format(**env)
    out.append("")
    out.append(f"#### {title}")
    out.append("")
    out.append(f"`{cmd}` for {env['DURATION']} s")
    out.append("")
    rounds = int(env["ROUNDS"]) > 1
    out.append("| proxy | req/s | p50 ms | p99 ms | CPU µs/req |" + (" range of rounds |" if rounds else "")
               + " proxy CPU | others on CPU 0 | CPU 1 busy | errors | load avg |")
    out.append("| --- |" + " ---: |" * (10 if rounds else 9))
    for p in proxies:
        r = by.get((p, w))
        if r is None:
            continue
        if r["status"] != "ok":
            out.append(f"| {NAMES[p]} | {r['note']} |" + " |" * (9 if rounds else 8))
            continue
        out.append(f"| {NAMES[p]} | {num(r['rps'], '{:,.0f}')} | {num(r['p50_ms'], '{:.2f}')} | "
                   f"{num(r['p99_ms'], '{:.2f}')} | **{num(r['cpu_us'], '{:.1f}')}** | "
                   + (f"{r['cpu_range']} | " if rounds else "") +
                   f"{num(r['proxy_pct'], '{:.0f}')} % | {num(r['others_pct'], '{:.0f}')} % | "
                   f"{num(r['cpu1_pct'], '{:.0f}')} % | {r['errors']} | {r['load1']} |")
out.append("")
out.append(f"### Memory with {env['IDLE_CONNECTIONS']} idle keep-alive connections")
out.append("")
out.append("Resident memory (VmRSS, summed over the proxy's processes) after the load runs, then while it "
           "holds the idle connections (each opened, used for one `GET /1k`, kept open).")
out.append("")
out.append("| proxy | RSS before MiB | RSS holding MiB | RSS per connection KiB | JVM heap live before → holding MiB | heap per connection KiB | connections held | failed | closed by the proxy while idle |")
out.append("| --- |" + " ---: |" * 8)
for m in memory:
    if m["status"] != "ok":
        out.append(f"| {NAMES[m['proxy']]} | {m['note']} |" + " |" * 7)
        continue
    before, holding, held = int(m["rss_before_kib"]), int(m["rss_kib"]), int(m["held"])
    per = (holding - before) / held if held else float("nan")
    heap, heap_per = "–", "–"
    if m["heap_kib"] not in ("-", "") and m["heap_before_kib"] not in ("-", ""):
        hb, hh = float(m["heap_before_kib"]), float(m["heap_kib"])
        heap = f"{hb / 1024:.1f} → {hh / 1024:.1f}"
        heap_per = f"{(hh - hb) / held:.1f}" if held else "–"
    out.append(f"| {NAMES[m['proxy']]} | {before / 1024:.1f} | {holding / 1024:.1f} | {num(per, '{:.1f}')} | "
               f"{heap} | {heap_per} | {held} | {m['errors']} | {m['closed_early']} |")
out.append("")
out.append("### Reproduce")
out.append("")
out.append("```sh")
out.append("bash benchmarks/compare.sh            # as root on Debian 12 with 2 CPUs; 6 to 8 minutes")
out.append("DURATION=30 PROXIES='hecate nginx' bash benchmarks/compare.sh   # longer runs, fewer proxies")
out.append("```")
out.append("")
out.append("The configurations are in [benchmarks/conf/](../benchmarks/conf/); the script's header lists every setting.")
out.append("")
out.append(END)
generated = "\n".join(out) + "\n"

if os.path.exists(out_md):
    text = open(out_md).read()
else:
    text = "# Benchmarks\n\n"
if BEGIN in text and END in text:
    before = text[:text.index(BEGIN)]
    after = text[text.index(END) + len(END):]
    text = before + generated.rstrip("\n") + after
else:
    text = text.rstrip("\n") + "\n\n" + generated
with open(out_md, "w") as f:
    f.write(text)

with open(chart_data, "w") as f:
    f.write("workload " + " ".join(NAMES[p] for p in proxies) + "\n")
    labels = {"h1-1k": "h1 1 KiB", "h1-64k": "h1 64 KiB", "h1-close": "h1 new conn",
              "h2c": "h2c", "h2-tls": "h2 TLS", "tls-new": "new TLS conn"}
    for w, values in chart_rows:
        f.write(f"\"{labels[w]}\" " + " ".join(values) + "\n")
PY

# ---------------------------------------------------------------------------------------------
# Certificates, files, configs
# ---------------------------------------------------------------------------------------------
mkdir -p "$WORK/www" "$WORK/backend-tmp" "$WORK/nginx-tmp" "$WORK/caddy"
# Base64 of 3n random bytes is exactly 4n characters; no truncating pipe (a SIGPIPE under pipefail).
head -c 768 /dev/urandom | base64 -w 0 >"$WORK/www/1k"
head -c 49152 /dev/urandom | base64 -w 0 >"$WORK/www/64k"
echo ok >"$WORK/www/index.html"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 7 \
    -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
cat "$WORK/cert.pem" "$WORK/key.pem" >"$WORK/combined.pem"

render() {
    sed -e "s|@WORK@|$WORK|g" -e "s|@BACKEND@|127.0.0.1:$BACKEND_PORT|g" \
        -e "s|@BACKEND_PORT@|$BACKEND_PORT|g" -e "s|@H1_PORT@|$H1_PORT|g" \
        -e "s|@H2C_PORT@|$H2C_PORT|g" -e "s|@TLS_PORT@|$TLS_PORT|g" \
        -e "s|@CERT@|$WORK/cert.pem|g" -e "s|@KEY@|$WORK/key.pem|g" -e "s|@PEM@|$WORK/combined.pem|g" \
        "$repo/benchmarks/conf/$1" >"$WORK/$1"
}
for f in backend-nginx.conf nginx.conf haproxy.cfg Caddyfile hecate.yaml; do render "$f"; done

# ---------------------------------------------------------------------------------------------
# Hecate's jar, versions, the machine
# ---------------------------------------------------------------------------------------------
# The jar is copied, so a rebuild in the checkout while this runs changes nothing.
hecate_src=$repo
if [[ " $PROXIES " == *" hecate "* ]]; then
    if [[ -n ${HECATE_JAR:-} ]]; then
        [[ -f $HECATE_JAR ]] || die "HECATE_JAR=$HECATE_JAR: no such file"
        hecate_src=$(git -C "$(dirname "$HECATE_JAR")" rev-parse --show-toplevel 2>/dev/null || echo "$repo")
        cp "$HECATE_JAR" "$WORK/hecate.jar"
    else
        log "building Hecate if needed (./hecate)"
        if ! "$repo/hecate" version >/dev/null 2>"$WORK/hecate-build.log"; then
            cat "$WORK/hecate-build.log" >&2
            die "could not build or run Hecate"
        fi
        cp "$repo/control-agent/target/hecate.jar" "$WORK/hecate.jar"
    fi
    java -jar "$WORK/hecate.jar" version >"$WORK/hecate-version.txt" 2>&1 || die "$WORK/hecate.jar does not run"
fi

env_tsv=$WORK/env.tsv
printf 'key\tvalue\n' >"$env_tsv"
put_env() { printf '%s\t%s\n' "$1" "$(printf '%s' "$2" | tr '\t\n|' '  /')" >>"$env_tsv"; }
put_env date "$(date -u '+%Y-%m-%d %H:%M UTC')"
put_env command "bash benchmarks/compare.sh"
for k in DURATION ROUNDS WARMUP JVM_WARMUP HECATE_WARMUP CONNECTIONS H2_CLIENTS H2_STREAMS IDLE_CONNECTIONS; do
    put_env "$k" "${!k}"
done
put_env proxies "$PROXIES"
put_env workloads "$WORKLOADS"
put_env cpus "$(nproc --all) (proxy on CPU $PROXY_CPU; backend, load generator and this script on CPU $LOAD_CPU)"
put_env cpu_model "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
put_env kernel "$(uname -sr)"
put_env os "Debian $(cat /etc/debian_version 2>/dev/null || echo '?')"
put_env memory "$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
put_env version_nginx "$(nginx -v 2>&1 | sed 's/^nginx version: //')"
put_env version_haproxy "$(haproxy -v 2>&1 | head -1 | sed 's/ - https.*//')"
put_env version_caddy "$(caddy version 2>&1 | head -1)"
put_env version_wrk "$(wrk -v 2>&1 | head -1 | sed 's/ Copyright.*//' || true)"
put_env version_h2load "$(h2load --version 2>&1 | head -1)"
put_env version_openssl "$(openssl version)"
put_env version_java "$(java -version 2>&1 | sed -n 2p)"
put_env version_python3 "$(python3 --version 2>&1)"
put_env version_gnuplot "$(gnuplot --version 2>&1)"
if [[ -f $WORK/hecate-version.txt ]]; then
    commit=$(git -C "$hecate_src" rev-parse --short HEAD 2>/dev/null || echo '?')
    if ! git -C "$hecate_src" diff --quiet HEAD -- '*.java' '*pom.xml' 2>/dev/null; then
        commit="$commit with uncommitted changes"
    fi
    put_env version_hecate "$(head -1 "$WORK/hecate-version.txt"), commit $commit; JVM options: $HECATE_BENCH_JAVA_OPTS (Serial GC by ergonomics on one CPU)"
fi

# ---------------------------------------------------------------------------------------------
# The backend
# ---------------------------------------------------------------------------------------------
for port in "$BACKEND_PORT" "$H1_PORT" "$H2C_PORT" "$TLS_PORT"; do
    port_free "$port" || die "port $port is in use (set BASE_PORT=...)"
done
start backend taskset -c "$LOAD_CPU" nginx -p "$WORK" -e "$WORK/backend.error.log" -c "$WORK/backend-nginx.conf"
wait_http "$LAST_PID" "http://127.0.0.1:$BACKEND_PORT/1k" || die "the backend did not start: $(cat "$WORK/backend.log" "$WORK/backend.error.log" 2>/dev/null)"
[[ $(curl -s "http://127.0.0.1:$BACKEND_PORT/64k" | wc -c) == 65536 ]] || die "the backend serves the wrong /64k"

# ---------------------------------------------------------------------------------------------
# Proxies
# ---------------------------------------------------------------------------------------------
# start_proxy NAME: starts it on PROXY_CPU; sets PROXY_PID and PROXY_H2C_PORT.
start_proxy() {
    PROXY_H2C_PORT=$H2C_PORT
    case $1 in
        nginx)
            start nginx taskset -c "$PROXY_CPU" nginx -p "$WORK" -e "$WORK/nginx.error.log" -c "$WORK/nginx.conf" ;;
        haproxy)
            start haproxy taskset -c "$PROXY_CPU" haproxy -db -f "$WORK/haproxy.cfg" ;;
        caddy)
            start caddy env GOMAXPROCS=1 HOME="$WORK/caddy" XDG_DATA_HOME="$WORK/caddy" XDG_CONFIG_HOME="$WORK/caddy" \
                taskset -c "$PROXY_CPU" caddy run --config "$WORK/Caddyfile" --adapter caddyfile ;;
        hecate)
            # h2c is detected on the HTTP/1.1 listener.
            PROXY_H2C_PORT=$H1_PORT
            # What ./hecate runs, from the copied jar. Options are words: split on purpose.
            # shellcheck disable=SC2086
            start hecate taskset -c "$PROXY_CPU" java $HECATE_BENCH_JAVA_OPTS -Dhecate.home="$hecate_src" \
                -jar "$WORK/hecate.jar" run --config "$WORK/hecate.yaml" ;;
        *) die "unknown proxy $1" ;;
    esac
    PROXY_PID=$LAST_PID
    if ! wait_http "$PROXY_PID" "http://127.0.0.1:$H1_PORT/1k"; then
        log "$1 did not start:"; tail -20 "$WORK/$1.log" >&2
        return 1
    fi
}

# supports WORKLOAD: does the proxy under test answer this kind of request correctly?
supports() {
    local got
    case $1 in
        h1-1k)    got=$(curl -s -o /dev/null -w '%{http_code} %{size_download} %{http_version}' --max-time 5 "http://127.0.0.1:$H1_PORT/1k") ;;
        h1-64k)   got=$(curl -s -o /dev/null -w '%{http_code} %{size_download} %{http_version}' --max-time 5 "http://127.0.0.1:$H1_PORT/64k") ;;
        h1-close) got=$(curl -s -o /dev/null -w '%{http_code} %{size_download} %{http_version}' --max-time 5 -H 'Connection: close' "http://127.0.0.1:$H1_PORT/1k") ;;
        h2c)      got=$(curl -s -o /dev/null -w '%{http_code} %{size_download} %{http_version}' --max-time 5 --http2-prior-knowledge "http://127.0.0.1:$PROXY_H2C_PORT/1k") ;;
        h2-tls)   got=$(curl -sk -o /dev/null -w '%{http_code} %{size_download} %{http_version}' --max-time 5 --http2 "https://127.0.0.1:$TLS_PORT/1k") ;;
        tls-new)  got=$(curl -sk -o /dev/null -w '%{http_code} %{size_download} %{http_version}' --max-time 5 --http1.1 -H 'Connection: close' "https://127.0.0.1:$TLS_PORT/1k") ;;
    esac
    case $1 in
        h1-64k) [[ $got == "200 65536 1.1" ]] ;;
        h2c | h2-tls) [[ $got == "200 1024 2" ]] ;;
        *) [[ $got == "200 1024 1.1" ]] ;;
    esac
}

# load WORKLOAD SECONDS OUT: runs the load generator on LOAD_CPU; prints the parser's kind.
load() {
    local wl=$1 secs=$2 out=$3
    local wrk=(taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${secs}s" --latency --timeout 10s)
    local h2=(taskset -c "$LOAD_CPU" h2load -t1 -c"$H2_CLIENTS" -m"$H2_STREAMS" -D "$secs" --log-file="$out.requests")
    case $wl in
        h1-1k)    "${wrk[@]}" "http://127.0.0.1:$H1_PORT/1k" ;;
        h1-64k)   "${wrk[@]}" "http://127.0.0.1:$H1_PORT/64k" ;;
        h1-close) "${wrk[@]}" -H 'Connection: close' "http://127.0.0.1:$H1_PORT/1k" ;;
        h2c)      "${h2[@]}" "http://127.0.0.1:$PROXY_H2C_PORT/1k" ;;
        h2-tls)   "${h2[@]}" "https://127.0.0.1:$TLS_PORT/1k" ;;
        tls-new)  "${wrk[@]}" -H 'Connection: close' "https://127.0.0.1:$TLS_PORT/1k" ;;
    esac >"$out" 2>&1 || true
    case $wl in h2c | h2-tls) echo h2load ;; *) echo wrk ;; esac
}

results=$WORK/results.tsv
printf 'proxy\tworkload\tstatus\trps\tp50_ms\tp99_ms\tcpu_us\tproxy_pct\tothers_pct\tcpu1_pct\trequests\terrors\tload1\tnote\tcpu_range\n' >"$results"
memory=$WORK/memory.tsv
printf 'proxy\tstatus\trss_before_kib\trss_kib\theld\terrors\tclosed_early\tnote\theap_before_kib\theap_kib\n' >"$memory"

result_row() { local IFS=$'\t'; echo "$*" >>"$results"; }

# measure_once PROXY WORKLOAD ROUND: one measured run; appends a row to $WORK/rounds.tsv.
measure_once() {
    local proxy=$1 wl=$2 round=$3 out="$WORK/$1-$2.$3.out"
    local pids load1 t0 t1 c0 c1 l0 l1 s0 s1 kind parsed
    read -r -a pids <<<"$(proc_tree "$PROXY_PID")"
    load1=$(cut -d' ' -f1 /proc/loadavg)
    c0=$(cpu_line "$PROXY_CPU"); l0=$(cpu_line "$LOAD_CPU"); t0=$(cpu_ticks "${pids[@]}"); s0=$(date +%s%N)
    kind=$(load "$wl" "$DURATION" "$out")
    t1=$(cpu_ticks "${pids[@]}"); s1=$(date +%s%N); c1=$(cpu_line "$PROXY_CPU"); l1=$(cpu_line "$LOAD_CPU")
    if ! parsed=$(python3 "$WORK/parse.py" "$kind" "$out" "$out.requests" 2>&1); then
        log "$proxy $wl: could not parse the load generator's output:"; cat "$out" >&2
        return 0
    fi
    local requests rps p50 p99 errors cpu_us proxy_pct others_pct cpu1_pct
    read -r requests rps p50 p99 errors <<<"$parsed"
    # shellcheck disable=SC2086  # c0..l1 are "busy total" pairs, split on purpose
    read -r cpu_us proxy_pct others_pct cpu1_pct < <(python3 - "$t0" "$t1" "$s0" "$s1" "$CLK_TCK" "$requests" $c0 $c1 $l0 $l1 <<'PY'
import sys
t0, t1, s0, s1, hz, n, cb0, ct0, cb1, ct1, lb0, lt0, lb1, lt1 = (float(x) for x in sys.argv[1:])
proxy_s = (t1 - t0) / hz
wall = (s1 - s0) / 1e9
cpu0_busy = (cb1 - cb0) / max(1.0, ct1 - ct0)
print(proxy_s * 1e6 / n if n else float("nan"), 100 * proxy_s / wall,
      max(0.0, 100 * (cpu0_busy - proxy_s / wall)), 100 * (lb1 - lb0) / max(1.0, lt1 - lt0))
PY
    )
    local IFS=$'\t'
    echo "$proxy"$'\t'"$wl"$'\t'ok$'\t'"$rps"$'\t'"$p50"$'\t'"$p99"$'\t'"$cpu_us"$'\t'"$proxy_pct"$'\t'"$others_pct"$'\t'"$cpu1_pct"$'\t'"$requests"$'\t'"$errors"$'\t'"$load1" >>"$WORK/rounds.tsv"
    printf '%s compare.sh: %-8s %-9s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  %7.1f us/req  proxy %3.0f%%  others %3.0f%%  errors %s\n' \
        "$(date +%H:%M:%S)" "$proxy" "$wl" "$rps" "$p50" "$p99" "$cpu_us" "$proxy_pct" "$others_pct" "$errors" >&2
}

# measure PROXY WORKLOAD WARMUP_S: check, warm up, ROUNDS measured runs; the run with the median
# CPU per request goes to results.tsv, with the range of all rounds.
measure() {
    local proxy=$1 wl=$2 warm=$3
    if ! supports "$wl"; then
        if [[ $proxy == hecate ]]; then
            log "$proxy $wl: n/a (not implemented yet)"
            result_row "$proxy" "$wl" na nan nan nan nan nan nan nan 0 0 - "n/a (not implemented yet)" -
        else
            log "$proxy $wl: FAILED the check request"
            result_row "$proxy" "$wl" error nan nan nan nan nan nan nan 0 0 - "failed (check request)" -
        fi
        return 0
    fi
    load "$wl" "$warm" "$WORK/$proxy-$wl.warmup" >/dev/null
    : >"$WORK/rounds.tsv"
    local round
    for ((round = 1; round <= ROUNDS; round++)); do
        measure_once "$proxy" "$wl" "$round"
    done
    local n median range
    n=$(wc -l <"$WORK/rounds.tsv")
    if ((n == 0)); then
        result_row "$proxy" "$wl" error nan nan nan nan nan nan nan 0 0 - "failed (no result)" -
        return 0
    fi
    sort -t $'\t' -k7,7g "$WORK/rounds.tsv" >"$WORK/rounds.sorted"
    median=$(sed -n "$(((n + 1) / 2))p" "$WORK/rounds.sorted")
    range=$(awk -F '\t' 'NR == 1 {lo = $7} {hi = $7} END {printf "%.1f-%.1f", lo, hi}' "$WORK/rounds.sorted")
    ((n > 1)) || range=-
    printf '%s\t\t%s\n' "$median" "$range" >>"$results"
}

# For the JVM, RSS mostly shows how much of the heap was ever touched; what the connections
# hold is the heap still in use after a full collection (jcmd GC.run, then GC.heap_info).
heap_live_kib() {
    if [[ $1 != hecate ]] || ! command -v jcmd >/dev/null; then echo -; return 0; fi
    jcmd "$PROXY_PID" GC.run >/dev/null 2>&1 || { echo -; return 0; }
    jcmd "$PROXY_PID" GC.heap_info 2>/dev/null |
        awk '/ total .*, used / && !/Metaspace|class space/ {
                 for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K.*/, "", v); sum += v }
             } END { print (sum ? sum : "-") }'
}

measure_memory() {
    local proxy=$1 pids before rss held errors first status closed established heap_before heap
    read -r -a pids <<<"$(proc_tree "$PROXY_PID")"
    before=$(rss_kib "${pids[@]}")
    heap_before=$(heap_live_kib "$proxy")
    rm -f "$WORK/idle.status" "$WORK/idle.release"
    start "idle-$proxy" taskset -c "$LOAD_CPU" python3 "$WORK/idle.py" 127.0.0.1 "$H1_PORT" "$IDLE_CONNECTIONS" \
        "$WORK/idle.status" "$WORK/idle.release" 120
    local idle_pid=$LAST_PID
    for _ in $(seq 1200); do [[ -f $WORK/idle.status ]] && break; kill -0 "$idle_pid" 2>/dev/null || break; sleep 0.1; done
    if [[ ! -f $WORK/idle.status ]]; then
        log "$proxy memory: the idle-connection client failed: $(tail -3 "$WORK/idle-$proxy.log")"
        printf '%s\terror\t%s\t0\t0\t0\t0\tfailed (idle client)\t-\t-\n' "$proxy" "$before" >>"$memory"
        stop "$idle_pid"
        return 0
    fi
    read -r held errors first <"$WORK/idle.status"
    sleep 2
    read -r -a pids <<<"$(proc_tree "$PROXY_PID")"
    rss=$(rss_kib "${pids[@]}")
    heap=$(heap_live_kib "$proxy")
    established=$(ss -Htn state established "( sport = :$H1_PORT )" | wc -l)
    touch "$WORK/idle.release"
    wait "$idle_pid" 2>/dev/null || true
    stop "$idle_pid"
    closed=$(cat "$WORK/idle.status.closed" 2>/dev/null || echo '?')
    status=ok
    [[ $errors == 0 ]] || first="$errors failed, first: $first"
    [[ $errors == 0 ]] && first=""
    log "$proxy memory: $held idle connections held ($established established, $closed closed by the proxy before release), RSS $((before / 1024)) -> $((rss / 1024)) MiB ${first}"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$proxy" "$status" "$before" "$rss" "$held" "$errors" "$closed" "$first" "$heap_before" "$heap" >>"$memory"
}

# ---------------------------------------------------------------------------------------------
# Run
# ---------------------------------------------------------------------------------------------
waited=0
while awk -v max="$LOAD_MAX" '{ exit !($1 > max) }' /proc/loadavg && ((waited < LOAD_WAIT)); do
    ((waited == 0)) && log "load average $(cut -d' ' -f1-3 /proc/loadavg) is above $LOAD_MAX: waiting up to ${LOAD_WAIT}s"
    sleep 5
    waited=$((waited + 5))
done
put_env load_start "$(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"

for proxy in $PROXIES; do
    for port in "$H1_PORT" "$H2C_PORT" "$TLS_PORT"; do
        port_free "$port" || die "port $port is still in use before starting $proxy"
    done
    log "starting $proxy on CPU $PROXY_CPU"
    if ! start_proxy "$proxy"; then
        for wl in $WORKLOADS; do
            result_row "$proxy" "$wl" error nan nan nan nan nan nan nan 0 0 - "failed (did not start)" -
        done
        printf '%s\terror\t0\t0\t0\t0\t0\tfailed (did not start)\t-\t-\n' "$proxy" >>"$memory"
        stop "$PROXY_PID"
        continue
    fi
    warm=$WARMUP
    if [[ $proxy == hecate ]]; then
        warm=$JVM_WARMUP
        log "warming up the JVM for ${HECATE_WARMUP}s"
        load h1-1k "$HECATE_WARMUP" "$WORK/hecate-jvm.warmup" >/dev/null
    fi
    for wl in $WORKLOADS; do
        measure "$proxy" "$wl" "$warm"
    done
    measure_memory "$proxy"
    stop "$PROXY_PID"
done
put_env load_end "$(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min)"

# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
column -t -s $'\t' "$results" >&2 || cat "$results" >&2
column -t -s $'\t' "$memory" >&2 || cat "$memory" >&2
if [[ $OUT_MD != - ]]; then
    python3 "$WORK/report.py" "$WORK" "$OUT_MD" "$WORK/chart.dat"
    gnuplot -e "datafile='$WORK/chart.dat'; outfile='$OUT_PNG'" "$repo/benchmarks/chart.gp"
    log "wrote $OUT_MD and $OUT_PNG"
fi
