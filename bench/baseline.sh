#!/usr/bin/env bash
# The workloads of docs/performance.md, each against a fresh server started by run-server.sh:
#
#   bench/baseline.sh [PORT] [WORKLOAD...]   (workloads: fanout bigroom sweep bigsweep saturation burst overload idle idle-defaults idle4g storm capacity)
#
# Results (stdout tables and JSON) go to bench/target/baseline/, or to $BENCH_OUT. Needs the service's jar
# (mvn package) and the bench's (cd bench && mvn package). Measure on a quiet machine: the
# generator and the server share it, and every report says how busy it was. Once both
# bench/target/baseline/ and bench/target/baseline-socketio/ exist, it draws the two plots
# (plots.py) into bench/target/plots/.
#
# SERVER=socketio runs the same workloads against the reference instead, the Socket.IO 4 chat
# tutorial's server (bench/socketio/run-server.sh, node, default options) with --protocol socketio;
# results in bench/target/baseline-socketio/, default port 3000. There: no heap figures (node: RSS
# only, jcmd is for a JVM), idle4g is idle (node has no -Xmx to raise; skipped), and overload runs
# but measures something else: Socket.IO never cuts off a client that stops reading, except by
# its ping timeout (25 s + 20 s), and keeps what it cannot write in memory.
#
# A cluster: BENCH_DB=postgres runs Parley's cluster profile (PostgreSQL and Redis on this
# machine, see run-server.sh) and INSTANCES=N (default 1) starts N instances on PORT, PORT+1, ...
# sharing one fresh database and key prefix; the bench spreads each room's members over them and
# sums their CPU. After each workload the instances are stopped and clean-cluster.sh drops the
# database and deletes the keys. Results in bench/target/baseline-cluster-N/ (or $BENCH_OUT):
#
#   BENCH_DB=postgres INSTANCES=2 bench/baseline.sh 8450 fanout bigroom
#
# BENCH_ARGS="..." adds options to every measured run's bench command (e.g. --senders-on 0).
set -euo pipefail

server_kind="${SERVER:-parley}"
case "$server_kind" in
    parley) default_port=8450 ;;
    socketio) default_port=3000 ;;
    *) echo "SERVER must be parley or socketio" >&2; exit 2 ;;
