#!/usr/bin/env python3
"""Draws the two comparison plots of docs/performance.md from baseline.sh's JSON (Python 3, no packages).

    bench/plots.py OUT_DIR LABEL=RESULTS_DIR [LABEL=RESULTS_DIR ...]

e.g. bench/plots.py docs/perf Parley=bench/target/baseline Socket.IO=bench/target/baseline-socketio

Each RESULTS_DIR holds baseline.sh's <workload>.json files. Writes, as SVG:
- p99-by-offered-load.svg: end-to-end p99 latency against offered deliveries/s, one line per
  server, from every measured step of every workload (a sweep gives several points, the fixed
  workloads one each);
- cpu-per-delivery.svg: server CPU per delivery (microseconds) by workload, one bar per server
  (a sweep: its highest step with nothing lost).
A run that lost or duplicated deliveries is drawn hollow: its figures are not comparable.
"""
import json
import math
import os
import sys
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 760, 420
LEFT, RIGHT, TOP, BOTTOM = 70, 170, 40, 60
COLOURS = ["#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df"]
ORDER = ["fanout", "bigroom", "burst", "sweep", "bigsweep", "saturation", "overload", "idle", "idle4g"]


def load(directory):
    """{workload: [step, ...]} of one results directory; each step a dict of the plotted figures."""
    runs = {}
    for name in sorted(os.listdir(directory)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(directory, name)) as f:
            report = json.load(f)
        steps = []
        for step in report.get("steps", []):
            seconds = step.get("measuredSeconds") or 0
            if not seconds or not step.get("deliveriesExpected"):
                continue
            steps.append({
                "offered": step["deliveriesExpected"] / seconds,
                "p99": (step.get("latency") or {}).get("p99Ms"),
                "cpu": step.get("serverCpuMicrosPerDelivery"),
                "clean": not step.get("deliveriesLost") and not step.get("deliveriesDuplicated"),
            })
        if steps:
            runs[name[:-len(".json")]] = steps
    return runs


def text(x, y, s, size=12, anchor="start", extra=""):
    return f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" {extra}>{escape(s)}</text>'


def ticks(low, high, log=False):
    if log:
        first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
        return [10 ** e for e in range(first, last + 1)]
    step = 10 ** (math.floor(math.log10(max(high - low, 1e-9))) - 1)
    for factor in (1, 2, 5, 10, 20, 50, 100):
        if (high - low) / (step * factor) <= 6:
            step *= factor
            break
    start = math.floor(low / step) * step
    return [start + i * step for i in range(int((high - start) / step) + 2)]


def fmt(v):
    return f"{v:,.0f}" if v >= 10 else f"{v:g}"


def svg(title, body):
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
            f'font-family="sans-serif" viewBox="0 0 {WIDTH} {HEIGHT}">\n'
            f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>\n'
            + text(WIDTH / 2, 22, title, 15, "middle", 'font-weight="bold"') + "\n" + "\n".join(body) + "\n</svg>\n")


def legend(labels, body):
    for i, label in enumerate(labels):
        y = TOP + 10 + i * 22
        body.append(f'<rect x="{WIDTH - RIGHT + 20}" y="{y - 9}" width="14" height="10" fill="{COLOURS[i % len(COLOURS)]}"/>')
        body.append(text(WIDTH - RIGHT + 40, y, label))


