#!/usr/bin/env python3
"""Who holds a server's memory per connection: reads a heap dump (HPROF, as `jcmd PID GC.heap_dump`
writes it) and prints

  1. the classes with the most retained bytes in the dominator tree (what each kind of object keeps
     alive that nothing else reaches), with counts, so that dividing by the number of connections
     gives bytes per connection held by, say, Tomcat's socket wrapper or Spring's session;
  2. for the classes given with --owners, which fields of which classes refer to their instances
     (how a connection's maps, arrays and strings are reached), and the class of each instance's
     immediate dominator;
  3. with --maps, every HashMap, LinkedHashMap and ConcurrentHashMap by the field that holds it:
     how many, how many entries in all, one key;
  4. with --chain, the dominators of one instance of each class given, with their retained bytes.

    jcmd PID GC.heap_dump /tmp/idle.hprof     # while bench --idle holds N connections
    bench/heap-owners.py /tmp/idle.hprof [--per N] [--top 40] [--owners java.lang.String,...] [--maps] [--chain CLASS,...]

--per N divides counts and sizes by N (the number of connections held when the dump was taken).
Sizes are estimates for a 64-bit JVM with compressed pointers (12-byte headers, 4-byte references,
8-byte alignment), as `jcmd GC.class_histogram` counts them. Pure Python, no dependencies: a
dump of a few hundred MB takes minutes.
"""
import argparse
import struct
import sys
from array import array
from collections import Counter, defaultdict

BASIC = {2: 4, 4: 1, 5: 2, 6: 4, 7: 8, 8: 1, 9: 2, 10: 4, 11: 8}  # type -> size in a compressed-oops heap
PRIM_NAMES = {4: "boolean[]", 5: "char[]", 6: "float[]", 7: "double[]", 8: "byte[]", 9: "short[]",
              10: "int[]", 11: "long[]"}


def align(n):
    return (n + 7) & ~7


def parse(path):
    data = open(path, "rb").read()
    end = data.index(b"\0")
    pos = end + 1
    id_size = struct.unpack_from(">I", data, pos)[0]
    pos += 12
    id_fmt = ">Q" if id_size == 8 else ">I"
    field_size = dict(BASIC)
    field_size[2] = id_size  # in the dump's own encoding
    strings = {}
    class_name = {}
    classes = {}  # class id -> (super id, [(name, type)], instance size estimate)
    objects = {}  # object id -> (kind, class key, payload)
    roots = []
    read_id = lambda p: struct.unpack_from(id_fmt, data, p)[0]

    while pos < len(data):
        tag = data[pos]
        length = struct.unpack_from(">I", data, pos + 5)[0]
        body = pos + 9
        pos = body + length
        if tag == 0x01:
            strings[read_id(body)] = data[body + id_size:pos].decode("utf-8", "replace")
        elif tag == 0x02:
            class_name[read_id(body + 4)] = read_id(body + 8 + id_size)
        elif tag in (0x0C, 0x1C):
            p = body
            while p < pos:
                sub = data[p]
                p += 1
                if sub == 0xFF:
                    roots.append(read_id(p)); p += id_size
                elif sub == 0x01:
                    roots.append(read_id(p)); p += 2 * id_size
                elif sub in (0x02, 0x03):
                    roots.append(read_id(p)); p += id_size + 8
                elif sub in (0x04, 0x06):
                    roots.append(read_id(p)); p += id_size + 4
                elif sub in (0x05, 0x07):
                    roots.append(read_id(p)); p += id_size
                elif sub == 0x08:
                    roots.append(read_id(p)); p += id_size + 8
                elif sub == 0x20:
                    cid = read_id(p)
                    sup = read_id(p + id_size + 4)
                    p += 7 * id_size + 4
                    p += 4  # instance size
                    n = struct.unpack_from(">H", data, p)[0]; p += 2
                    for _ in range(n):
                        t = data[p + 2]
                        p += 3 + field_size[t]
                    n = struct.unpack_from(">H", data, p)[0]; p += 2
                    statics = []
                    for _ in range(n):
                        t = data[p + id_size]
                        if t == 2:
                            statics.append(read_id(p + id_size + 1))
                        p += id_size + 1 + field_size[t]
                    n = struct.unpack_from(">H", data, p)[0]; p += 2
                    fields = []
                    for _ in range(n):
                        fields.append((read_id(p), data[p + id_size]))
                        p += id_size + 1
                    classes[cid] = (sup, fields, statics)
                elif sub == 0x21:
                    oid = read_id(p)
                    cid = read_id(p + id_size + 4)
                    n = struct.unpack_from(">I", data, p + 2 * id_size + 4)[0]
                    start = p + 2 * id_size + 8
                    objects[oid] = (0, cid, start)
                    p = start + n
                elif sub == 0x22:
                    oid = read_id(p)
                    n = struct.unpack_from(">I", data, p + id_size + 4)[0]
                    cid = read_id(p + id_size + 8)
                    start = p + 2 * id_size + 8
                    objects[oid] = (1, cid, (start, n))
                    p = start + n * id_size
                elif sub == 0x23:
                    oid = read_id(p)
                    n = struct.unpack_from(">I", data, p + id_size + 4)[0]
                    t = data[p + id_size + 8]
                    objects[oid] = (2, t, (n, p + id_size + 9))
                    p += id_size + 9 + n * BASIC[t]
                else:
                    raise ValueError(f"unknown heap sub-record {sub:#x} at {p - 1}")
    names = {cid: strings.get(class_name.get(cid), f"class@{cid:x}").replace("/", ".") for cid in classes}
    return data, id_size, strings, classes, names, objects, roots