esac
port="${1:-$default_port}"
shift || true
workloads=("$@")
if [[ ${#workloads[@]} -eq 0 ]]; then
    workloads=(fanout bigroom sweep burst idle)
fi
here="$(cd "$(dirname "$0")" && pwd)"
instances="${INSTANCES:-1}"
cluster=""
[[ "${BENCH_DB:-}" == postgres ]] && cluster=yes
if [[ "$instances" -gt 1 && ( -z "$cluster" || "$server_kind" != parley ) ]]; then
    echo "INSTANCES=$instances needs BENCH_DB=postgres (Parley's cluster profile)" >&2
    exit 2
fi
if [[ "$server_kind" == socketio ]]; then
    out="${BENCH_OUT:-$here/target/baseline-socketio}"
    url="ws://127.0.0.1:$port/socket.io/?EIO=4&transport=websocket"
    protocol=(--protocol socketio)
else
    if [[ -n "$cluster" ]]; then
        out="${BENCH_OUT:-$here/target/baseline-cluster-$instances}"
    else
        out="${BENCH_OUT:-$here/target/baseline}"
    fi
    # one URL per instance, comma-separated: the bench spreads each room's members over them
    url=""
    for ((i = 0; i < instances; i++)); do
        url="${url:+$url,}ws://127.0.0.1:$((port + i))/ws/websocket"
    done
    protocol=()
fi
mkdir -p "$out"
jar="$here/target/parley-bench.jar"
[[ -f "$jar" ]] || (cd "$here" && mvn -q -B package)

# The JIT compiles for about 40 s after the server starts on this 2-core machine: a shorter
# warm-up measures the compiler more than the server (WARMUP=10s gives the first runs' protocol).
warmup="${WARMUP:-60s}"
server_pid=""
# every instance's PID (one unless INSTANCES > 1); server_pid is them comma-separated
server_pids=()
stop_server() {
    local pid
    for pid in ${server_pids[@]+"${server_pids[@]}"}; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in ${server_pids[@]+"${server_pids[@]}"}; do
        for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$pid" 2>/dev/null || true
    done
    server_pids=()
    server_pid=""
    if [[ -n "$cluster" ]]; then
        # leave PostgreSQL and Redis as they were
        "$here/clean-cluster.sh" "$port" || true
    fi
}
trap stop_server EXIT

# start_server WORKLOAD [SERVER ARGS...]: Parley's jar (run-server.sh; JAVA_OPTS as set), or the
# Socket.IO reference (the arguments are Parley's and do not apply to it)
start_server() {
    local name="$1"
    shift
    local pid
    if [[ "$server_kind" == socketio ]]; then
        pid="$(SOCKETIO_LOG="$out/$name.server.log" "$here/socketio/run-server.sh" "$port")"
        server_pids=("$pid")
    else
        pid="$(PARLEY_LOG="$out/$name.server.log" "$here/run-server.sh" "$port" "$@")"
        server_pids=("$pid")
        # the further instances of a cluster join the first one's database and key prefix
        for ((i = 1; i < instances; i++)); do
            pid="$(BENCH_PEER="$port" PARLEY_LOG="$out/$name.server-$i.log" "$here/run-server.sh" "$((port + i))" "$@")"
            server_pids+=("$pid")
        done
    fi
    server_pid="$(IFS=,; echo "${server_pids[*]}")"
}

run() {
    local name="$1"
    shift
    echo "=== $name: java -jar bench/target/parley-bench.jar ${protocol[*]+${protocol[*]} }--url $url $* ${BENCH_ARGS:+$BENCH_ARGS }--server-pid PID" \
        | tee -a "$out/$name.txt"
    uptime | tee -a "$out/$name.txt"
    [[ -z "$cluster" ]] || echo "cluster profile (PostgreSQL, Redis), $instances instance(s), pids $server_pid" | tee -a "$out/$name.txt"
    # shellcheck disable=SC2086
    java ${BENCH_JAVA_OPTS:-} -jar "$jar" ${protocol[@]+"${protocol[@]}"} --url "$url" "$@" ${BENCH_ARGS:-} --server-pid "$server_pid" \
        --json "$out/$name.json" \
        2> "$out/$name.progress" | tee -a "$out/$name.txt" || true
}

# The sweeps' steps are short: JIT-compile the server first with WARMUP of moderate load.
prewarm() {
    echo "(prewarming the server for $warmup: 100 connections, 10 rooms, 400 msg/s, not measured)" | tee -a "$out/$1.txt"
    java -jar "$jar" ${protocol[@]+"${protocol[@]}"} --url "$url" --connections 100 --rooms 10 --senders 10 --rate 400 \
        --warmup "$warmup" --duration 5s --quiet > /dev/null 2>&1 || true
}

# The saturation run: GENERATORS (default 2) generator processes side by side, each with its
# share of the users, rooms, senders and rate and its own CPU and send lag in its report, so that
# the generator's limit is not taken for the server's. Each takes every step (--sweep-all) from
# one start time; --merge then judges the steps together (p99 bound 50 ms) into saturation.json.
saturate() {
    local n="${GENERATORS:-2}" max="${SATURATION_MAX:-4000}" dir="$out/saturation-generators" start g
    local pids=()
    # the same shape for any count (rooms of 50, two senders each): 10 rooms split evenly
    if (( n < 1 || 10 % n != 0 )); then
        echo "GENERATORS must be 1, 2, 5 or 10 (it splits 10 rooms evenly), not $n" | tee -a "$out/saturation.txt" >&2
        return
    fi
    mkdir -p "$dir"
    rm -f "$dir"/*
    # a few seconds of set-up each: the first step begins 30 s from now, in every process at once
    start=$(( $(date +%s%3N) + 30000 ))
    echo "=== saturation: $n x java -jar bench/target/parley-bench.jar ${protocol[*]+${protocol[*]} }--url $url" \
        "--connections $((500 / n)) --rooms $((10 / n)) --senders $((20 / n)) --sweep --sweep-all" \
        "--sweep-start $((200 / n)) --sweep-step $((200 / n)) --sweep-max $((max / n)) --warmup 5s --duration 10s" \
        "--p99-bound 50ms --start-at $start ${BENCH_ARGS:+$BENCH_ARGS }--server-pid PID; then --merge" | tee -a "$out/saturation.txt"
    uptime | tee -a "$out/saturation.txt"
    for ((g = 1; g <= n; g++)); do
        # shellcheck disable=SC2086
        java ${BENCH_JAVA_OPTS:-} -jar "$jar" ${protocol[@]+"${protocol[@]}"} --url "$url" --connections $((500 / n)) \
            --rooms $((10 / n)) --senders $((20 / n)) --sweep --sweep-all --sweep-start $((200 / n)) \
            --sweep-step $((200 / n)) --sweep-max $((max / n)) --warmup 5s --duration 10s --p99-bound 50ms \
            --start-at "$start" --quiet ${BENCH_ARGS:-} --server-pid "$server_pid" --json "$dir/$g.json" \
            > "$dir/$g.txt" 2> "$dir/$g.progress" &
        pids+=("$!")
    done
    wait "${pids[@]}" || true
    java -jar "$jar" --merge "$out/saturation.json" "$dir"/*.json | tee -a "$out/saturation.txt" || true
}

for workload in "${workloads[@]}"; do
    : > "$out/$workload.txt"
    case "$workload" in
        fanout)
            start_server "$workload"
            run fanout --connections 500 --rooms 10 --senders 20 --rate 200 --warmup "$warmup" --duration 30s
            ;;
        bigroom)
            start_server "$workload"
            run bigroom --connections 500 --rooms 1 --senders 5 --rate 50 --warmup "$warmup" --duration 30s
            ;;
        sweep)
            start_server "$workload"
            prewarm sweep
            run sweep --connections 500 --rooms 10 --senders 20 --sweep --sweep-start 200 --sweep-step 200 \
                --sweep-max 5000 --warmup 5s --duration 10s --p99-bound 200ms
            ;;
        bigsweep)
            # the big room's sweep: every message to all 500 connections
            start_server "$workload"
            prewarm bigsweep
            run bigsweep --connections 500 --rooms 1 --senders 5 --sweep --sweep-start 50 --sweep-step 25 \
                --sweep-max 500 --warmup 5s --duration 10s --p99-bound 200ms
            ;;
        saturation)
            start_server "$workload"
            prewarm saturation
            saturate
            ;;
        overload)
            # 10 of 60 connections stop reading; 1.5 KB messages at 400/s fill their socket buffers
            start_server "$workload"
            run overload --connections 60 --rooms 2 --senders 4 --rate 400 --payload 1500 --slow-readers 10 \
                --warmup 5s --duration 30s
            ;;
        burst)
            start_server "$workload"
            run burst --connections 10 --rooms 1 --senders 1 --rate 1000 --warmup "$warmup" --duration 20s
            ;;
        idle)
            # 10,000 sockets on each side: raise the open-files limit as far as allowed
            ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
            JAVA_OPTS="-Xmx512m" start_server "$workload"
            BENCH_JAVA_OPTS="-Xmx3g" run idle --idle --connections "${IDLE_CONNECTIONS:-10000}" --rooms 100 \
                --duration 20s --settle 5s --connect-concurrency 32 --timeout 60s
            ;;
        idle-defaults)
            # as a user runs it: java -jar with no JVM flags (the project's own defaults, such as
            # chat.memory.*, apply; PARLEY_SERVER_ARGS adds server options, e.g. to turn them off)
            ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
            # shellcheck disable=SC2086
            JAVA_OPTS="" start_server "$workload" ${PARLEY_SERVER_ARGS:-}
            BENCH_JAVA_OPTS="-Xmx3g" run idle-defaults --idle --connections "${IDLE_CONNECTIONS:-10000}" --rooms 100 \
                --duration 20s --settle 5s --connect-concurrency 32 --timeout 60s
            ;;
        storm)
            # a reconnect storm as a user runs the server (java -jar, no flags): 10,000 clients in
            # 100 rooms with 20 messages each, all dropped at once, back with their tokens and
            # caught up; at most 500 reconnects in flight (the generator's bound, not the server's)
            ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
            # shellcheck disable=SC2086
            JAVA_OPTS="" start_server "$workload" ${PARLEY_SERVER_ARGS:-}
            BENCH_JAVA_OPTS="-Xmx3g" run storm --storm --connections "${STORM_CONNECTIONS:-10000}" --rooms 100 \
                --storm-backlog 20 --connect-concurrency 500 --timeout 60s
            ;;
        capacity)
            # issue 22's capacity run: CAPACITY_CONNECTIONS (default 18,000, the most that an
            # open-files limit of 20,000 allows; the issue's goal is 100,000) idle with heart-beats
            # every 10 s both ways, then the same again with one message a second from each of 10
            # senders into rooms of 100 (1,000 deliveries/s). Beyond 28,000 connections spread them
            # over loopback addresses: CAPACITY_HOSTS=127.0.0.1,127.0.0.2,... (and raise both
            # processes' open-files limit, which needs root with CAP_SYS_RESOURCE)
            ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
            n="${CAPACITY_CONNECTIONS:-18000}"
            capacity=(--connections "$n" --rooms $((n / 100)) --heartbeat 10s --connect-concurrency 64 --timeout 120s
                ${CAPACITY_HOSTS:+--spread-hosts "$CAPACITY_HOSTS"})
            tomcat=(--server.tomcat.max-connections=$((n + 2000)) --server.tomcat.accept-count=1024)
            JAVA_OPTS="" start_server "$workload" "${tomcat[@]}"
            BENCH_JAVA_OPTS="-Xmx6g" run capacity --idle "${capacity[@]}" --duration 30s --settle 5s
            stop_server
            : > "$out/capacity-room.txt"
            JAVA_OPTS="" start_server capacity-room "${tomcat[@]}"
            BENCH_JAVA_OPTS="-Xmx6g" run capacity-room "${capacity[@]}" --senders 10 --rate 10 --warmup 30s --duration 30s
            ;;
        idle4g)
            # the same with room for 10,000 connections: a 4 GB heap, and Tomcat's default
            # limit of 8,192 connections raised
            if [[ "$server_kind" == socketio ]]; then
                echo "idle4g: the same as idle for node (no heap limit to raise): skipped" | tee -a "$out/$workload.txt"
                continue
            fi
            ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
            JAVA_OPTS="-Xmx4g" start_server "$workload" --server.tomcat.max-connections=20000
            BENCH_JAVA_OPTS="-Xmx3g" run idle4g --idle --connections "${IDLE_CONNECTIONS:-10000}" --rooms 100 \
                --duration 20s --settle 5s --connect-concurrency 32 --timeout 60s
            ;;
        *)
            echo "unknown workload $workload" >&2
            exit 2
            ;;
    esac
    stop_server
    sleep 2
done
echo "results in $out"
# Once both servers have results in the default places, the two plots of docs/performance.md
# (p99 against offered load, CPU per delivery by workload) are drawn from their JSON
if [[ -d "$here/target/baseline" && -d "$here/target/baseline-socketio" ]] && command -v python3 > /dev/null; then
    python3 "$here/plots.py" "$here/target/plots" "Parley=$here/target/baseline" \
        "Socket.IO=$here/target/baseline-socketio" || true
fi
