#!/usr/bin/env python3
"""Evaluates the queries of docs/grafana-dashboard.json over scraped samples and writes data.js.

    panels.py SAMPLES DASHBOARD_JSON OUT_JS

SAMPLES is what render.sh collected: /actuator/prometheus text, each scrape preceded by a line
"# scrape <unix seconds>". Only the few PromQL shapes the dashboard uses are understood:

    [histogram_quantile(Q, ] sum|max [by (LABEL)] ( [rate|increase(] METRIC{MATCHERS} [[$__rate_interval]] [)] ) [)] [> 0]

$__rate_interval is WINDOW seconds (10, five scrapes); rate is the difference across the window
divided by its length, increase the difference (Prometheus also extrapolates to the window's
edges; at a 2 s scrape interval that changes nothing visible). Python 3, no packages.
"""
import json
import math
import re
import sys

WINDOW = 10.0

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
EXPR = re.compile(
    r'^(?:histogram_quantile\((?P<q>[\d.]+),\s*)?'
    r'(?P<agg>sum|max)(?:\s+by\s+\((?P<by>\w+)\))?\s*\('
    r'(?:(?P<fn>rate|increase)\()?(?P<metric>\w+)\{(?P<matchers>[^}]*)\}(?:\[\$__rate_interval\])?\)?'
    r'\)\)?(?P<positive>\s*>\s*0)?$')
MATCHER = re.compile(r'(\w+)(=~|=)"([^"]*)"')


def read_samples(path):
    """[(time, {(name, labels): value})], labels a sorted tuple of pairs."""
    scrapes = []
    for line in open(path, encoding='utf-8'):
        line = line.rstrip('\n')
        if line.startswith('# scrape '):
            scrapes.append((float(line.split()[2]), {}))
            continue
        if not line or line.startswith('#') or not scrapes:
            continue
        match = SAMPLE.match(line)
        if match:
            name, labels, value = match.groups()
            key = (name, tuple(sorted(LABEL.findall(labels or ''))))
            scrapes[-1][1][key] = float(value)
    return [s for s in scrapes if s[1]]


def matches(labels, matchers):
    found = dict(labels)
    for name, op, value in matchers:
        value = value.replace('$instance', '.*')
        actual = found.get(name, '')
        if op == '=' and actual != value:
            return False
        if op == '=~' and not re.fullmatch(value, actual):
            return False
    return True


def evaluate(expr, scrapes, start):
    """{legend labels: [[seconds since start, value or None], ...]} for one query."""
    m = EXPR.match(expr.strip())
    if not m:
        raise SystemExit('panels.py: cannot read ' + expr)
    matchers = MATCHER.findall(m['matchers'])
    group_by = 'le' if m['q'] else m['by']
    series = {}
    for i, (t, values) in enumerate(scrapes):
        j = i
        while j > 0 and t - scrapes[j - 1][0] <= WINDOW + 0.5:
            j -= 1
        groups = {}
        for (name, labels), value in values.items():
            if name != m['metric'] or not matches(labels, matchers):
                continue
            if m['fn']:
                if j == i:
                    continue
                before = scrapes[j][1].get((name, labels), 0.0)
                diff = max(value - before, 0.0)
                value = diff / (t - scrapes[j][0]) if m['fn'] == 'rate' else diff
            key = dict(labels).get(group_by, '') if group_by else ''
            if m['agg'] == 'sum':
                groups[key] = groups.get(key, 0.0) + value
            else:
                groups[key] = max(groups.get(key, -math.inf), value)
        if m['q']:
            groups = {'': quantile(float(m['q']), groups)} if groups else {}
        for key, value in groups.items():
            if value is not None and m['positive'] and value <= 0:
                value = None
            series.setdefault(key, []).append([round(t - start, 3), value])
    return series


def quantile(q, buckets):
    """Prometheus's histogram_quantile over cumulative bucket counts by upper bound."""
    bounds = sorted((math.inf if le == '+Inf' else float(le), count) for le, count in buckets.items())
    if not bounds or bounds[-1][0] != math.inf or bounds[-1][1] == 0:
        return None
    rank = q * bounds[-1][1]
    lower, below = 0.0, 0.0
    for upper, count in bounds:
        if count >= rank:
            if upper == math.inf:
                return lower
            return lower + (upper - lower) * (rank - below) / (count - below) if count > below else upper
        lower, below = upper, count
    return None


def main():
    samples, dashboard, out = sys.argv[1:4]
    scrapes = read_samples(samples)
    start = scrapes[0][0]
    panels = []
    for panel in json.load(open(dashboard, encoding='utf-8'))['panels']:
        series = []
        for target in panel['targets']:
            for key, points in sorted(evaluate(target['expr'], scrapes, start).items()):
                legend = re.sub(r'\{\{\w+\}\}', key, target['legendFormat'])
                if any(v is not None for _, v in points):
                    series.append({'label': legend, 'points': points})
        panels.append({'title': panel['title'], 'unit': panel['fieldConfig']['defaults']['unit'],
                       'series': series})
    with open(out, 'w', encoding='utf-8') as f:
        f.write('// written by panels.py from ' + samples + '\n')
        f.write('const PANELS = ' + json.dumps(panels) + ';\n')
        f.write('const SCRAPES = ' + str(len(scrapes)) + ';\n')
    print('panels.py: %d scrapes over %.0f s, %d panels' % (len(scrapes), scrapes[-1][0] - start, len(panels)))


if __name__ == '__main__':
    main()
