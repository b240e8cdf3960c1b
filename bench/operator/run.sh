#!/bin/sh
# Operator scale benchmark: builds the bench module (and the modules it uses) and runs OperatorScaleBenchmark
# from the repository root. Usage:
#   bench/operator/run.sh [--jobs 20] [--tasks 10000] [--source configmap|generate] [--command true]
#                         [--slots 8] [--instances 1] [--time-limit 15m] [--timings local|cluster]
#                         [--worker-jvm "-Xmx128m -XX:+UseSerialGC"] [--root bench/target/operator-scale]
# The operator JVM gets a 1 GiB heap so that a leak shows as a failure rather than as a slow machine.
set -e
cd "$(dirname "$0")/../.."
# One reactor build so the class path names this checkout's module jars, not older ones in ~/.m2.
# bench is the last module, so its class path is the one left in the file.
mvn -B -o -q -pl bench -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile="$PWD/bench/target/bench-classpath.txt"
# Other builds in this checkout may rewrite module jars while the benchmark runs (its worker processes
# start later on the same class path), so it runs from a copy of the project's own jars.
LIB=bench/target/operator-scale-lib
rm -rf "$LIB" && mkdir -p "$LIB"
cp -r bench/target/classes "$LIB/bench-classes"
CP="$LIB/bench-classes"
n=0
for entry in $(tr ':' ' ' < bench/target/bench-classpath.txt); do
  case "$entry" in
    "$PWD"/*|*/dev/taskjob/*) n=$((n + 1)); cp -r "$entry" "$LIB/$n-$(basename "$entry")"; CP="$CP:$LIB/$n-$(basename "$entry")" ;;
    *) CP="$CP:$entry" ;;
  esac
done
exec java -Xmx1g -cp "$CP" dev.taskjob.bench.operator.OperatorScaleBenchmark "$@"
