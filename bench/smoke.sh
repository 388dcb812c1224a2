#!/usr/bin/env bash
# A five-second load on a Parley server that is already running on PORT (started with the rate
# limit lifted, as bench/run-server.sh does): 20 connections, 2 rooms, 4 senders, 20 msg/s,
# 2 s warm-up, 3 s measured. Exits non-zero if a connection failed or dropped, or a delivery was
# lost or duplicated. Builds the bench jar first when it is missing.
#
#   bench/smoke.sh PORT [SERVER_PID]
set -euo pipefail

port="${1:?usage: smoke.sh PORT [SERVER_PID]}"
pid="${2:-}"
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/target/parley-bench.jar"

if [[ ! -f "$jar" ]]; then
    (cd "$here" && mvn -q -B package >&2)
fi

args=(--url "ws://127.0.0.1:$port/ws/websocket"
      --connections 20 --rooms 2 --senders 4 --rate 20
      --warmup 2s --duration 3s --drain 2s
      --json "$here/target/smoke.json" --check)
if [[ -n "$pid" ]]; then
    args+=(--server-pid "$pid")
fi

if java -jar "$jar" "${args[@]}"; then
    echo "smoke: OK"
else
    status=$?
    echo "smoke: FAILED (exit $status; details above and in $here/target/smoke.json)" >&2
    exit "$status"
fi
