#!/usr/bin/env python3
"""The README's local job end to end: `java -jar JAR local samples/parallel-addition/local`, ROUNDS times per jar,
rounds interleaved (the jar order rotates per round), each run in a fresh directory.

From each run's own records (the operator's log and each worker's log under .taskjob-local/) it prints:
time from launch to the first task start, the task span (first task start to last task end), time from the
last task end to the command's exit, the tasks' summed run time, the efficiency over the span and over the
whole wall time (summed run time / (slots x span)), the gaps between tasks in a slot (a task's end, its
Started line's time plus its run time, to the next Started line of that slot), the time from a task's end to its Completed line (the time between its Started and
Completed lines beyond its own run time, which counts from before the spawn: the exit notice, the scan for
leftover processes and reading the result, less the part of the spawn after the Started line's clock), and a timeline of the
start-up and the drain; then medians per jar. /proc/loadavg is printed before and after each run.

Usage: bench/local/readme_job.py [--rounds 3] [--sample DIR] [--keep DIR] VARIANT [VARIANT...]
  VARIANT is a taskjob.jar, or "JVM-FLAGS... JAR" in one argument (java JVM-FLAGS -jar JAR local SAMPLE)
"""
import argparse
import glob
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone

OPERATOR_MARKS = [  # (label, regex on an operator.log line); the first match counts unless the label ends in '*'
    ("operator controllers started*", r"controller started"),
    ("job accepted", r"JobStart - .*accepted"),
    ("tasks loaded", r"JobLoading - .*loaded"),
    ("instances created*", r"started local instance"),
    ("pool -> 0", r"-> 0 instances"),
    ("draining", r"JobDrain - .*draining"),
    ("instances terminated*", r"terminated local instance"),
    ("job finished", r"JobDrain - .*: (Succeeded|Failed)"),
    ("operator shutting down", r"is shutting down"),
]
WORKER_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) \w+ - (.*)$")
STARTED = re.compile(r"Slot #(\d+): Started, processing task (\S+)")
COMPLETED = re.compile(r"Slot #(\d+): (?:Completed task (\S+) in ([\d.]+) seconds|Task (\S+) failed .* after ([\d.]+) seconds)")


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def operator_time(line):
    return datetime.fromisoformat(line.split()[0].replace("Z", "+00:00")).timestamp()


def worker_time(stamp):
    # The worker logs local time without a zone; read it as this machine's local time, as it was written.
    return datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S.%f").timestamp()


def analyse(run_dir, launched, exited):
    root = os.path.join(run_dir, ".taskjob-local")
    marks = {}
    with open(os.path.join(root, "operator.log")) as f:
        for line in f:
            for label, pattern in OPERATOR_MARKS:
                if re.search(pattern, line):
                    last = label.endswith("*")
                    if last or label not in marks:
                        marks[label] = operator_time(line)
    starts, ends, summed, slots, gaps, outside, worker_up = [], [], 0.0, 0, [], [], []
    for log in sorted(glob.glob(os.path.join(root, "instances", "*", "worker.log"))):
        by_slot = {}
        first_line = None
        with open(log) as f:
            for raw in f:
                m = WORKER_LINE.match(raw.rstrip("\n"))
                if not m:
                    continue
                t, text = worker_time(m.group(1)), m.group(2)
                first_line = first_line or t
                if "Num simultaneous tasks:" in text:
                    slots += int(text.split(":")[1].split()[0])
                s = STARTED.search(text)
                if s:
                    starts.append(t)
                    by_slot.setdefault(s.group(1), {})[s.group(2)] = [t, None, None]
                    continue
                c = COMPLETED.search(text)
                if c:
                    ends.append(t)
                    run = float(c.group(3) or c.group(5))
                    summed += run
                    task = by_slot.get(c.group(1), {}).get(c.group(2) or c.group(4))
                    if task:
                        task[1:] = [t, run]
        if first_line:
            worker_up.append(first_line)
        # A slot's next task may start before the last one's Completed line (the worker settles an ended task
        # after starting the next): pair each Completed line with its own task's Started line.
        for tasks in by_slot.values():
            runs = sorted(v for v in tasks.values() if v[1] is not None)
            for (started, completed, run), nxt in zip(runs, runs[1:] + [None]):
                outside.append(completed - started - run)
                if nxt:
                    gaps.append(nxt[0] - (started + run))
    first, last = min(starts), max(ends)
    span, wall = last - first, exited - launched
    marks["worker logs first line*"] = max(worker_up) if worker_up else None
    return {
        "tasks": len(ends), "slots": slots, "summed": summed,
        "before_first": first - launched, "span": span, "after_last": exited - last, "wall": wall,
        "eff_span": summed / (slots * span), "eff_wall": summed / (slots * wall),
        "gap_median_ms": 1000 * statistics.median(gaps) if gaps else 0.0,
        "gap_sum": sum(gaps),
        "outside_ms": 1000 * statistics.median(outside) if outside else 0.0,
        "timeline": sorted(((label.rstrip("*"), t - launched) for label, t in marks.items() if t), key=lambda x: x[1]),
        "first_task": first - launched, "last_task": last - launched,
    }


