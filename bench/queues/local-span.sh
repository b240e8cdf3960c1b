#!/bin/sh
# The README job's task span without the operator: 1,000 tasks of `sleep 0.1` loaded into a local queue,
# taken by two worker JVMs of 8 slots each (as the sample's two local-2 instances), with the jars given,
# rounds alternating between them (a worker stops after 20 s without tasks: its first receive can take seconds on a
# loaded machine). Prints per run the span from the first task start to the last task end,
# the tasks' summed run time and the efficiency (summed run time / (16 slots x span)).
# Usage: bench/queues/local-span.sh ROUNDS JAR...   (each JAR a taskjob.jar: operator/target/taskjob.jar); TASKS=1000 by default
set -e
ROUNDS=$1; shift
WORK=$(mktemp -d /tmp/taskjob-span.XXXXXX)
JVM="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m"
for r in $(seq 1 "$ROUNDS"); do
  n=0
  for jar in "$@"; do
    n=$((n + 1)); d="$WORK/r$r-j$n"; mkdir -p "$d"
    java $JVM -cp "$jar" dev.taskjob.operator.cli.TaskjobCli load-queue --provider local --local-root "$d/root" \
      --queue span --generate "${TASKS:-1000}" --no-progress >/dev/null 2>&1
    for w in 1 2; do
      java $JVM -cp "$jar" dev.taskjob.worker.WorkerMain --provider local --local-root "$d/root" --queue-name span \
        --num-simultaneous-tasks 8 --exit-when-empty 20s --event-log "$d/events-$w.jsonl" --event-log-to-queue=false \
        --keep-task-dirs none --work-dir "$d/work-$w" -q -- sh -c 'sleep 0.1' >"$d/worker-$w.log" 2>&1 &
    done
    wait
    python3 - "$d" "$r" "$jar" "$(cut -d' ' -f1 /proc/loadavg)" <<'PY'
import json, glob, sys
from datetime import datetime
d, r, jar, load = sys.argv[1:]
starts, ends, total, done = [], [], 0.0, 0
def t(s):
    return datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
for f in glob.glob(d + "/events-*.jsonl"):
    for line in open(f):
        e = json.loads(line)
        kind = e.get("event_type") or e.get("type") or e.get("event")
        if kind == "task_started":
            starts.append(t(e["timestamp"]))
        elif kind == "task_completed":
            ends.append(t(e["timestamp"]))
            total += float(e.get("elapsed_time") or e.get("elapsedSeconds") or e.get("elapsed") or 0)
            done += 1
span = max(ends) - min(starts)
print(f"RESULT round {r} jar {jar} load {load} completed {done} span {span:.2f} s summed {total:.1f} s efficiency {total / (16 * span):.3f}")
PY
  done
done
