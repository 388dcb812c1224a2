#!/usr/bin/env python3
"""Writes docs/performance.md's comparison tables, Parley against Socket.IO 4, from baseline.sh's JSON
(Python 3, no packages).

    bench/tables.py PARLEY_DIR SOCKETIO_DIR            one pair: baseline.sh's two result directories
    bench/tables.py COMPARE_DIR                        compare.sh's rounds: COMPARE_DIR/round-N/{parley,socketio}/

Prints Markdown: one table per workload found, a row per round (the pair of runs made back to
back), Parley's figure, Socket.IO's and their ratio, then the median of the ratios, which is the
figure to quote: this machine's noise between batches is larger than many differences, so only
runs of one round are compared with each other.

Figures per workload:
- fanout, bigroom, burst (one measured step): server CPU per delivery and end-to-end p99;
- sweep, bigsweep, saturation (two generators merged): the highest sustained deliveries/s, and
  whether the generator was the limit;
- idle, idle-defaults, idle4g: RSS per connection (connected minus before) and the connected RSS;
- storm: seconds until every client was back, server CPU per reconnect, p99 of the time back;
- capacity: set-up time, RSS per connection and connected, CPU while idle (heart-beats on);
  capacity-room as the one-step workloads.
A run that lost, duplicated or failed anything is marked: its figures are not comparable.
"""
import json
import os
import statistics
import sys

ORDER = ["fanout", "bigroom", "burst", "sweep", "bigsweep", "saturation", "storm", "capacity", "capacity-room", "idle",
         "idle-defaults", "idle4g", "overload"]


def load(directory):
    """{workload: report} of one results directory."""
    reports = {}
    if not os.path.isdir(directory):
        return reports
    for name in os.listdir(directory):
        if name.endswith(".json"):
            with open(os.path.join(directory, name)) as f:
                reports[name[:-len(".json")]] = json.load(f)
    return reports


def clean(report):
    steps = report.get("steps") or []
    sweep = report.get("sweep")
    if sweep is not None:
        # a sweep goes on past the rate that fails: only the steps up to its result count
        highest = sweep.get("highestSustainedRate")
        steps = [s for s in steps if highest is not None and s.get("targetRate", 0) <= highest]
    lost = any(s.get("deliveriesLost") or s.get("deliveriesDuplicated") for s in steps)
    storm = report.get("storm") or {}
    return not lost and not report.get("connectionsDropped") and not storm.get("failed")


def figures(workload, report):
    """[(name, value, unit, lower_is_better)] of one run; None where it has no such figure."""
    if report is None:
        return None
    steps = report.get("steps") or []
    if workload == "storm":
        storm = report.get("storm") or {}
        return [("all back after", storm.get("secondsToAllBack"), "s", True),
                ("server CPU per reconnect", storm.get("serverCpuMsPerReconnect"), "ms", True),
                ("p99 back after", (storm.get("backAfter") or {}).get("p99Ms"), "ms", True)]
    if workload.startswith("idle") or workload == "capacity":
        idle = report.get("idle") or {}
        per = idle.get("serverRssPerConnectionBytes")
        after = idle.get("serverRssAfterBytes")
        found = [("RSS per connection", per / 1024 if per is not None else None, "KB", True),
                 ("RSS connected", after / 2 ** 20 if after is not None else None, "MB", True)]
        if workload == "capacity":
            found.append(("CPU while idle", idle.get("serverCpuCoresWhileIdle"), "cores", True))
            found.insert(0, ("set-up", (report.get("setup") or {}).get("seconds"), "s", True))
        return found
    if workload in ("sweep", "bigsweep", "saturation"):
        sweep = report.get("sweep") or {}
        return [("highest sustained", sweep.get("highestSustainedDeliveriesPerSecond"), "deliveries/s", False)]
    if not steps:
        return None
    step = steps[0]
    return [("server CPU per delivery", step.get("serverCpuMicrosPerDelivery"), "µs", True),
            ("p99", (step.get("latency") or {}).get("p99Ms"), "ms", True)]


def fmt(value, unit):
    if value is None:
        return "-"
    if unit == "deliveries/s":
        return f"{value:,.0f}"
    if value >= 100:
        return f"{value:.0f} {unit}"
    return f"{value:.2f} {unit}" if value < 10 else f"{value:.1f} {unit}"


def rounds_of(arguments):
    """[(label, parley_reports, socketio_reports)] from the command line."""
    if len(arguments) == 2:
        return [("1", load(arguments[0]), load(arguments[1]))]
    base = arguments[0]
    found = []
    for name in sorted(os.listdir(base), key=lambda n: (len(n), n)):
        if name.startswith("round-"):
            found.append((name[len("round-"):], load(os.path.join(base, name, "parley")),
                          load(os.path.join(base, name, "socketio"))))
    return found


def table(workload, rounds):
    rows = [(label, p.get(workload), s.get(workload)) for label, p, s in rounds
            if workload in p or workload in s]
    if not rows:
        return []
    names = next((figures(workload, r) for _, p, s in rows for r in (p, s) if figures(workload, r)), None)
    if not names:
        return []
    header = ["round"]
    for name, _, _, _ in names:
        header += [f"{name}: Parley", "Socket.IO", "ratio"]
    lines = [f"#### {workload}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    ratios = [[] for _ in names]
    for label, parley, socketio in rows:
        pf, sf = figures(workload, parley), figures(workload, socketio)
        cells = [label + ("" if (parley is None or clean(parley)) and (socketio is None or clean(socketio))
                          else " (not clean)")]
        for i, (name, _, unit, _) in enumerate(names):
            pv = pf[i][1] if pf else None
            sv = sf[i][1] if sf else None
            ratio = pv / sv if pv is not None and sv else None
            if ratio is not None:
                ratios[i].append(ratio)
            cells += [fmt(pv, unit), fmt(sv, unit), f"{ratio:.2f}×" if ratio is not None else "-"]
        lines.append("| " + " | ".join(cells) + " |")
    if len(rows) > 1:
        cells = ["median"]
        for i in range(len(names)):
            cells += ["", "", f"{statistics.median(ratios[i]):.2f}×" if ratios[i] else "-"]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def main(arguments):
    if len(arguments) not in (1, 2):
        print(__doc__, file=sys.stderr)
        return 2
    rounds = rounds_of(arguments)
    if not rounds:
        print(f"no rounds in {arguments[0]} (round-N/parley, round-N/socketio)", file=sys.stderr)
        return 1
    workloads = sorted({w for _, p, s in rounds for w in list(p) + list(s)},
                       key=lambda w: (ORDER.index(w) if w in ORDER else len(ORDER), w))
    out = [f"Parley against Socket.IO 4: {len(rounds)} round(s); a ratio below 1 is Parley's lead "
           "(for the sweeps, above 1)", ""]
    for workload in workloads:
        out += table(workload, rounds)
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