def run_once(variant, sample, run_dir):
    *flags, jar = variant.split()
    os.makedirs(run_dir)
    load_before = loadavg()
    launched = time.time()
    with open(os.path.join(run_dir, "stdout.txt"), "w") as out, open(os.path.join(run_dir, "stderr.txt"), "w") as err:
        code = subprocess.call(["java", *flags, "-jar", jar, "local", sample], cwd=run_dir, stdout=out, stderr=err)
    exited = time.time()
    return code, load_before, loadavg(), launched, exited


PHASES = [("launch", "operator controllers started"), ("operator controllers started", "job accepted"),
          ("job accepted", "instances created"), ("instances created", "first task"),
          ("last task end", "instances terminated"), ("instances terminated", "job finished"),
          ("job finished", "exit")]


def phase_times(res):
    at = dict(res["timeline"])
    at.update({"launch": 0.0, "first task": res["first_task"], "last task end": res["last_task"], "exit": res["wall"]})
    return {"%s -> %s" % (a, b): at[b] - at[a] for a, b in PHASES if a in at and b in at}


FIELDS = [("before_first", "before first task (s)", "%.2f"), ("span", "task span (s)", "%.2f"),
          ("after_last", "after last task (s)", "%.2f"), ("wall", "wall (s)", "%.2f"),
          ("summed", "summed task time (s)", "%.1f"), ("eff_span", "efficiency, span", "%.3f"),
          ("eff_wall", "efficiency, wall", "%.3f"), ("gap_median_ms", "task end to the slot's next start, median (ms)", "%.1f"),
          ("gap_sum", "task ends to next starts, sum (s)", "%.1f"),
          ("outside_ms", "task end to Completed line, median (ms)", "%.1f")]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--sample", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                   "..", "..", "samples", "parallel-addition", "local"))
    p.add_argument("--keep", help="keep each run's directory under this one (default: a temporary directory, removed)")
    p.add_argument("jars", nargs="+")
    a = p.parse_args()
    sample = os.path.abspath(a.sample)
    jars = [" ".join(v.split()[:-1] + [os.path.abspath(v.split()[-1])]) for v in a.jars]
    work = a.keep or tempfile.mkdtemp(prefix="taskjob-readme-job.")
    os.makedirs(work, exist_ok=True)
    results = {j: [] for j in jars}
    for r in range(1, a.rounds + 1):
        order = jars[(r - 1) % len(jars):] + jars[:(r - 1) % len(jars)]
        for jar in order:
            run_dir = os.path.join(work, "r%d-%d" % (r, jars.index(jar) + 1))
            code, before, after, launched, exited = run_once(jar, sample, run_dir)
            if code != 0:
                print("round %d %s: exit status %d, see %s" % (r, jar, code, run_dir), file=sys.stderr)
                continue
            res = analyse(run_dir, launched, exited)
            results[jar].append(res)
            print("round %d jar %s load %s -> %s tasks %d slots %d" % (r, jar, before, after, res["tasks"], res["slots"]))
            print("  " + ", ".join(("%s " + fmt) % (label, res[key]) for key, label, fmt in FIELDS))
            print("  timeline (s from launch): " + ", ".join("%s %.2f" % (l, t) for l, t in res["timeline"])
                  + ", first task %.2f, last task end %.2f, exit %.2f" % (res["first_task"], res["last_task"], res["wall"]))
            sys.stdout.flush()
    print("\nmedians")
    for jar in jars:
        rs = results[jar]
        if rs:
            print("%s (%d runs): " % (jar, len(rs)) + ", ".join(
                ("%s " + fmt) % (label, statistics.median(x[key] for x in rs)) for key, label, fmt in FIELDS))
    print("\nphase medians (s)")
    for jar in jars:
        rs = [phase_times(x) for x in results[jar]]
        if rs:
            print("%s: " % jar + ", ".join("%s %.2f" % (k, statistics.median(r[k] for r in rs if k in r))
                                           for k in rs[0]))
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
