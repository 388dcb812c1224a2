#!/usr/bin/env bash
# One instance against two, alternating, for docs/performance.md's session 13:
#
#   bench/compare-cluster.sh [PORT] [ROUNDS] [WORKLOAD...]     (default 8450 2 fanout bigroom)
#
# Each round runs every workload of baseline.sh given against three set-ups, each with fresh
# servers (baseline.sh): "single", the default profile (SQLite, one instance); "cluster-1", the
# cluster profile on PostgreSQL and Redis with one instance; "cluster-2", the same with two
# instances on PORT and PORT+1. Odd rounds in that order, even rounds reversed. Before each run it
# waits for a quiet machine (other processes below QUIET_CORES, default 0.3, of CPU over 10 s; at
# most QUIET_WAIT seconds, default 600, then it runs anyway) and records the load next to the
# figures. Results in bench/target/cluster-compare/ (or $BENCH_OUT): per run baseline.sh's files,
# and summary.tsv (bench/cluster-summary.py prints it as a table). WARMUP as baseline.sh (60s).
# FIRST_ROUND=N numbers the rounds from N (default 1), to add rounds to an earlier batch.
# SETUPS="cluster-1 cluster-2" runs only those set-ups (default "single cluster-2 cluster-1").
set -euo pipefail

port="${1:-8450}"
rounds="${2:-2}"
shift 2 || shift $# || true
workloads=("$@")
[[ ${#workloads[@]} -gt 0 ]] || workloads=(fanout bigroom)
here="$(cd "$(dirname "$0")" && pwd)"
out="${BENCH_OUT:-$here/target/cluster-compare}"
mkdir -p "$out"
# shellcheck source=quiet.sh
source "$here/quiet.sh"

read -r -a setups <<< "${SETUPS:-single cluster-2 cluster-1}"
[[ -f "$out/summary.tsv" ]] || printf 'round\tsetup\tworkload\tbusy_before\tload_before\tjson\n' > "$out/summary.tsv"
first="${FIRST_ROUND:-1}"
for ((round = first; round < first + rounds; round++)); do
    order=("${setups[@]}")
    if (( round % 2 == 0 )); then
        order=()
        for ((i = ${#setups[@]} - 1; i >= 0; i--)); do order+=("${setups[i]}"); done
    fi
    for workload in "${workloads[@]}"; do
        for setup in "${order[@]}"; do
            dir="$out/r$round-$setup"
            quiet="$(wait_quiet)"
            load="$(cut -d' ' -f1-3 /proc/loadavg)"
            echo "=== round $round, $setup, $workload: other CPU ${quiet%% *} cores over 10 s (waited ${quiet#* } s), load $load"
            case "$setup" in
                single) env -u BENCH_DB BENCH_OUT="$dir" "$here/baseline.sh" "$port" "$workload" > "$dir.$workload.log" 2>&1 || true ;;
                cluster-1) BENCH_DB=postgres INSTANCES=1 BENCH_OUT="$dir" "$here/baseline.sh" "$port" "$workload" > "$dir.$workload.log" 2>&1 || true ;;
                cluster-2) BENCH_DB=postgres INSTANCES=2 BENCH_OUT="$dir" "$here/baseline.sh" "$port" "$workload" > "$dir.$workload.log" 2>&1 || true ;;
            esac
            printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$setup" "$workload" "${quiet%% *}" "$load" "$dir/$workload.json" >> "$out/summary.tsv"
            grep -E "^(deliveries|latency|  same|  cross|  crossing|server  |machine  |RESULT|error replies)" "$dir/$workload.txt" || true
        done
    done
done
"$here/cluster-summary.py" "$out/summary.tsv"
