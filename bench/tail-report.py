#!/usr/bin/env python3
"""Splits the bench's latency into the server's share and the rest, from a packet capture of the
server's port on loopback, and names what else held the CPUs while the server stalled.

    bench/tail-report.py CAPTURE.pcap PORT [SCHED.txt MARKS.txt]

The capture (tcpdump -i lo -s 700 -w CAPTURE.pcap tcp port PORT) gives, for each bench message, the
time its client frame reached the server and the time each delivery of it left: the server's
residence. The bench's own latency adds the generator's send and receive paths; comparing the two
says which side the tail is on. Frames from clients are unmasked; a frame counts by the bench
payload in it (pb:<step>:m:<room seq>:...), so STOMP and Socket.IO captures both work.

A stall is a run of messages whose first delivery left more than STALL_MS after they arrived.
With a scheduler trace (perf script -F comm,tid,cpu,time,event,trace of
perf record -e sched:sched_switch -a) and the markers written by bench/tail.sh (wall-clock time, then
a process named parley-mark-N), each stall lists which threads and processes ran on the CPUs
during it, in ms; perf's clock is not the capture's, and the markers align the two within a few ms.

Python 3, no packages.
"""
import collections
import re
import struct
import sys

STALL_MS = 5.0
PAYLOAD = re.compile(rb"pb:(\d+):m:(\d+):(\d+)")


def frames(payload):
    """The payloads of the WebSocket frames that start a TCP segment, unmasked; best effort: a
    frame split over segments is seen only up to the segment's end, which still holds the
    bench payload of every frame the bench sends."""
    out, i = [], 0
    while i + 2 <= len(payload):
        b0, b1 = payload[i], payload[i + 1]
        if b0 & 0x70:
            break
        length, j = b1 & 0x7F, i + 2
        if length == 126:
            if j + 2 > len(payload):
                break
            length, j = struct.unpack(">H", payload[j:j + 2])[0], j + 2
        elif length == 127:
            if j + 8 > len(payload):
                break
            length, j = struct.unpack(">Q", payload[j:j + 8])[0], j + 8
        if b1 & 0x80:
            if j + 4 > len(payload):
                break
            key, j = payload[j:j + 4], j + 4
            out.append(bytes(c ^ key[k % 4] for k, c in enumerate(payload[j:j + length])))
        else:
            out.append(payload[j:j + length])
        i = j + length
    return out


def read_capture(path, port):
    """(arrivals, departures): the arrival time of each bench message, and the departure times of
    its deliveries, by its payload (step, room sequence and send time: unique across rooms)."""
    arrivals, departures = {}, collections.defaultdict(list)
    with open(path, "rb") as f:
        header = f.read(24)
        nanos = struct.unpack("<I", header[:4])[0] == 0xA1B23C4D
        link = struct.unpack("<I", header[20:24])[0]
        skip = {1: 14, 113: 16, 0: 4, 276: 20}.get(link, 14)
        while True:
            record = f.read(16)
            if len(record) < 16:
                break
            seconds, fraction, captured, _ = struct.unpack("<IIII", record)
            packet = f.read(captured)
            t = seconds + fraction / (1e9 if nanos else 1e6)
            ip = packet[skip:]
            if len(ip) < 20 or ip[0] >> 4 != 4:
                continue
            tcp = ip[(ip[0] & 15) * 4:]
            source, destination = struct.unpack(">HH", tcp[:4])
            data = tcp[(tcp[12] >> 4) * 4:]
            if not data:
                continue
            if destination == port:
                for frame in frames(data):
                    for m in PAYLOAD.finditer(frame):
                        arrivals.setdefault(m.group(0), t)
            elif source == port:
                for m in PAYLOAD.finditer(data):
                    departures[m.group(0)].append(t)
    return arrivals, departures


def percentiles(values, label):
    values = sorted(values)
    if not values:
        return f"{label}: none"
    pick = lambda q: values[min(len(values) - 1, int(q * len(values)))]
    return (f"{label}: p50 {pick(0.5):.2f}  p90 {pick(0.9):.2f}  p99 {pick(0.99):.2f}  "
            f"p99.9 {pick(0.999):.2f}  max {values[-1]:.2f} ms")


