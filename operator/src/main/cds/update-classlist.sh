#!/bin/sh
# Rewrites taskjob-cli.classlist, the classes the CLI's archive (target/taskjob.jsa) holds: the classes loaded by
# `instance-types --offline`, by a load into SQS, by a load into Pub/Sub and by `taskjob local` on the README's
# sample (the embedded API, the operator and the local provider), from operator/target/taskjob.jar.
# The loads need servers: an SQS endpoint (e.g. ElasticMQ, any credentials) and a Pub/Sub emulator. Usage:
#   operator/src/main/cds/update-classlist.sh http://127.0.0.1:9324 127.0.0.1:8085
# then rebuild the operator module (`package` dumps the archive from this list).
set -e
cd "$(dirname "$0")/../../.."
SQS="$1"; PUBSUB="$2"
if [ -z "$SQS" ] || [ -z "$PUBSUB" ]; then echo "usage: $0 SQS_ENDPOINT PUBSUB_HOST:PORT" >&2; exit 2; fi
JAR=target/taskjob.jar
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# The JVM flags the CLI launch uses, so the list matches what it loads.
cli_java() { java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC "$@"; }
i=0
while [ $i -lt 2000 ]; do i=$((i + 1)); printf '{"id":"t-%d","data":{"a":%d}}\n' $i $i; done > "$WORK/tasks.jsonl"
cli_java -XX:DumpLoadedClassList="$WORK/1" -jar "$JAR" instance-types --provider aws --region us-east-1 --offline >/dev/null
AWS_ACCESS_KEY_ID=classlist AWS_SECRET_ACCESS_KEY=classlist cli_java -XX:DumpLoadedClassList="$WORK/2" -jar "$JAR" \
  load-queue --provider aws --region us-east-1 --endpoint "$SQS" --queue classlist-$$ --task-file "$WORK/tasks.jsonl" --no-progress >&2
cli_java -XX:DumpLoadedClassList="$WORK/3" -jar "$JAR" \
  load-queue --provider gcp --project classlist --endpoint "$PUBSUB" --queue classlist-$$ --task-file "$WORK/tasks.jsonl" --no-progress >&2
SAMPLE=$(cd ../samples/parallel-addition/local && pwd)
JAR_PATH=$(pwd)/$JAR
(cd "$WORK" && cli_java -XX:DumpLoadedClassList="$WORK/4" -jar "$JAR_PATH" local "$SAMPLE" >/dev/null)
# One line per class (the first run's), comments dropped; the dump reads the classes in this order.
awk '/^#/ || NF == 0 { next } { key = /^@/ ? $0 : $1 } !(key in seen) { seen[key] = 1; print }' \
  "$WORK/1" "$WORK/2" "$WORK/3" "$WORK/4" > src/main/cds/taskjob-cli.classlist
echo "wrote src/main/cds/taskjob-cli.classlist ($(wc -l < src/main/cds/taskjob-cli.classlist) lines); the queues classlist-$$ were left behind" >&2
