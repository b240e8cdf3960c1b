#!/bin/sh
# Writes COUNT addition tasks in rms-cloud-tasks' format to stdout, the same list every time:
# num1 and num2 in -100000..100000 from the Park-Miller generator (exact in awk's doubles).
#   ./generate_tasks.sh 10000 | gzip -n > addition_tasks.json.gz
#   ./generate_tasks.sh 1000 > addition_tasks.json
set -eu
count="${1:?usage: generate_tasks.sh COUNT}"
awk -v count="$count" 'BEGIN {
  state = 20250708
  print "["
  for (i = 1; i <= count; i++) {
    state = (state * 16807) % 2147483647; a = state % 200001 - 100000
    state = (state * 16807) % 2147483647; b = state % 200001 - 100000
    printf "  {\n    \"id\": \"addition-task-%06d\",\n    \"data\": {\n      \"num1\": %d,\n      \"num2\": %d\n    }\n  }%s\n", i, a, b, (i < count ? "," : "")
  }
  print "]"
}'
