#!/usr/bin/env bash
# CPU profile of a running server, as collapsed stacks (one line per stack, then its sample count):
#
#   bench/profile.sh PID SECONDS OUT.collapsed
#
# Uses async-profiler's agent from Maven Central (tools.profiler:async-profiler, fetched once with
# mvn dependency:get), attached through jcmd, sampling CPU time per thread every millisecond. JFR's
# execution sampler caught about 1 % of the expected samples on the 2-core VMs of
# docs/performance.md; this one more, but its shares still lean towards threads in system calls:
# use a profile to find where work goes, and bench runs to size it.
set -euo pipefail

pid="${1:?usage: profile.sh PID SECONDS OUT.collapsed}"
seconds="${2:?usage: profile.sh PID SECONDS OUT.collapsed}"
out="$(realpath -m "${3:?usage: profile.sh PID SECONDS OUT.collapsed}")"
version=4.1
# PROFILE_EVENT=cpu PROFILE_INTERVAL=200us: perf events (as root, or with perf_event_paranoid <= 1);
# on the 2-core VMs of docs/performance.md they caught ~100× the samples of ctimer and itimer,
# whose shares leaned towards the JIT compiler and system calls.
# PROFILE_EVENT=alloc PROFILE_INTERVAL=512k: where the heap is allocated instead (a sample per 512 KB)
event="${PROFILE_EVENT:-ctimer}"
interval="${PROFILE_INTERVAL:-1ms}"
here="$(cd "$(dirname "$0")" && pwd)"
lib="$here/target/async-profiler-$version/linux-x64/libasyncProfiler.so"
if [[ ! -f "$lib" ]]; then
    jar="$HOME/.m2/repository/tools/profiler/async-profiler/$version/async-profiler-$version.jar"
    [[ -f "$jar" ]] || mvn -q -B dependency:get -Dartifact="tools.profiler:async-profiler:$version" >&2
    mkdir -p "$here/target/async-profiler-$version"
    (cd "$here/target/async-profiler-$version" && unzip -q -o "$jar" 'linux-x64/*')
fi
# jcmd reads "a=b" as a named argument: the agent's options go in double quotes
jcmd "$pid" JVMTI.agent_load "$lib" "\"start,event=$event,interval=$interval\"" > /dev/null
sleep "$seconds"
jcmd "$pid" JVMTI.agent_load "$lib" "\"stop,file=$out,collapsed\"" > /dev/null
echo "profile: $(awk '{ n += $NF } END { print n }' "$out") samples in $out" >&2
