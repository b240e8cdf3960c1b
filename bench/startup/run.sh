#!/bin/sh
# JVM start-up settings for short-lived taskjob processes (worker JVMs, the CLI), side by side; see
# bench/startup/startup.py. Usage: bench/startup/run.sh [--rounds 3] [--only worker|cli]
# Builds the CLI and the worker (with the worker image's jlink runtime, which carries a CDS archive), makes
# the same runtime without the archive for comparison, then runs the rounds from the repository root.
set -e
cd "$(dirname "$0")/../.."
mvn -B -o -q -pl operator,worker-image -am package -DskipTests
modules=$(sed -n 's:.*<worker.runtime.modules>\(.*\)</worker.runtime.modules>.*:\1:p' worker-image/pom.xml)
out=bench/target/startup
rm -rf "$out/runtime-plain" && mkdir -p "$out"
"${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}/bin/jlink" --add-modules "$modules" --strip-debug \
  --no-man-pages --no-header-files --compress=2 --output "$out/runtime-plain"
exec python3 bench/startup/startup.py --cli-jar operator/target/taskjob.jar \
  --worker-jar worker-image/target/taskjob-worker-0.1.0-SNAPSHOT-all.jar \
  --runtime-plain "$out/runtime-plain" --runtime-cds worker-image/target/worker-runtime/opt/taskjob/runtime \
  --work "$out/work" "$@"
