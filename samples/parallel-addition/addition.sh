#!/bin/sh
# Adds a task's num1 and num2, writes the sum to $ADDITION_OUTPUT_DIR/<task id>.txt, then sleeps
# $ADDITION_TASK_DELAY seconds to stand in for real work. The worker passes the task's data fields
# as TASK_ARG_NUM1 and TASK_ARG_NUM2.
set -eu
out_dir=${ADDITION_OUTPUT_DIR:-results}
mkdir -p "$out_dir"
sum=$((TASK_ARG_NUM1 + TASK_ARG_NUM2))
printf '%s\n' "$sum" > "$out_dir/$TASK_ID.txt"
delay=${ADDITION_TASK_DELAY:-0}
[ "$delay" = 0 ] || sleep "$delay"
echo "$TASK_ID: $TASK_ARG_NUM1 + $TASK_ARG_NUM2 = $sum"
