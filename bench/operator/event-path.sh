#!/bin/sh
# The operator's event path at fleet scale: builds the bench module (and the modules it uses) and runs
# EventPathBenchmark from the repository root. Usage:
#   bench/operator/event-path.sh [--vms 1000] [--slots 32] [--task-seconds 10] [--duration 60]
#                                [--queue memory|local] [--save-interval 2] [--event-wait 5]
# Simulated time runs at the wall clock's pace: the default run takes about 70 s after the build.
set -e
cd "$(dirname "$0")/../.."
mvn -B -o -q -pl bench -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile="$PWD/bench/target/bench-classpath.txt"
exec java -Xmx1g -cp "bench/target/classes:$(cat bench/target/bench-classpath.txt)" \
  dev.taskjob.operator.reconciler.job.EventPathBenchmark "$@"
