#!/usr/bin/env bash
# Renders docs/dashboard.png: the panels of docs/grafana-dashboard.json drawn from the service's
# own /actuator/prometheus during a short load. Grafana is not needed (nor reachable here):
#
#   docs/dashboard/render.sh [PORT] [SECONDS]        (defaults 8472, 60)
#
# 1. starts the jar (target/parley-*.jar; built when missing) on PORT with a fresh SQLite file,
#    prometheus exposed, a rate limit the generator's senders stay under (40 at once, 20/s) and
#    a 64 KB send buffer limit, so that slow readers are cut off within a short run;
# 2. scrapes /actuator/prometheus every 2 s into target/dashboard/samples.prom;
# 3. runs the load generator (bench/target/parley-bench.jar; built when missing) for SECONDS:
#    80 WebSocket users in one room, 10 senders, 80 messages/s of 2,000 characters, 4 users that
#    stop reading (cut off once the kernel's socket buffers, about 4 MB on loopback, and the
#    64 KB are full); and beside it Traffic.java: SockJS xhr-streaming and xhr-polling clients,
#    refused frames, bursts beyond the rate limit, typing beyond its limit, catch-up requests;
# 4. evaluates the dashboard's queries over the samples (panels.py -> data.js) and screenshots
#    dashboard.html with headless Chromium (/usr/bin/chromium; chart.js from npm).
#
# Needs: a JDK 17+, Maven (offline is enough once built), Python 3, npm, Chromium.
set -euo pipefail

port="${1:-8472}"
seconds="${2:-60}"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work="$repo/target/dashboard"
mkdir -p "$work"
rm -f "$work/samples.prom" "$work/parley.db"*

jar="$(ls "$repo"/target/parley-*.jar 2>/dev/null | head -n 1 || true)"
if [[ -z "$jar" ]]; then
    (cd "$repo" && mvn -q -B package -DskipTests >&2)
    jar="$(ls "$repo"/target/parley-*.jar | head -n 1)"
fi
bench="$repo/bench/target/parley-bench.jar"
if [[ ! -f "$bench" ]]; then
    (cd "$repo/bench" && mvn -q -B package -DskipTests >&2)
fi
if [[ ! -d "$here/node_modules/chart.js" ]]; then
    (cd "$here" && npm install --no-audit --no-fund >&2)
fi

pids=()
cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT

java -jar "$jar" --server.port="$port" --spring.datasource.url="jdbc:sqlite:$work/parley.db" \
    --management.endpoints.web.exposure.include=health,prometheus \
    --chat.rate-limit.burst=40 --chat.rate-limit.per-second=20 \
    --chat.transport.send-buffer-size-limit=64KB >"$work/server.log" 2>&1 &
server=$!
pids+=("$server")
until curl -fsS "http://127.0.0.1:$port/actuator/health" 2>/dev/null | grep -q '"status":"UP"'; do
    kill -0 "$server" 2>/dev/null || { tail -n 30 "$work/server.log" >&2; exit 1; }
    sleep 0.5
done

scrape() {
    while true; do
        echo "# scrape $(date +%s.%N)"
        curl -fsS -H 'Accept: text/plain;version=0.0.4' "http://127.0.0.1:$port/actuator/prometheus" || true
        sleep 2
    done
}
scrape >"$work/samples.prom" &
pids+=("$!")
sleep 4

java "$here/Traffic.java" "$port" "$seconds" >"$work/traffic.log" 2>&1 &
pids+=("$!")
java -jar "$bench" --url "ws://127.0.0.1:$port/ws/websocket" --server-pid "$server" \
    --connections 80 --rooms 1 --senders 10 --rate 80 --payload 2000 --slow-readers 4 \
    --warmup 5s --duration "$((seconds - 5))s" --quiet >"$work/bench.log" 2>&1 || true
sleep 6
cleanup
pids=()

python3 "$here/panels.py" "$work/samples.prom" "$repo/docs/grafana-dashboard.json" "$here/data.js"
/usr/bin/chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1600,1130 \
    --virtual-time-budget=5000 --screenshot="$repo/docs/dashboard.png" "file://$here/dashboard.html" 2>/dev/null
echo "render: $repo/docs/dashboard.png (samples: $work/samples.prom, bench: $work/bench.log)"
