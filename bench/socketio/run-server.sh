#!/usr/bin/env bash
# Starts the reference, the Socket.IO 4 chat tutorial's server (server.js), in the background for
# benchmarking and prints its PID (the node process itself, for --server-pid) once it answers:
#
#   PID=$(bench/socketio/run-server.sh 3000)        ...        kill "$PID"
#
# The counterpart of bench/run-server.sh: installs the pinned socket.io (npm ci, from
# package-lock.json) when node_modules is missing, and runs node with its defaults.
#
#   SOCKETIO_LOG=file   server log (default: bench/target/socketio-PORT.log)
#   NODE_OPTIONS="..."  node's options, as node reads them (e.g. --max-old-space-size=512)
set -euo pipefail

port="${1:?usage: run-server.sh PORT}"
here="$(cd "$(dirname "$0")" && pwd)"
bench="$(cd "$here/.." && pwd)"
log="${SOCKETIO_LOG:-$bench/target/socketio-$port.log}"
mkdir -p "$(dirname "$log")"

if [[ ! -d "$here/node_modules" ]]; then
    echo "run-server: no $here/node_modules: npm ci" >&2
    (cd "$here" && npm ci --no-audit --no-fund >&2)
fi

if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/" 2>/dev/null; then
    echo "run-server: something already answers on port $port" >&2
    exit 1
fi

nohup node "$here/server.js" "$port" >"$log" 2>&1 </dev/null &
pid=$!

for _ in $(seq 1 120); do
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "run-server: the server exited; its log ($log):" >&2
        tail -n 40 "$log" >&2
        exit 1
    fi
    if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/" 2>/dev/null; then
        echo "run-server: socket.io reference up on port $port (pid $pid, log $log)" >&2
        echo "$pid"
        exit 0
    fi
    sleep 0.5
done
echo "run-server: not answering after 60 s; killing $pid; its log ($log):" >&2
tail -n 40 "$log" >&2
kill "$pid" 2>/dev/null || true
exit 1
