#!/usr/bin/env python3
"""The table of bench/compare-cluster.sh: one row per run, from its summary.tsv and the runs' JSON.

    bench/cluster-summary.py bench/target/cluster-compare/summary.tsv

"others" is the CPU the machine spent outside the bench's generator and the server instances
during the measured window (PostgreSQL, Redis, and whatever else ran): machine busy minus both.
"""
import csv
import json
import sys


def main(path):
    rows = list(csv.DictReader(open(path), delimiter="\t"))
    print("| round | set-up | workload | quiet before (cores) | load before | deliveries/s | lost | server cores (per instance) "
          "| server µs/delivery | p50 ms | p99 ms | same-inst. p50 / p99 ms | cross-inst. p50 / p99 ms | cross − same p99 ms "
          "| gen cores | others cores |")
    print("|" + "---|" * 16)
    for row in rows:
        try:
            run = json.load(open(row["json"]))
            step = run["steps"][0]
        except (OSError, ValueError, IndexError, KeyError) as ex:
            print(f"| {row['round']} | {row['setup']} | {row['workload']} | {row['busy_before']} | {row['load_before']} | no result ({ex.__class__.__name__}) |")
            continue
        same = step.get("latencySameInstance") or {}
        cross = step.get("latencyCrossInstance") or {}
        per = step.get("serverCpuCoresPerInstance") or []
        server = step["serverCpuCores"]
        others = None
        if step.get("machineBusyCores") is not None and server is not None:
            others = step["machineBusyCores"] - server - step["generatorCpuCores"]
        extra = step.get("crossInstanceExtraP99Ms")
        cores = f"{server:.2f}" + (" (" + " + ".join(f"{c:.2f}" for c in per) + ")" if len(per) > 1 else "")
        split = lambda s: f"{s['p50Ms']:.2f} / {s['p99Ms']:.2f}" if s.get("count") else "-"
        print(f"| {row['round']} | {row['setup']} | {row['workload']} | {row['busy_before']} | {row['load_before']} "
              f"| {step['deliveriesPerSecond']:.0f} | {step['deliveriesLost']} | {cores} | {step['serverCpuMicrosPerDelivery']:.1f} "
              f"| {step['latency']['p50Ms']:.2f} | {step['latency']['p99Ms']:.2f} | {split(same)} | "
              f"{split(cross) if len(per) > 1 else '-'} | {('%+.2f' % extra) if extra is not None else '-'} "
              f"| {step['generatorCpuCores']:.2f} | {('%.2f' % others) if others is not None else '-'} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/target/cluster-compare/summary.tsv")
