#!/bin/sh
# Queue loading benchmark: builds the bench module (and the modules it uses) and runs QueueLoadBenchmark
# from the repository root. Usage:
#   bench/queues/run.sh [--tasks 100000] [--rounds 3] [--local-tasks 1000000] [--only sqs,pubsub,local]
set -e
cd "$(dirname "$0")/../.."
# One reactor build so the class path names this checkout's module jars, not older ones in ~/.m2.
# bench is the last module, so its class path is the one left in the file.
mvn -B -o -q -pl bench -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile="$PWD/bench/target/bench-classpath.txt"
CP="bench/target/classes:$(cat bench/target/bench-classpath.txt)"
exec java -Xmx1g -cp "$CP" dev.taskjob.bench.queues.QueueLoadBenchmark "$@"
