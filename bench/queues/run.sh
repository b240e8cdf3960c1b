#!/bin/sh
# Queue loading benchmark: builds the bench module (and the modules it uses) and runs QueueLoadBenchmark
# from the repository root. Usage:
#   bench/queues/run.sh [--tasks 100000] [--rounds 3] [--local-tasks 1000000] [--only sqs,pubsub,local]
#                       [--before-classpath FILE]
set -e
cd "$(dirname "$0")/../.."
# One reactor build so the class path names this checkout's module jars, not older ones in ~/.m2.
# bench is the last module, so its class path is the one left in the file.
if ! mvn -B -o -q -pl bench -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile="$PWD/bench/target/bench-classpath.txt" >/dev/null 2>&1; then
  # Without the dependency plugin's own dependencies offline: the compiler's class path from a debug build,
  # then the CLI's shaded jar for the runtime-scope libraries the compiler does not see (gRPC's protobuf-lite).
  rm -rf bench/target/classes
  mvn -B -o -X -pl bench -am package -DskipTests \
    | sed -n 's:.*-d [^ ]*/bench/target/classes -classpath [^:]*\:\([^ ]*\) .*:\1:p' | tail -1 \
    | sed "s:\$:\:$PWD/operator/target/taskjob.jar:" > bench/target/bench-classpath.txt
fi
CP="bench/target/classes:$(cat bench/target/bench-classpath.txt)"
exec java -Xmx1g -cp "$CP" dev.taskjob.bench.queues.QueueLoadBenchmark "$@"
