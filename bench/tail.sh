#!/usr/bin/env bash
# Where the latency tail comes from: runs one workload of baseline.sh and, in its measured window,
# captures the server's port on loopback (tcpdump) and, where perf can, the machine's scheduler;
# then bench/tail-report.py gives the server's own share of the latency, its stalls, and what ran
# on the CPUs during each of them:
#
#   bench/tail.sh [PORT] [WORKLOAD]          (default: burst; SERVER=socketio for the reference)
#
# Needs root, tcpdump (apt-get install tcpdump) and optionally perf (linux-perf). TAIL_SECONDS sets
# the capture (default 6 s; the scheduler trace is 2 s shorter). Everything baseline.sh reads
# (PARLEY_JAR, JAVA_OPTS, BENCH_DB, WARMUP) applies. Results in bench/target/tail/ (or
# tail-socketio/, or $BENCH_OUT): WORKLOAD.txt (the bench's report), WORKLOAD.tail.txt (this one).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
server_kind="${SERVER:-parley}"
port="${1:-$([[ "$server_kind" == socketio ]] && echo 3000 || echo 8450)}"
workload="${2:-burst}"
out="$(realpath -m "${BENCH_OUT:-$here/target/tail$([[ "$server_kind" == socketio ]] && echo -socketio)}")"
seconds="${TAIL_SECONDS:-6}"
command -v tcpdump > /dev/null || { echo "tail.sh: needs tcpdump (apt-get install tcpdump)" >&2; exit 2; }
mkdir -p "$out"
rm -f "$out/$workload.progress" "$out/$workload.pcap" "$out/$workload.sched.txt" "$out/$workload.marks"

BENCH_OUT="$out" "$here/baseline.sh" "$port" "$workload" > "$out/$workload.baseline.log" 2>&1 &
bench=$!
until grep -q "measure" "$out/$workload.progress" 2>/dev/null; do
    kill -0 "$bench" 2>/dev/null || { echo "tail.sh: the bench ended before measuring:" >&2; tail "$out/$workload.baseline.log" >&2; exit 1; }
    sleep 0.5
done
sleep 2
timeout "$seconds" tcpdump -Z root -i lo -s 700 -w "$out/$workload.pcap" "tcp port $port" 2> /dev/null &
capture=$!
sleep 0.5
traced=()
if command -v perf > /dev/null && [[ "$(perf list 2>/dev/null | grep -c "sched:sched_switch")" -gt 0 ]]; then
    marks="$(mktemp -d)"
    # markers: a process of a known name started at a known wall-clock time aligns perf's clock
    (for i in 1 2 3 4 5 6; do
        cp /bin/true "$marks/parley-mark-$i"
        echo "$(date +%s.%N) parley-mark-$i" >> "$out/$workload.marks"
        "$marks/parley-mark-$i"
        sleep 0.5
    done) &
    perf record -q -e sched:sched_switch -a -o "$out/$workload.perf.data" -- sleep $((seconds - 2)) > /dev/null 2>&1
    wait $!
    perf script -i "$out/$workload.perf.data" -F comm,tid,cpu,time,event,trace > "$out/$workload.sched.txt" 2> /dev/null
    rm -rf "$marks" "$out/$workload.perf.data"
    traced=("$out/$workload.sched.txt" "$out/$workload.marks")
fi
wait "$capture" || true
wait "$bench" || true
{
    grep -E "^=== |latency|server  " "$out/$workload.txt" || true
    python3 "$here/tail-report.py" "$out/$workload.pcap" "$port" ${traced[@]+"${traced[@]}"}
} | tee "$out/$workload.tail.txt"
