#!/bin/bash
# Starts the taskjob worker on this VM; rendered by taskjob-operator (StartupScript) for one cloud and one
# machine type. It installs nothing: the boot image already has a container runtime (ECS-optimized Amazon
# Linux 2023 on AWS, Container-Optimized OS on GCP). It holds no credentials: registry logins and the
# worker's own cloud calls use the VM's instance profile or service account.
# The tasks run in the job's own image; the worker, with its own Java runtime, comes from the worker image:
# its /opt/taskjob is copied into a volume that the job's container mounts read-only and starts from.
# Every step that can fail is named; a failed step is reported on the console and in
# /var/lib/taskjob/startup-failure, and the VM shuts down so it stops billing. Once the worker image is
# here, a failure is also sent to the job as the worker's first event (worker_stopping with the reason).
set -euo pipefail
umask 077

cloud='{{CLOUD}}'
region='{{REGION}}'
instance_type='{{INSTANCE_TYPE}}'
worker_image='{{WORKER_IMAGE}}'
task_image='{{TASK_IMAGE}}'
worker_registry_kind='{{WORKER_REGISTRY_KIND}}'
worker_registry_host='{{WORKER_REGISTRY_HOST}}'
task_registry_kind='{{TASK_REGISTRY_KIND}}'
task_registry_host='{{TASK_REGISTRY_HOST}}'
gpus='{{GPUS}}'
job_startup_script='{{HAS_JOB_STARTUP_SCRIPT}}'
stop_timeout='{{STOP_TIMEOUT}}'

config_dir=/etc/taskjob
state_dir=/var/lib/taskjob
scratch_mount=/mnt/taskjob-scratch
disk_ids=/dev/disk/by-id
env_file="${config_dir}/worker.env"
worker_volume=taskjob-worker
worker_files=taskjob-worker-files
# The worker image's own entry point (worker-image/pom.xml), run from the volume in the job's image.
worker_java=/opt/taskjob/runtime/bin/java
worker_arguments=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx256m -XX:+ExitOnOutOfMemoryError
  -cp @/opt/taskjob/app/jib-classpath-file dev.taskjob.worker.WorkerMain)
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
  local kind=$1 host=$2
  install -d -m 0700 "${DOCKER_CONFIG}" || return
  case "${kind}" in
    ecr)
      if command -v docker-credential-ecr-login >/dev/null 2>&1; then
        add_credential_helper "${host}" ecr-login
      elif command -v aws >/dev/null 2>&1; then
        # Not a pipeline: both ends would start together and log in out of order; printf is a builtin,
        # so the password never appears in a process's arguments.
        local ecr_password
        ecr_password="$(aws ecr get-login-password --region "${region}")" || return 1
        printf '%s' "${ecr_password}" | docker login --username AWS --password-stdin "${host}"
      else
        log "neither docker-credential-ecr-login nor the aws CLI is on this image; cannot pull from ${host}"
        return 1
      fi
      ;;
    google)
      docker-credential-gcr configure-docker --registries="${host}"
      ;;
  esac
}

# One docker config for both images, so a second ECR registry adds to the first instead of replacing it.
add_credential_helper() {
  local host=$1 helper=$2 config="${DOCKER_CONFIG}/config.json"
  if [ -s "${config}" ]; then
    sed -i "s|{\"credHelpers\": {|{\"credHelpers\": {\"${host}\": \"${helper}\", |" "${config}" || return
    grep -qF "\"${host}\"" "${config}" || { log "cannot add ${host} to ${config}"; return 1; }
  else
    printf '{"credHelpers": {"%s": "%s"}}\n' "${host}" "${helper}" > "${config}"
  fi
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

# The worker's runtime and jar, copied out of a container of the worker image (never started) into a
# volume; the job's container mounts it read-only, as Tekton and Argo hand their entry points to a step.
fill_worker_volume() {
  local volume_dir
  docker volume create "${worker_volume}" >/dev/null || return
  volume_dir=$(docker volume inspect --format '{{.Mountpoint}}' "${worker_volume}") || return
  docker create --name "${worker_files}" "${worker_image}" || return
  docker cp "${worker_files}:/opt/taskjob/." "${volume_dir}" || return
  docker rm "${worker_files}" >/dev/null
}

# Why the job's image cannot host the worker, or nothing when it can: the same architecture as this VM,
# glibc's dynamic loader, and the worker's Java runtime starting there.
task_image_refusal() {
  local machine arch loader image_arch output
  machine=$(uname -m)
  case "${machine}" in
    x86_64) arch=amd64 loader=/lib64/ld-linux-x86-64.so.2 ;;
    aarch64) arch=arm64 loader=/lib/ld-linux-aarch64.so.1 ;;
    *) echo "this VM's architecture ${machine} is not one the worker is built for"; return ;;
  esac
  image_arch=$(docker image inspect --format '{{.Architecture}}' "${task_image}") || {
    echo "cannot inspect ${task_image}"
    return
  }
  if [ "${image_arch}" != "${arch}" ]; then
    echo "image ${task_image} is built for ${image_arch}, this VM (${instance_type}) is ${arch}"
    return
  fi
  if ! docker run --rm --network none --entrypoint "${loader}" "${task_image}" --version >/dev/null 2>&1; then
    echo "image ${task_image} has no glibc (${loader} is missing; musl images such as Alpine and static" \
      "distroless images cannot run the worker's Java runtime): use a glibc-based image (Debian, Ubuntu, RHEL)"
    return
  fi
  if ! output=$(docker run --rm --network none --volume "${worker_volume}:/opt/taskjob:ro" \
      --entrypoint "${worker_java}" "${task_image}" -version 2>&1); then
    echo "the worker's Java runtime does not start in image ${task_image}: $(printf '%s' "${output}" | tail -c 300)"
  fi
}

