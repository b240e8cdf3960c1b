#!/bin/bash
# Starts the taskjob worker on this VM; rendered by taskjob-operator from the worker configuration.
# It holds no credentials: the worker uses the VM's instance profile or service account.
set -euo pipefail
install -d -m 0700 /etc/taskjob
cat > /etc/taskjob/worker.env <<'TASKJOB_WORKER_ENV'
{{ENVIRONMENT}}
TASKJOB_WORKER_ENV
chmod 0600 /etc/taskjob/worker.env
if ! command -v docker >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    apt-get update -y && apt-get install -y docker.io
  elif command -v dnf >/dev/null 2>&1; then
    dnf install -y docker
  fi
  systemctl enable --now docker
fi
status=0
# Host networking: the worker polls the metadata endpoint for spot notices (IMDSv2 hop limit 1 suffices).
docker run --name taskjob-worker --network host --env-file /etc/taskjob/worker.env \
  --stop-timeout {{STOP_TIMEOUT}} {{WORKER_IMAGE}} || status=$?
echo "taskjob worker exited with status ${status}; shutting down"
# The worker exits when the job's queue is drained; the VM then stops (terminated on AWS by its
# shutdown behaviour) so it costs nothing while the pool notices.
shutdown -h now
