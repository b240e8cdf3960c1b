#!/bin/sh
# The addition task with injected faults, like rms-cloud-tasks' worker_addition_exceptions.py:
#   ADDITION_EXCEPTION_PROBABILITY  fail with an error message and exit code 1
#   ADDITION_TIMEOUT_PROBABILITY    hang (sleep 100000 s) until the worker's max runtime kills it
#   ADDITION_EXIT_PROBABILITY       exit early with exit code 2
# Each draw depends only on the task id, the attempt and the fault, so runs are repeatable and a
# retried attempt gets a fresh draw.
set -eu
draw() {
  printf '%s:%s:%s' "$TASK_ID" "${TASK_ATTEMPT:-1}" "$1" | cksum | awk '{ print ($1 % 10000) / 10000 }'
}
below() {
  awk -v x="$1" -v p="$2" 'BEGIN { exit !(x < p) }'
}
if below "$(draw exception)" "${ADDITION_EXCEPTION_PROBABILITY:-0}"; then
  echo "ZeroDivisionError: division by zero (injected, attempt ${TASK_ATTEMPT:-1})" >&2
  exit 1
fi
if below "$(draw timeout)" "${ADDITION_TIMEOUT_PROBABILITY:-0}"; then
  sleep 100000
fi
if below "$(draw exit)" "${ADDITION_EXIT_PROBABILITY:-0}"; then
  echo "exiting early (injected, attempt ${TASK_ATTEMPT:-1})" >&2
  exit 2
fi
exec "$(dirname "$0")/addition.sh"
