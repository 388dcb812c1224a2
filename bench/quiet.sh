# Sourced by the comparison scripts: waiting for a quiet machine before a run.
#
#   wait_quiet   prints "BUSY WAITED" once other processes used less than QUIET_CORES (default 0.3)
#                cores of CPU over 10 s, or "BUSY WAITED (not quiet: ran anyway)" after QUIET_WAIT
#                seconds (default 600)
quiet_cores="${QUIET_CORES:-0.3}"
quiet_wait="${QUIET_WAIT:-600}"

# CPU busy over the next 10 s, in cores (user + nice + system + irq + softirq + steal of /proc/stat)
busy_cores() {
    local a b
    a=($(head -n 1 /proc/stat))
    sleep 10
    b=($(head -n 1 /proc/stat))
    awk -v u="$(( (b[1]+b[2]+b[3]+b[6]+b[7]+b[8]) - (a[1]+a[2]+a[3]+a[6]+a[7]+a[8]) ))" \
        -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", u / hz / 10 }'
}

wait_quiet() {
    local start=$SECONDS busy
    while true; do
        busy="$(busy_cores)"
        if awk -v b="$busy" -v q="$quiet_cores" 'BEGIN { exit !(b < q) }'; then
            echo "$busy $((SECONDS - start))"
            return
        fi
        if (( SECONDS - start >= quiet_wait )); then
            echo "$busy $((SECONDS - start)) (not quiet: ran anyway)"
            return
        fi
        echo "  waiting for a quiet machine: $busy cores busy, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
        sleep 20
    done
}