def layout(classes, strings, cid, cache):
    """The instance's fields in dump order: [(offset, name, type)], and its estimated shallow size."""
    if cid in cache:
        return cache[cid]
    fields, size, offset, c = [], 12, 0, cid
    while c and c in classes:
        sup, own, _ = classes[c]
        for name_id, t in own:
            fields.append((offset, strings.get(name_id, "?"), t))
            offset += 8 if t == 2 else BASIC[t]  # the dump writes 8-byte ids
            size += BASIC[t]
        c = sup
    cache[cid] = (fields, align(size))
    return cache[cid]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dump")
    ap.add_argument("--per", type=float, default=1.0, help="divide by this many connections")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--owners", default="", help="comma-separated class names whose referrers to list")
    ap.add_argument("--maps", action="store_true",
                    help="maps (java.util's and its concurrent ones) by the field that holds them: how many, their entries, a key")
    ap.add_argument("--chain", default="", help="comma-separated class names: print one instance's dominators")
    args = ap.parse_args()

    print(f"reading {args.dump}", file=sys.stderr)
    data, id_size, strings, classes, names, objects, roots = parse(args.dump)
    id_fmt = ">Q" if id_size == 8 else ">I"
    print(f"{len(objects)} objects, {len(classes)} classes, {len(roots)} roots", file=sys.stderr)

    # dense numbering; classes are objects too (their statics are references)
    ids = list(objects.keys()) + [c for c in classes if c not in objects]
    index = {oid: i for i, oid in enumerate(ids)}
    n = len(ids)
    kind_name = [None] * n
    size = array("l", [0]) * n
    succ = [None] * n
    cache = {}
    for i, oid in enumerate(ids):
        obj = objects.get(oid)
        if obj is None:  # a class
            kind_name[i] = "class " + names[oid]
            size[i] = 0
            succ[i] = [index[s] for s in classes[oid][2] if s in index]
            continue
        kind, key, payload = obj
        if kind == 0:
            fields, sz = layout(classes, strings, key, cache)
            kind_name[i] = names.get(key, "?")
            size[i] = sz
            refs = []
            for off, _, t in fields:
                if t == 2:
                    r = struct.unpack_from(id_fmt, data, payload + off)[0]
                    if r in index:
                        refs.append(index[r])
            if key in index:
                refs.append(index[key])
            succ[i] = refs
        elif kind == 1:
            start, count = payload
            kind_name[i] = names.get(key, "Object[]")
            size[i] = align(16 + 4 * count)
            refs = []
            for k in range(count):
                r = struct.unpack_from(id_fmt, data, start + k * id_size)[0]
                if r in index:
                    refs.append(index[r])
            succ[i] = refs
        else:
            kind_name[i] = PRIM_NAMES[key]
            size[i] = align(16 + BASIC[key] * payload[0])
            succ[i] = []

    # dominators (Cooper, Harvey, Kennedy: "A Simple, Fast Dominance Algorithm") from a virtual root
    root = n
    succ.append(sorted({index[r] for r in roots if r in index} | {index[c] for c in classes if c in index}))
    order = []  # post-order
    seen = bytearray(n + 1)
    stack = [(root, 0)]
    seen[root] = 1
    while stack:
        node, k = stack[-1]
        s = succ[node]
        if k < len(s):
            stack[-1] = (node, k + 1)
            nxt = s[k]
            if not seen[nxt]:
                seen[nxt] = 1
                stack.append((nxt, 0))
        else:
            stack.pop()
            order.append(node)
    po = array("l", [-1]) * (n + 1)
    for k, node in enumerate(order):
        po[node] = k
    preds = [[] for _ in range(n + 1)]
    for node in order:
        for s in succ[node]:
            preds[s].append(node)
    idom = array("l", [-1]) * (n + 1)
    idom[root] = root
    rpo = list(reversed(order))
    changed = True
    rounds = 0
    while changed:
        changed = False
        rounds += 1
        for node in rpo:
            if node == root:
                continue
            new = -1
            for p in preds[node]:
                if idom[p] == -1:
                    continue
                if new == -1:
                    new = p
                    continue
                a, b = p, new
                while a != b:
                    while po[a] < po[b]:
                        a = idom[a]
                    while po[b] < po[a]:
                        b = idom[b]
                new = a
            if idom[node] != new:
                idom[node] = new
                changed = True
    print(f"dominators in {rounds} rounds, {len(order) - 1} reachable objects", file=sys.stderr)

    retained = array("l", [0]) * (n + 1)
    for node in order:  # children before parents
        if node != root:
            retained[node] += size[node]
            if idom[node] != root:
                retained[idom[node]] += retained[node]

    per = args.per
    shallow = Counter()
    count = Counter()
    for node in order:
        if node == root:
            continue
        name = kind_name[node]
        shallow[name] += size[node]
        count[name] += 1
    print(f"\n== shallow size by class (per {per:g}) ==")
    print(f"{'count':>10} {'bytes':>12}  class")
    for name, b in shallow.most_common(args.top):
        print(f"{count[name] / per:10.2f} {b / per:12.1f}  {name}")

    # retained by class, counting only objects whose immediate dominator is not of the same class
    # (a linked list's nodes would otherwise count many times over)
    top_ret = Counter()
    top_cnt = Counter()
    for node in order:
        if node == root:
            continue
        d = idom[node]
        if d != root and kind_name[d] == kind_name[node]:
            continue
        top_ret[kind_name[node]] += retained[node]
        top_cnt[kind_name[node]] += 1
    print(f"\n== retained size by class (per {per:g}; objects not dominated by one of their own class) ==")
    print(f"{'count':>10} {'retained':>12}  class")
    for name, b in top_ret.most_common(args.top):
        print(f"{top_cnt[name] / per:10.2f} {b / per:12.1f}  {name}")

    # how the listed classes' instances are reached: the referring class and field, an example of
    # what the referrer holds where it is a String, and the class of each one's immediate dominator
    wanted = set(w for w in args.owners.split(",") if w)
    chains = set(w for w in args.chain.split(",") if w)
    if wanted or chains or args.maps:
        def string_value(node):
            obj = objects.get(ids[node])
            if obj is None or obj[0] != 0:
                return None
            fields, _ = layout(classes, strings, obj[1], cache)
            value, coder = None, 0
            for off, name, t in fields:
                if name == "value" and t == 2:
                    value = struct.unpack_from(id_fmt, data, obj[2] + off)[0]
                elif name == "coder" and t == 8:
                    coder = data[obj[2] + off]
            arr = objects.get(value)
            if arr is None or arr[0] != 2:
                return None
            count, start = arr[2]
            raw = data[start:start + min(count, 80)]
            return raw.decode("utf-16-be" if coder else "latin-1", "replace")

        ref_by = defaultdict(Counter)
        example = {}
        for node in order:
            if node == root or node >= len(objects):
                continue
            kind, key, payload = objects[ids[node]]
            if kind == 0:
                fields, _ = layout(classes, strings, key, cache)
                for off, fname, t in fields:
                    if t != 2:
                        continue
                    r = struct.unpack_from(id_fmt, data, payload + off)[0]
                    target = index.get(r)
                    if target is not None and kind_name[target] in wanted:
                        where = f"{kind_name[node]}.{fname}"
                        ref_by[kind_name[target]][where] += 1
                        if kind_name[target] == "java.lang.String" and where not in example:
                            example[where] = string_value(target)
            elif kind == 1:
                for s in succ[node]:
                    if kind_name[s] in wanted:
                        ref_by[kind_name[s]][kind_name[node]] += 1
        if args.maps:
            map_classes = {"java.util.HashMap", "java.util.LinkedHashMap", "java.util.concurrent.ConcurrentHashMap"}
            holders = defaultdict(lambda: [0, 0, None])  # field -> maps, entries, a key
            node_classes = {"java.util.HashMap$Node", "java.util.LinkedHashMap$Entry",
                            "java.util.concurrent.ConcurrentHashMap$Node"}

            def entries(node):
                obj = objects[ids[node]]
                fields, _ = layout(classes, strings, obj[1], cache)
                total, key = 0, None
                for off, fname, t in fields:
                    if fname == "table" and t == 2:
                        table = index.get(struct.unpack_from(id_fmt, data, obj[2] + off)[0])
                        if table is None:
                            continue
                        for bucket in succ[table]:
                            chain = bucket
                            while chain is not None and kind_name[chain] in node_classes:
                                total += 1
                                cobj = objects[ids[chain]]
                                cfields, _ = layout(classes, strings, cobj[1], cache)
                                nxt = None
                                for coff, cname, ct in cfields:
                                    if ct != 2:
                                        continue
                                    r = index.get(struct.unpack_from(id_fmt, data, cobj[2] + coff)[0])
                                    if cname == "key" and key is None and r is not None:
                                        key = string_value(r) if kind_name[r] == "java.lang.String" else kind_name[r]
                                    elif cname == "next":
                                        nxt = r
                                chain = nxt
                return total, key

            for node in order:
                if node == root or node >= len(objects):
                    continue
                kind, key, payload = objects[ids[node]]
                if kind != 0:
                    continue
                fields, _ = layout(classes, strings, key, cache)
                for off, fname, t in fields:
                    if t != 2:
                        continue
                    target = index.get(struct.unpack_from(id_fmt, data, payload + off)[0])
                    if target is not None and kind_name[target] in map_classes:
                        h = holders[f"{kind_name[node]}.{fname} -> {kind_name[target]}"]
                        n_entries, k = entries(target)
                        h[0] += 1
                        h[1] += n_entries
                        if h[2] is None:
                            h[2] = k
            print(f"\n== maps by holding field (per {per:g}): maps, entries, a key ==")
            for where, (maps, n_entries, k) in sorted(holders.items(), key=lambda e: -max(e[1][0], e[1][1]))[:args.top]:
                print(f"{maps / per:8.2f} {n_entries / per:8.2f}  {where}   {k!r}")
        for w in sorted(wanted):
            dom_by = Counter()
            for node in order:
                if node != root and kind_name[node] == w:
                    d = idom[node]
                    dom_by["<root>" if d == root else kind_name[d]] += 1
            print(f"\n== {w}: referred to by (per {per:g}) ==")
            for name, c in ref_by[w].most_common(args.top):
                ex = f"   e.g. {example[name]!r}" if name in example and example[name] is not None else ""
                print(f"{c / per:10.2f}  {name}{ex}")
            print(f"-- {w}: immediately dominated by --")
            for name, c in dom_by.most_common(15):
                print(f"{c / per:10.2f}  {name}")
        for w in sorted(chains):
            node = next((k for k in order if k != root and kind_name[k] == w), None)
            print(f"\n== dominator chain of one {w} ==")
            while node is not None and node != root:
                print(f"  {retained[node]:>10}  {kind_name[node]}")
                node = idom[node]

if __name__ == "__main__":
    main()
