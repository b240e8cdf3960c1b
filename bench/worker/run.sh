#!/bin/sh
# Worker benchmark: the taskjob worker next to xargs and GNU parallel, in the same run (rounds
# interleaved), from the repository root. Prints a Markdown report for docs/benchmarks.md ("Worker").
# Usage:
#   bench/worker/run.sh [--rounds 3] [--true-tasks 10000] [--sleep-tasks 2000] [--before-jar OLD-all.jar]
# Needs GNU parallel (Debian: apt-get install parallel) and GNU time (apt-get install time).
set -e
cd "$(dirname "$0")/../.."
command -v parallel >/dev/null || { echo "GNU parallel is not installed (apt-get install parallel)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "GNU time is not installed (apt-get install time)" >&2; exit 1; }
mvn -B -o -q -pl worker-image -am package -DskipTests
JAR=$(ls worker-image/target/taskjob-worker-*-all.jar)
# Source-file mode: the driver uses the worker's own event classes to read the event logs.
exec java -cp "$JAR" bench/worker/WorkerBench.java --jar "$JAR" "$@"
