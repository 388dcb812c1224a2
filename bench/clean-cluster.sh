#!/usr/bin/env bash
# Leaves PostgreSQL and Redis as they were before bench/run-server.sh's BENCH_DB=postgres: drops
# the bench's database of each cluster and deletes its Redis keys. Stop the cluster's instances
# first (a database in use is dropped anyway: its connections are closed).
#
#   bench/clean-cluster.sh PORT...    the clusters whose first instance ran on PORT:
#                                     database parley_bench_PORT, keys parley-bench-PORT:*
#   bench/clean-cluster.sh --all      every parley_bench_* database and parley-bench-*:* key
#
# Nothing else is touched (other databases, other key prefixes: the service's own tests use theirs).
# BENCH_PG_HOST, BENCH_PG_PORT, BENCH_PG_USER, BENCH_REDIS_HOST, BENCH_REDIS_PORT as run-server.sh.
set -euo pipefail
# dropdb --if-exists says NOTICE when there is nothing to drop
export PGOPTIONS="${PGOPTIONS:--c client_min_messages=warning}"

[[ $# -gt 0 ]] || { echo "usage: clean-cluster.sh PORT... | --all" >&2; exit 2; }
pg=(-h "${BENCH_PG_HOST:-127.0.0.1}" -p "${BENCH_PG_PORT:-5432}" -U "${BENCH_PG_USER:-postgres}")
redis=(redis-cli -h "${BENCH_REDIS_HOST:-127.0.0.1}" -p "${BENCH_REDIS_PORT:-6379}")

owners=()
if [[ "$1" == "--all" ]]; then
    while read -r name; do
        [[ -n "$name" ]] && owners+=("${name#parley_bench_}")
    done < <(psql "${pg[@]}" -d postgres -Atc "select datname from pg_database where datname like 'parley\_bench\_%'")
    while read -r key; do
        [[ -n "$key" ]] || continue
        owner="${key#parley-bench-}"
        owners+=("${owner%%:*}")
    done < <("${redis[@]}" --scan --pattern 'parley-bench-*:*')
else
    owners=("$@")
fi

declare -A done_owner=()
for owner in ${owners[@]+"${owners[@]}"}; do
    [[ -z "${done_owner[$owner]:-}" ]] || continue
    done_owner[$owner]=1
    [[ "$owner" =~ ^[0-9]+$ ]] || { echo "clean-cluster: not a port: $owner" >&2; exit 2; }
    dropdb "${pg[@]}" --if-exists --force "parley_bench_$owner"
    keys=0
    while read -r key; do
        [[ -n "$key" ]] || continue
        "${redis[@]}" del "$key" > /dev/null
        keys=$((keys + 1))
    done < <("${redis[@]}" --scan --pattern "parley-bench-$owner:*")
    echo "clean-cluster: database parley_bench_$owner dropped (if it was there), $keys Redis keys parley-bench-$owner:* deleted"
done