def stalls(arrivals, departures):
    """[start, end] of each run of messages whose first delivery waited more than STALL_MS, and
    how many messages they held."""
    late = []
    for key, arrived in sorted(arrivals.items(), key=lambda kv: kv[1]):
        left = departures.get(key)
        if left and min(left) - arrived > STALL_MS / 1000:
            late.append((arrived, min(left)))
    merged = []
    for start, end in late:
        if merged and start <= merged[-1][1] + 0.002:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged, len(late)


SWITCH = re.compile(r"\s*(.+?)\s+(\d+) \[(\d+)\]\s+([\d.]+): sched:sched_switch: prev_comm=(.*?) prev_pid=\d+ "
                    r".*?==> next_comm=(.*?) next_pid=")


def read_schedule(path):
    """Who ran on which CPU when: [(start, end, comm)] in perf's clock, and the first time each
    marker process appears."""
    runs, current, markers = [], {}, {}
    with open(path) as f:
        for line in f:
            m = SWITCH.match(line)
            if not m:
                continue
            t, cpu, previous, following = float(m.group(4)), int(m.group(3)), m.group(5), m.group(6)
            for comm in (previous, following):
                if comm.startswith("parley-mark-"):
                    markers.setdefault(comm, t)
            if cpu in current:
                runs.append((current[cpu][1], t, previous))
            current[cpu] = (following, t)
    return runs, markers


def clock_offset(markers, marks_path):
    """Wall clock minus perf clock: each marker's wall time is read just before it starts, so the
    largest difference is the closest."""
    best = None
    with open(marks_path) as f:
        for line in f:
            wall, name = line.split()
            if name in markers:
                offset = float(wall) - markers[name]
                best = offset if best is None else max(best, offset)
    return best


def normalise(comm):
    return re.sub(r"\d+", "N", comm) if not comm.startswith("swapper") else "idle"


def main():
    if len(sys.argv) not in (3, 5):
        sys.exit(__doc__)
    arrivals, departures = read_capture(sys.argv[1], int(sys.argv[2]))
    residence, spread = [], []
    for key, arrived in arrivals.items():
        left = departures.get(key)
        if left:
            residence.extend((t - arrived) * 1000 for t in left)
            spread.append((max(left) - min(left)) * 1000)
    first = min(arrivals.values()) if arrivals else 0
    last = max(arrivals.values()) if arrivals else 0
    print(f"capture: {len(arrivals)} messages in over {last - first:.1f} s, {len(residence)} deliveries out")
    print(percentiles(residence, "server residence (frame in to delivery out)"))
    print(percentiles(spread, "spread (first to last delivery of a message)"))
    found, delayed = stalls(arrivals, departures)
    print(f"stalls (first delivery later than {STALL_MS:g} ms): {len(found)}, holding {delayed} messages "
          f"({100 * delayed / max(1, len(arrivals)):.1f} %)")
    runs, offset = [], None
    if len(sys.argv) == 5:
        runs, markers = read_schedule(sys.argv[3])
        offset = clock_offset(markers, sys.argv[4])
        if offset is None:
            print("scheduler trace: no marker found, stalls not attributed")
    for start, end in found:
        line = f"  +{start - first:7.3f} s  {1000 * (end - start):5.1f} ms"
        if offset is not None:
            a, b = start - offset, end - offset
            if runs and runs[0][0] <= a and b <= runs[-1][1]:
                busy = collections.Counter()
                for s, e, comm in runs:
                    if e > a and s < b:
                        busy[normalise(comm)] += min(e, b) - max(s, a)
                line += "  ran: " + ", ".join(f"{c} {1000 * v:.1f}" for c, v in busy.most_common(6))
        print(line)
    if runs:
        busy = collections.Counter()
        for s, e, comm in runs:
            busy[normalise(comm)] += e - s
        span = runs[-1][1] - runs[0][0]
        print(f"CPU over the {span:.1f} s trace, ms: "
              + ", ".join(f"{c} {1000 * v:.0f}" for c, v in busy.most_common(10)))


if __name__ == "__main__":
    main()
