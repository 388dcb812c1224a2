#!/usr/bin/env bash
# What one client, from one address, can make a Parley server on its DEFAULT limits hold (issue 21,
# contract section 6a): per round a flood of nickname claims, one connection joining 5,000 rooms,
# one subscribing 20,000 times, 25 connections for one nickname (each accepted one joining 100
# rooms), a WebSocket that never sends CONNECT and GET /api/rooms; the server's heap after a full
# GC (jcmd) and its RSS before, while held and after each of 10 rounds. The server must be fresh
# (claims are limited per address: this run uses them up) and must not lift the limits:
#
#   PID=$(BENCH_LIMITS=default bench/run-server.sh 8450)
#   bench/abuse.sh 8450 "$PID"            # table on stdout, JSON in bench/target/abuse.json
#   kill "$PID"
#
#   bench/abuse.sh PORT [SERVER_PID] [bench options...]   e.g. --rounds 3, --abuse-claims 500
# (3,000 claims in the first round, 300 in each later one: --abuse-claims-again)
# Builds the bench jar first when it is missing.
set -euo pipefail

port="${1:?usage: abuse.sh PORT [SERVER_PID] [bench options...]}"
shift
pid=""
if [[ $# -gt 0 && "$1" =~ ^[0-9]+$ ]]; then
    pid="$1"
    shift
fi
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/target/parley-bench.jar"

if [[ ! -f "$jar" ]]; then
    (cd "$here" && mvn -q -B package >&2)
fi

args=(--abuse --url "ws://127.0.0.1:$port/ws/websocket" --json "$here/target/abuse.json")
if [[ -n "$pid" ]]; then
    args+=(--server-pid "$pid")
fi
exec java -jar "$jar" "${args[@]}" "$@"
