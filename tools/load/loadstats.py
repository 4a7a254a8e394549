#!/usr/bin/env python3
"""Summarises a run-load.sh folder: images/s over the first and last 10 % of the test split, live heap
after the forced full GCs at 12/50/88 %, peak heap after any GC during embedding and over the whole run,
wall time, report time and sizes. Usage: loadstats.py OUT N"""
import datetime
import os
import re
import sys

out, n = sys.argv[1], int(sys.argv[2])

# Progress of the test split: (wall seconds, images done).
points = []
for line in open(os.path.join(out, "progress.log"), errors="replace"):
    m = re.match(r"(\d+\.\d+) .* (\d+)/%d " % n, line)
    if m:
        points.append((float(m.group(1)), int(m.group(2))))
if len(points) < 4:
    sys.exit("loadstats: fewer than 4 progress samples of the %d-image split in %s/progress.log" % (n, out))


def rate(lo, hi):
    """Images per second between the samples nearest to lo and hi images done."""
    a = min(points, key=lambda p: abs(p[1] - lo))
    b = min(points, key=lambda p: abs(p[1] - hi))
    if b[1] <= a[1] or b[0] <= a[0]:
        return float("nan")
    return (b[1] - a[1]) / (b[0] - a[0])


first, last = rate(0, 0.1 * n), rate(0.9 * n, n)

# GC log lines: [2026-12-07T21:10:00.123+0000] GC(3) Pause Full (System.gc()) 45M->33M(100M) 50.123ms
gcs = []
for line in open(os.path.join(out, "gc.log")):
    m = re.match(r"\[(.+?)\].*GC\(\d+\) Pause (\w+).*?(\d+)M->(\d+)M\(", line)
    if m:
        when = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
        gcs.append((when, m.group(2), int(m.group(4))))
full = [g[2] for g in gcs if g[1] == "Full"]
t_first, t_last = points[0][0], points[-1][0]
during = [g[2] for g in gcs if t_first <= g[0] <= t_last]
marks = dict(l.split(None, 1) for l in open(os.path.join(out, "marks.log")) if not l[0].isdigit())

print("images                      %d" % n)
print("images/s first 10%%          %.0f" % first)
print("images/s last 10%%           %.0f" % last)
print("time/image end / start      %.2f" % (first / last))
print("live heap after full GC MiB %s (at 12/50/88 %%)" % " / ".join(str(f) for f in full))
print("peak heap after GC MiB      %s embedding, %s whole run" % (max(during, default="-"), max(g[2] for g in gcs)))
hwm = os.path.join(out, "vmhwm.kb")
if os.path.exists(hwm):
    print("peak RSS MiB                %.0f (VmHWM, last sample)" % (int(open(hwm).read()) / 1024))
print("wall seconds                %.1f" % float(marks["wall_seconds"]))
print("report seconds              %.1f" % float(marks["report_seconds"]))
for f in ("report.html", "predictions.csv"):
    p = os.path.join(out, "run", f)
    if os.path.exists(p):
        print("%-27s %.0f KB" % (f, os.path.getsize(p) / 1e3))
