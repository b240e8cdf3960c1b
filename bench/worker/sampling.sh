#!/bin/sh
# What the right-sizing samples cost the worker: worker CPU per task (the worker's own summary line, tasks
# not counted) with the samples on and off (-Dtaskjob.bench.rightSizingSamples=false), and optionally with an
# earlier build, rounds interleaved, from the repository root. Prints a Markdown table for docs/benchmarks.md.
# Usage:
#   bench/worker/sampling.sh [--rounds 3] [--true-tasks 2000] [--short-tasks 400] [--before-jar OLD-all.jar]
#     [--classes DIR]   (class directory put before the jar, e.g. worker-image/target/classes, instead of a rebuild)
set -e
cd "$(dirname "$0")/../.."
ROUNDS=3; TRUE_TASKS=2000; SHORT_TASKS=400; BEFORE=; CLASSES=
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --true-tasks) TRUE_TASKS=$2; shift 2 ;;
    --short-tasks) SHORT_TASKS=$2; shift 2 ;;
    --before-jar) BEFORE=$2; shift 2 ;;
    --classes) CLASSES=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [ -z "$CLASSES" ]; then mvn -B -o -q -pl worker-image -am package -DskipTests >&2; fi
JAR=$(ls worker-image/target/taskjob-worker-*-all.jar)
CP="${CLASSES:+$CLASSES:}$JAR"
WORK=$(mktemp -d /tmp/taskjob-sampling-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
awk -v n="$TRUE_TASKS" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"id\": \"t-%06d\"}\n", i }' > "$WORK/true.jsonl"
awk -v n="$SHORT_TASKS" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"id\": \"s-%06d\"}\n", i }' > "$WORK/short.jsonl"
FLAGS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx256m -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener"

# one worker run; prints "wall_s worker_ms_per_task"
run() { # variant case slots command...
  variant=$1; list=$2; slots=$3; shift 3
  case "$variant" in
    on) cp="$CP"; props= ;;
    off) cp="$CP"; props=-Dtaskjob.bench.rightSizingSamples=false ;;
    before) cp="$BEFORE"; props= ;;
  esac
  rm -rf "$WORK/w"
  start=$(date +%s%N)
  # shellcheck disable=SC2086
  java $FLAGS $props -cp "$cp" dev.taskjob.worker.WorkerMain --task-file "$WORK/$list.jsonl" \
    --num-simultaneous-tasks "$slots" --work-dir "$WORK/w" --heartbeat-interval 0 --keep-task-dirs none \
    -- "$@" 2> "$WORK/log"
  end=$(date +%s%N)
  ms=$(sed -n 's/.*Worker CPU time: .* seconds (\([0-9.]*\) ms per task attempt).*/\1/p' "$WORK/log")
  echo "$(( (end - start) / 1000000 )) $ms"
}

VARIANTS="on off"
[ -n "$BEFORE" ] && VARIANTS="before on off"
echo "load average before: $(cat /proc/loadavg)" >&2
for r in $(seq "$ROUNDS"); do
  for c in "true 8" "short 8" "short 16"; do
    set -- $c
    for v in $VARIANTS; do
      if [ "$1" = true ]; then out=$(run "$v" true "$2" true); else out=$(run "$v" short "$2" sleep 0.1); fi
      echo "$1 $2 $v $r $out" | tee -a "$WORK/results" >&2
    done
  done
done
echo "load average after: $(cat /proc/loadavg)" >&2
echo "| tasks | slots | variant | worker CPU per task, ms (rounds) | median | wall, s (median) |"
echo "|---|---:|---|---|---:|---:|"
for c in "true 8" "short 8" "short 16"; do
  set -- $c
  for v in $VARIANTS; do
    awk -v c="$1" -v s="$2" -v v="$v" 'BEGIN { n = 0 } $1 == c && $2 == s && $3 == v { ms[n] = $6 + 0; wall[n] = $5 / 1000; n++ }
      END {
        for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) { if (ms[j] < ms[i]) { t = ms[i]; ms[i] = ms[j]; ms[j] = t }
          if (wall[j] < wall[i]) { t = wall[i]; wall[i] = wall[j]; wall[j] = t } }
        list = ""; for (i = 0; i < n; i++) list = list (i ? ", " : "") ms[i]
        if (n == 0) exit
        printf "| %s | %d | %s | %s | %s | %.2f |\n", (c == "true" ? "`true`" : "`sleep 0.1`"), s, v, list, ms[int(n / 2)], wall[int(n / 2)]
      }' "$WORK/results"
  done
done
