#!/bin/sh
# Local queue receive cost against the backlog: builds the bench module (and the modules it uses) and
# runs LocalReceiveBenchmark from the repository root. Usage:
#   bench/queues/receive.sh [--sizes 100,10000] [--receives 100] [--batch 1]
# To compare with another build of the local queue, put its provider-local jar or classes first:
#   BEFORE_CP=/path/to/taskjob-provider-local.jar bench/queues/receive.sh
set -e
cd "$(dirname "$0")/../.."
mvn -B -o -q -pl bench -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile="$PWD/bench/target/bench-classpath.txt"
CP="bench/target/classes:$(cat bench/target/bench-classpath.txt)"
if [ -n "$BEFORE_CP" ]; then CP="$BEFORE_CP:$CP"; fi
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$CP" dev.taskjob.bench.queues.LocalReceiveBenchmark "$@"
