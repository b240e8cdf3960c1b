#!/bin/bash
# Starts the taskjob worker on this VM; rendered by taskjob-operator (StartupScript) for one cloud and one
# machine type. It installs nothing: the boot image already has a container runtime (ECS-optimized Amazon
# Linux 2023 on AWS, Container-Optimized OS on GCP). It holds no credentials: registry logins and the
# worker's own cloud calls use the VM's instance profile or service account.
# Every step that can fail is named; a failed step is reported on the console and in
# /var/lib/taskjob/startup-failure, and the VM shuts down so it stops billing.
set -euo pipefail
umask 077

cloud='{{CLOUD}}'
region='{{REGION}}'
worker_image='{{WORKER_IMAGE}}'
registry_kind='{{REGISTRY_KIND}}'
registry_host='{{REGISTRY_HOST}}'
gpus='{{GPUS}}'
stop_timeout='{{STOP_TIMEOUT}}'

config_dir=/etc/taskjob
state_dir=/var/lib/taskjob
scratch_mount=/mnt/taskjob-scratch
disk_ids=/dev/disk/by-id
env_file="${config_dir}/worker.env"
# Container-Optimized OS keeps /root read-only; the docker client config lives where it can be written.
export DOCKER_CONFIG="${state_dir}/docker"

log() { echo "taskjob-startup: $*" >&2; }

# Runs one named step; when it fails, reports which one and shuts the VM down.
step() {
  local name=$1 status=0
  shift
  log "${name}"
  "$@" || status=$?
  if [ "${status}" -ne 0 ]; then
    log "FAILED: ${name} (exit status ${status}); shutting down"
    echo "startup step '${name}' failed with exit status ${status}" > "${state_dir}/startup-failure" || true
    shutdown -h now
    exit "${status}"
  fi
}

write_worker_environment() {
  install -d -m 0700 "${config_dir}" || return
  cat > "${env_file}" <<'TASKJOB_WORKER_ENV' || return
{{ENVIRONMENT}}
TASKJOB_WORKER_ENV
  chmod 0600 "${env_file}"
}

# The zone comes from the metadata endpoint: on AWS the request may leave the choice to EC2.
record_zone() {
  local zone
  case "${cloud}" in
    aws)
      local token
      token=$(curl -fsS -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' \
        http://169.254.169.254/latest/api/token) || return
      # The session token goes in on stdin, never as an argument other processes can read.
      zone=$(printf 'X-aws-ec2-metadata-token: %s\n' "${token}" | curl -fsS -H @- \
        http://169.254.169.254/latest/meta-data/placement/availability-zone) || return
      ;;
    gcp)
      zone=$(curl -fsS -H 'Metadata-Flavor: Google' \
        http://metadata.google.internal/computeMetadata/v1/instance/zone) || return
      zone=${zone##*/}
      ;;
  esac
  [ -n "${zone}" ] || return 1
  echo "TASKJOB_ZONE=${zone}" >> "${env_file}"
}

start_container_runtime() {
  systemctl start docker
}

# Registry access through the VM's identity: a docker credential helper when the image has one, else the
# cloud CLI's short-lived token on stdin. Nothing is written into user data or passed as an argument.
log_in_to_registry() {
  install -d -m 0700 "${DOCKER_CONFIG}" || return
  case "${registry_kind}" in
    ecr)
      if command -v docker-credential-ecr-login >/dev/null 2>&1; then
        printf '{"credHelpers": {"%s": "ecr-login"}}\n' "${registry_host}" > "${DOCKER_CONFIG}/config.json"
      elif command -v aws >/dev/null 2>&1; then
        # Not a pipeline: both ends would start together and log in out of order; printf is a builtin,
        # so the password never appears in a process's arguments.
        local ecr_password
        ecr_password="$(aws ecr get-login-password --region "${region}")" || return 1
        printf '%s' "${ecr_password}" | docker login --username AWS --password-stdin "${registry_host}"
      else
        log "neither docker-credential-ecr-login nor the aws CLI is on this image; cannot pull from ${registry_host}"
        return 1
      fi
      ;;
    google)
      docker-credential-gcr configure-docker --registries="${registry_host}"
      ;;
  esac
}

