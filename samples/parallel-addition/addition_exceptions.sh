#!/bin/sh
# Version 2 of the parallel addition task: like addition.sh, but each attempt may fail on purpose so
# you can watch the worker's retry options at work:
#   ADDITION_EXCEPTION_PROBABILITY  chance (0-1) of an error: a message on stderr, exit code 1
#   ADDITION_TIMEOUT_PROBABILITY    chance of hanging (sleeps 100000 s) until --max-runtime kills it
#   ADDITION_EXIT_PROBABILITY       chance of exiting early with exit code 3
# The draws are deterministic per task id and attempt (a checksum, not a random number), so a run
# can be repeated exactly, and a retried attempt draws anew.
set -eu

: "${TASK_ID:?run me through the taskjob worker (TASK_ID is not set)}"
attempt="${TASK_ATTEMPT:-1}"

# A number in [0, 1) from the task id, attempt and purpose.
draw() {
  printf '%s:%s:%s' "$TASK_ID" "$attempt" "$1" | cksum | awk '{ printf "%.6f", ($1 % 1000000) / 1000000 }'
}

# True when the draw for $1 falls below probability $2.
happens() {
  awk -v d="$(draw "$1")" -v p="${2:-0}" 'BEGIN { exit !(d < p) }'
}

if happens exception "${ADDITION_EXCEPTION_PROBABILITY:-0}"; then
  echo "Traceback (most recent call last): task $TASK_ID attempt $attempt" >&2
  echo "ZeroDivisionError: division by zero" >&2
  exit 1
fi
if happens timeout "${ADDITION_TIMEOUT_PROBABILITY:-0}"; then
  echo "task $TASK_ID attempt $attempt hangs" >&2
  sleep 100000
fi
if happens exit "${ADDITION_EXIT_PROBABILITY:-0}"; then
  echo "task $TASK_ID attempt $attempt exits early" >&2
  exit 3
fi

exec "$(dirname "$0")/addition.sh"