def latency_plot(series):
    points = [(s["offered"], s["p99"]) for runs in series.values() for steps in runs.values() for s in steps
              if s["p99"]]
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x_low, x_high = 0, max(xs) * 1.05
    y_low, y_high = max(min(ys) / 1.5, 0.1), max(ys) * 1.5
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(x):
        return LEFT + (x - x_low) / (x_high - x_low) * plot_w

    def py(y):
        return TOP + plot_h - (math.log10(y) - math.log10(y_low)) / (math.log10(y_high) - math.log10(y_low)) * plot_h

    body = [f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#888"/>']
    for t in ticks(x_low, x_high):
        if x_low <= t <= x_high:
            body.append(f'<line x1="{px(t):.1f}" y1="{TOP}" x2="{px(t):.1f}" y2="{TOP + plot_h}" stroke="#eee"/>')
            body.append(text(px(t), TOP + plot_h + 16, fmt(t), 11, "middle"))
    for t in ticks(y_low, y_high, log=True):
        for m in (1, 2, 5):
            v = t * m
            if y_low <= v <= y_high:
                body.append(f'<line x1="{LEFT}" y1="{py(v):.1f}" x2="{LEFT + plot_w}" y2="{py(v):.1f}" stroke="#eee"/>')
                body.append(text(LEFT - 6, py(v) + 4, fmt(v), 11, "end"))
    body.append(text(LEFT + plot_w / 2, HEIGHT - 18, "offered deliveries per second", 12, "middle"))
    body.append(text(18, TOP + plot_h / 2, "p99 latency, ms (log scale)", 12, "middle",
                     f'transform="rotate(-90 18 {TOP + plot_h / 2})"'))
    for i, (label, runs) in enumerate(series.items()):
        colour = COLOURS[i % len(COLOURS)]
        # a line joins the steps of one sweep only: workloads of other shapes are not one curve
        for workload, steps in runs.items():
            steps = sorted((s for s in steps if s["p99"]), key=lambda s: s["offered"])
            if len(steps) > 1:
                path = " ".join(f"{px(s['offered']):.1f},{py(s['p99']):.1f}" for s in steps)
                body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.5" '
                            f'opacity="0.6"/>')
            elif steps:
                body.append(text(px(steps[0]["offered"]) + 7, py(steps[0]["p99"]) + (12 if i % 2 else -6),
                                 workload, 10, "start", f'fill="{colour}"'))
            for s in steps:
                fill = colour if s["clean"] else "white"
                body.append(f'<circle cx="{px(s["offered"]):.1f}" cy="{py(s["p99"]):.1f}" r="4" fill="{fill}" '
                            f'stroke="{colour}" stroke-width="1.5"/>')
    legend(list(series), body)
    return svg("p99 latency against offered load", body)


def cpu_step(steps):
    """The step a workload's bar shows: its last clean one (a sweep's highest sustained), else its last."""
    clean = [s for s in steps if s["clean"] and s["cpu"]]
    return clean[-1] if clean else steps[-1]


def cpu_plot(series):
    workloads = sorted({w for runs in series.values() for w, steps in runs.items() if cpu_step(steps)["cpu"]},
                       key=lambda w: (ORDER.index(w) if w in ORDER else len(ORDER), w))
    if not workloads:
        return None
    values = [cpu_step(runs[w])["cpu"] for runs in series.values() for w in workloads
              if w in runs and cpu_step(runs[w])["cpu"]]
    y_high = max(values) * 1.15
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group = plot_w / len(workloads)
    bar = group * 0.8 / len(series)

    def py(y):
        return TOP + plot_h - y / y_high * plot_h

    body = [f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#888"/>']
    for t in ticks(0, y_high):
        if t <= y_high:
            body.append(f'<line x1="{LEFT}" y1="{py(t):.1f}" x2="{LEFT + plot_w}" y2="{py(t):.1f}" stroke="#eee"/>')
            body.append(text(LEFT - 6, py(t) + 4, fmt(t), 11, "end"))
    for g, workload in enumerate(workloads):
        x0 = LEFT + g * group + group * 0.1
        body.append(text(LEFT + g * group + group / 2, TOP + plot_h + 16, workload, 12, "middle"))
        for i, runs in enumerate(series.values()):
            steps = runs.get(workload)
            if not steps or not cpu_step(steps)["cpu"]:
                continue
            step, colour = cpu_step(steps), COLOURS[i % len(COLOURS)]
            x = x0 + i * bar
            fill = colour if step["clean"] else "white"
            body.append(f'<rect x="{x:.1f}" y="{py(step["cpu"]):.1f}" width="{bar - 2:.1f}" '
                        f'height="{TOP + plot_h - py(step["cpu"]):.1f}" fill="{fill}" stroke="{colour}"/>')
            body.append(text(x + bar / 2 - 1, py(step["cpu"]) - 4, f"{step['cpu']:.1f}", 10, "middle"))
    body.append(text(18, TOP + plot_h / 2, "server CPU per delivery, µs", 12, "middle",
                     f'transform="rotate(-90 18 {TOP + plot_h / 2})"'))
    body.append(text(LEFT + plot_w / 2, HEIGHT - 18, "workload (a sweep: its highest step with nothing lost)", 12, "middle"))
    legend(list(series), body)
    return svg("Server CPU per delivery by workload", body)


def main(argv):
    if len(argv) < 3 or any("=" not in a for a in argv[2:]):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    out = argv[1]
    series = {}
    for arg in argv[2:]:
        label, directory = arg.split("=", 1)
        series[label] = load(directory)
    os.makedirs(out, exist_ok=True)
    for name, drawing in (("p99-by-offered-load.svg", latency_plot(series)),
                          ("cpu-per-delivery.svg", cpu_plot(series))):
        if drawing is None:
            print(f"{name}: nothing to draw", file=sys.stderr)
            continue
        with open(os.path.join(out, name), "w") as f:
            f.write(drawing)
        print(os.path.join(out, name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