# Local NVMe/SSD disks become one ext4 file system handed to tasks as TASKJOB_SCRATCH_DIR.
prepare_scratch() {
  local patterns=() devices=() link device
  case "${cloud}" in
    aws) patterns=("${disk_ids}"/nvme-Amazon_EC2_NVMe_Instance_Storage_*) ;;
    gcp) patterns=("${disk_ids}"/google-local-nvme-ssd-* "${disk_ids}"/google-local-ssd-*) ;;
  esac
  for link in "${patterns[@]}"; do
    [ -e "${link}" ] || continue
    device=$(readlink -f "${link}") || return
    case " ${devices[*]} " in *" ${device} "*) ;; *) devices+=("${device}") ;; esac
  done
  if [ "${#devices[@]}" -eq 0 ]; then
    return 0
  fi
  device=${devices[0]}
  if [ "${#devices[@]}" -gt 1 ]; then
    if command -v mdadm >/dev/null 2>&1; then
      mdadm --create /dev/md/taskjob-scratch --level=0 --raid-devices="${#devices[@]}" --force --run \
        "${devices[@]}" || return
      device=/dev/md/taskjob-scratch
    else
      log "no mdadm on this image: using ${device} only of ${devices[*]}"
    fi
  fi
  mkfs.ext4 -F -q -m 0 "${device}" || return
  mkdir -p "${scratch_mount}" || return
  mount -o defaults,noatime,discard "${device}" "${scratch_mount}" || return
  chmod 1777 "${scratch_mount}" || return
  run_options+=(--volume "${scratch_mount}:/scratch")
  echo "TASKJOB_SCRATCH_DIR=/scratch" >> "${env_file}"
}

prepare_gpus() {
  [ "${gpus}" -gt 0 ] || return 0
  case "${cloud}" in
    aws)
      # The ECS-optimized GPU image has the NVIDIA driver and container toolkit.
      run_options+=(--gpus all)
      ;;
    gcp)
      # Container-Optimized OS installs its signed driver build and serves it from /var/lib/nvidia.
      cos-extensions install gpu || return
      mount --bind /var/lib/nvidia /var/lib/nvidia || return
      mount -o remount,exec /var/lib/nvidia || return
      run_options+=(--volume /var/lib/nvidia/lib64:/usr/local/nvidia/lib64
        --volume /var/lib/nvidia/bin:/usr/local/nvidia/bin
        --device /dev/nvidiactl --device /dev/nvidia-uvm)
      local i
      for ((i = 0; i < gpus; i++)); do
        run_options+=(--device "/dev/nvidia${i}")
      done
      ;;
  esac
}

pull_worker_image() {
  docker pull "${worker_image}"
}

install -d -m 0700 "${state_dir}"
run_options=()
step "write the worker environment" write_worker_environment
step "read the zone from the metadata endpoint" record_zone
step "start the container runtime" start_container_runtime
step "log in to ${registry_host:-no registry}" log_in_to_registry
step "prepare local SSD scratch space" prepare_scratch
step "prepare ${gpus} GPU(s)" prepare_gpus
step "pull ${worker_image}" pull_worker_image

status=0
# Host networking: the worker polls the metadata endpoint for spot notices (IMDSv2 hop limit 1 suffices).
docker run --name taskjob-worker --network host --env-file "${env_file}" --stop-timeout "${stop_timeout}" \
  "${run_options[@]}" "${worker_image}" || status=$?
log "worker exited with status ${status}; shutting down"
# The worker exits when the job's queue is drained. On AWS the VM then terminates (shutdown behaviour
# terminate); on GCP it stops, and the pool deletes it with its boot disk.
shutdown -h now
