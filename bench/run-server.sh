#!/usr/bin/env bash
# Starts Parley's own jar in the background for benchmarking and prints its PID once
# /actuator/health is UP:
#
#   PID=$(bench/run-server.sh 8450)        ...        kill "$PID"
#
# The server runs with the embedded database in a file, as `mvn spring-boot:run` does, in a fresh
# directory bench/target/db-PORT (jars before session 12 stored in H2: BENCH_DB=h2 for its file,
# BENCH_DB=mem for H2 in memory), and the per-nickname rate limit lifted
# (--chat.rate-limit.burst=1000000 --chat.rate-limit.per-second=1000000): the default 5 msg/s
# per nickname would throttle any load test. Builds the jar (mvn package -DskipTests) when
# target/ has none.
#
#   PARLEY_JAR=path     the jar to run (default: target/parley-*.jar of the repository)
#   JAVA_OPTS="..."     JVM options, e.g. -Xmx512m
#   PARLEY_JAVA=path    the java launcher (default: java on the PATH), e.g. another JDK's bin/java
#   PARLEY_LOG=file     server log (default: bench/target/server-PORT.log)
#   BENCH_DB_OPTIONS=…  appended to the file database's URL, e.g. ";CACHE_SIZE=1024" (H2's page cache, KB)
#   BENCH_DB=postgres   the cluster profile instead (--spring.profiles.active=cluster): PostgreSQL and
#                       Redis on this machine, a fresh database parley_bench_PORT (dropped first if a
#                       previous run left it) and a fresh Redis key prefix parley-bench-PORT (its keys
#                       deleted first). bench/clean-cluster.sh PORT drops both once the instances are
#                       stopped (baseline.sh does it after each workload).
#   BENCH_PEER=PORT     with BENCH_DB=postgres: join the cluster whose first instance was started on
#                       PORT, i.e. its database and key prefix, as they are (nothing dropped):
#                         P1=$(BENCH_DB=postgres bench/run-server.sh 8450)
#                         P2=$(BENCH_DB=postgres BENCH_PEER=8450 bench/run-server.sh 8451)
#   BENCH_LIMITS=default  the service's own limits instead: nothing lifted (bench/abuse.sh measures
#                       what one client can make the server hold against them)
#   BENCH_PG_HOST, BENCH_PG_PORT, BENCH_PG_USER (127.0.0.1, 5432, postgres; trust authentication),
#   BENCH_REDIS_HOST, BENCH_REDIS_PORT (127.0.0.1, 6379)
#   further arguments after PORT are passed to the server (e.g. --chat.transport.heartbeat=0)
set -euo pipefail

port="${1:?usage: run-server.sh PORT [server args...]}"
shift
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"

jar="${PARLEY_JAR:-}"
if [[ -z "$jar" ]]; then
    jar="$(ls "$repo"/target/parley-*.jar 2>/dev/null | head -n 1 || true)"
    if [[ -z "$jar" ]]; then
        echo "run-server: no jar in $repo/target: building it (mvn package -DskipTests)" >&2
        (cd "$repo" && mvn -q -B package -DskipTests >&2)
        jar="$(ls "$repo"/target/parley-*.jar | head -n 1)"
    fi
fi

log="${PARLEY_LOG:-$here/target/server-$port.log}"
db_dir="$here/target/db-$port"
rm -rf "$db_dir"
if curl -fsS -o /dev/null "http://127.0.0.1:$port/actuator/health" 2>/dev/null; then
    echo "run-server: something already answers on port $port" >&2
    exit 1
fi

db_args=()
case "${BENCH_DB:-file}" in
    # Parley's store since session 12: SQLite in a file
    file) db_url="jdbc:sqlite:$db_dir/parley.db${BENCH_DB_OPTIONS:-}" ;;
    # for jars built before session 12, which stored in H2
    h2) db_url="jdbc:h2:file:$db_dir/parley;DB_CLOSE_ON_EXIT=FALSE${BENCH_DB_OPTIONS:-}" ;;
    mem) db_url="jdbc:h2:mem:bench;DB_CLOSE_DELAY=-1" ;;
    # the cluster profile: PostgreSQL and Redis, shared by the instances of one cluster
    postgres)
        owner="${BENCH_PEER:-$port}"
        pg_host="${BENCH_PG_HOST:-127.0.0.1}"
        pg_port="${BENCH_PG_PORT:-5432}"
        pg_user="${BENCH_PG_USER:-postgres}"
        db_name="parley_bench_$owner"
        if [[ -z "${BENCH_PEER:-}" ]]; then
            "$here/clean-cluster.sh" "$port" >&2
            createdb -h "$pg_host" -p "$pg_port" -U "$pg_user" "$db_name"
            echo "run-server: database $db_name created, Redis key prefix parley-bench-$owner" >&2
        elif ! psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -d "$db_name" -Atc 'select 1' >/dev/null 2>&1; then
            echo "run-server: BENCH_PEER=$owner: no database $db_name (start the first instance first)" >&2
            exit 1
        fi
        db_url="jdbc:postgresql://$pg_host:$pg_port/$db_name${BENCH_DB_OPTIONS:-}"
        db_args=(--spring.profiles.active=cluster --spring.datasource.username="$pg_user"
            --spring.data.redis.host="${BENCH_REDIS_HOST:-127.0.0.1}" --spring.data.redis.port="${BENCH_REDIS_PORT:-6379}"
            --chat.cluster.key-prefix="parley-bench-$owner")
        ;;
    *) echo "run-server: BENCH_DB is file, h2, mem or postgres" >&2; exit 2 ;;
esac
limit_args=(--chat.rate-limit.burst=1000000 --chat.rate-limit.per-second=1000000
    --chat.limits.claim-burst=1000000 --chat.limits.claims-per-hour=1000000)
case "${BENCH_LIMITS:-lifted}" in
    lifted) ;;
    default) limit_args=() ;;
    *) echo "run-server: BENCH_LIMITS is lifted (the default) or default" >&2; exit 2 ;;
esac
mkdir -p "$(dirname "$log")"

# shellcheck disable=SC2086
nohup "${PARLEY_JAVA:-java}" ${JAVA_OPTS:-} -jar "$jar" \
    --server.port="$port" \
    --spring.datasource.url="$db_url" ${db_args[@]+"${db_args[@]}"} \
    ${limit_args[@]+"${limit_args[@]}"} \
    "$@" >"$log" 2>&1 </dev/null &
pid=$!

for _ in $(seq 1 240); do
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "run-server: the server exited; its log ($log):" >&2
        tail -n 40 "$log" >&2
        exit 1
    fi
    if curl -fsS "http://127.0.0.1:$port/actuator/health" 2>/dev/null | grep -q '"status":"UP"'; then
        echo "run-server: $jar up on port $port (pid $pid, log $log, limits ${BENCH_LIMITS:-lifted})" >&2
        echo "$pid"
        exit 0
    fi
    sleep 0.5
done
echo "run-server: not UP after 120 s; killing $pid; its log ($log):" >&2
tail -n 40 "$log" >&2
kill "$pid" 2>/dev/null || true
exit 1
