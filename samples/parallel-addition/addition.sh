#!/bin/sh
# Parallel addition sample task: adds the task's num1 and num2, writes the sum to
# $ADDITION_OUTPUT_DIR/<task id>.txt, then sleeps $ADDITION_TASK_DELAY seconds to stand in for real work.
# The worker passes the task as TASK_ID and TASK_ARG_NUM1 / TASK_ARG_NUM2. The last line printed is the
# task's result in the worker's events.
#
# ADDITION_OUTPUT_DIR may be a local directory (give an absolute path: each task runs in its own
# directory), s3://bucket/prefix (needs the aws CLI) or gs://bucket/prefix (needs gcloud).
set -eu

: "${TASK_ID:?run me through the taskjob worker (TASK_ID is not set)}"
: "${TASK_ARG_NUM1:?task data has no num1}"
: "${TASK_ARG_NUM2:?task data has no num2}"
output_dir="${ADDITION_OUTPUT_DIR:-results}"
delay="${ADDITION_TASK_DELAY:-0}"

sum=$((TASK_ARG_NUM1 + TASK_ARG_NUM2))
result="$output_dir/$TASK_ID.txt"

case "$output_dir" in
  s3://*) echo "$sum" | aws s3 cp --quiet - "$result" ;;
  gs://*) echo "$sum" | gcloud storage cp - "$result" ;;
  *) mkdir -p "$output_dir" && echo "$sum" > "$result" ;;
esac

if [ "$delay" != "0" ]; then
  sleep "$delay"
fi
echo "$result"