# The job's own start-up step (spec.worker.startupScript), as root on this VM, not in a container.
write_job_startup_script() {
  cat > "${state_dir}/job-startup-script" <<'TASKJOB_JOB_STARTUP_SCRIPT' || return
{{JOB_STARTUP_SCRIPT}}
TASKJOB_JOB_STARTUP_SCRIPT
  chmod 0700 "${state_dir}/job-startup-script"
}

# Runs it with its output in a log, then on the console; when it fails, the job hears why, with the output's end.
run_job_startup_script() {
  local status=0
  log "run the job's startup script (spec.worker.startupScript)"
  bash "${state_dir}/job-startup-script" > "${state_dir}/job-startup-script.log" 2>&1 < /dev/null || status=$?
  cat "${state_dir}/job-startup-script.log" >&2 || true
  if [ "${status}" -ne 0 ]; then
    refuse_to_start "spec.worker.startupScript failed with exit status ${status}; its output ends: $(tail -c 1500 \
      "${state_dir}/job-startup-script.log")"
  fi
}

# The job learns why this VM runs no tasks: the worker image's own worker sends the reason as its first
# event (worker_stopping) and exits. The reason travels in the environment, not as an argument.
refuse_to_start() {
  local reason=$1
  log "FAILED: ${reason}; shutting down"
  echo "${reason}" > "${state_dir}/startup-failure" || true
  TASKJOB_STARTUP_FAILURE=${reason} docker run --rm --name taskjob-worker --network host \
    --env-file "${env_file}" --env TASKJOB_STARTUP_FAILURE "${worker_image}" || true
  shutdown -h now
  exit 1
}

install -d -m 0700 "${state_dir}"
run_options=()
step "write the worker environment" write_worker_environment
step "read the zone from the metadata endpoint" record_zone
step "start the container runtime" start_container_runtime
if [ "${worker_registry_kind}" != none ]; then
  step "log in to ${worker_registry_host}" log_in_to_registry "${worker_registry_kind}" "${worker_registry_host}"
fi
if [ "${task_registry_kind}" != none ] && [ "${task_registry_host}" != "${worker_registry_host}" ]; then
  step "log in to ${task_registry_host}" log_in_to_registry "${task_registry_kind}" "${task_registry_host}"
fi
step "prepare local SSD scratch space" prepare_scratch
step "prepare ${gpus} GPU(s)" prepare_gpus
step "pull ${worker_image}" docker pull "${worker_image}"
step "copy the worker into volume ${worker_volume}" fill_worker_volume
if [ "${job_startup_script}" = yes ]; then
  step "write the job's startup script" write_job_startup_script
  run_job_startup_script
fi
if ! docker pull "${task_image}"; then
  refuse_to_start "cannot pull image ${task_image} (see the VM's console for the registry's answer)"
fi
refusal=$(task_image_refusal)
if [ -n "${refusal}" ]; then
  refuse_to_start "${refusal}"
fi

status=0
# Host networking: the worker polls the metadata endpoint for spot notices (IMDSv2 hop limit 1 suffices).
# The worker runs as the image's user, in /tmp, which every user may write.
docker run --name taskjob-worker --network host --env-file "${env_file}" --stop-timeout "${stop_timeout}" \
  --volume "${worker_volume}:/opt/taskjob:ro" --workdir /tmp --entrypoint "${worker_java}" \
  "${run_options[@]}" "${task_image}" "${worker_arguments[@]}" || status=$?
log "worker exited with status ${status}; shutting down"
# The worker exits when the job's queue is drained. On AWS the VM then terminates (shutdown behaviour
# terminate); on GCP it stops, and the pool deletes it with its boot disk.
shutdown -h now
