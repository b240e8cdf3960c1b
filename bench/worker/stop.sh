#!/bin/sh
# Worker stop benchmark: seconds from SIGTERM to a worker's exit while it long-polls an empty queue
# (local, SQS on ElasticMQ, the Pub/Sub emulator), from the repository root. Prints a Markdown table
# for docs/benchmarks.md ("Worker stop"); per-round figures go to stderr.
# Usage:
#   bench/worker/stop.sh [--rounds 5] [--queues local,sqs,pubsub]
# Needs gcloud with the Pub/Sub emulator for the pubsub queue.
set -e
cd "$(dirname "$0")/../.."
mvn -B -o -q -pl bench -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile="$PWD/bench/target/bench-classpath.txt"
CP="bench/target/classes:$(cat bench/target/bench-classpath.txt)"
exec java -Xmx512m -cp "$CP" dev.taskjob.bench.worker.WorkerStopBenchmark "$@"
