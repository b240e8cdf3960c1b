package dev.taskjob.core.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the rendered startup script with bash, as a VM would, in a scratch root: its directories
 * ({@code /etc/taskjob}, {@code /var/lib/taskjob}, {@code /mnt/taskjob-scratch}, {@code /dev/disk/by-id}) are
 * moved under a temporary directory, and recording stand-ins on the PATH play {@code docker},
 * {@code systemctl}, {@code shutdown}, {@code mount}, {@code mkfs.ext4}, {@code mdadm}, {@code curl} as the
 * metadata endpoint, and the registry helpers ({@code aws}, {@code docker-credential-ecr-login},
 * {@code docker-credential-gcr}, {@code cos-extensions}). Each test asserts the exact calls the script made.
 */
class WorkerStartupScriptRunTest {

  private static final String TOKEN = "imds-session-token-5e1f";
  private static final String ECR_PASSWORD = "ecr-password-9c2a";
  private static final String ECR_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/lab/app:3";
  private static final String ECR_HOST = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
  private static final String AR_IMAGE = "europe-west4-docker.pkg.dev/lab/images/app:3";
  private static final String WORKER_IMAGE = "ghcr.io/taskjob/taskjob-worker:0.1.0";
  private static final String JAVA = "/opt/taskjob/runtime/bin/java";
  private static final String COMMAND = "[\"python3\",\"add.py\",\"--secretless\"]";

  @TempDir Path root;
  /** The job's own start-up step (spec.worker.startupScript), or null. */
  private String jobStartupScript;
  private Path bin;
  private Path calls;

  /** A run of the script: its exit status, what it wrote to stderr, and every stand-in call in order. */
  record Run(int status, String stderr, List<String> calls) {}

  @BeforeEach
  void standIns() throws IOException {
    bin = Files.createDirectories(root.resolve("bin"));
    calls = root.resolve("calls.log");
    Files.createDirectories(root.resolve("dev/disk/by-id"));
    Files.createDirectories(root.resolve("devices"));
    for (String name : List.of("systemctl", "shutdown", "mount", "mkfs.ext4", "mdadm", "docker-credential-gcr",
        "cos-extensions")) {
      standIn(name, "");
    }
    standIn("uname", """
        echo "${MACHINE:-x86_64}"
        """);
    standIn("curl", """
        case "$*" in
          *" -X PUT "*latest/api/token*) printf '%s' "$TOKEN" ;;
          *"-H @- "*meta-data/placement/availability-zone*)
            # the session token must come on stdin
            grep -qx "X-aws-ec2-metadata-token: $TOKEN" || exit 22
            printf 'us-east-1b' ;;
          *"Metadata-Flavor: Google"*computeMetadata/v1/instance/zone*) printf 'projects/8812/zones/us-central1-a' ;;
          *) exit 22 ;;
        esac
        """);
    standIn("aws", """
        if [ "$1 $2" = "ecr get-login-password" ]; then printf '%s\\n' "$ECR_PASSWORD"; fi
        """);
    // The job's image as the tests describe it: IMAGE_ARCH (default amd64), NO_GLIBC=1 for a musl image.
    standIn("docker", """
        case "$1 $2" in
          "login "*) if [ "$(cat)" = "$ECR_PASSWORD" ]; then echo "stdin-password-ok" >> "$CALLS_LOG"; fi ;;
          "pull "*) if [ "$2" = "${FAIL_PULL:-}" ]; then echo "pull access denied" >&2; exit 1; fi ;;
          "volume inspect") echo "$VOLUMES/taskjob-worker" ;;
          "image inspect") echo "${IMAGE_ARCH:-amd64}" ;;
          "run --rm")
            case "$*" in
              *"--entrypoint /lib64/ld-linux-x86-64.so.2 "*)
                if [ "${NO_GLIBC:-}" = 1 ]; then echo "exec /lib64/ld-linux-x86-64.so.2: no such file" >&2; exit 127; fi
                echo "ld.so (Debian GLIBC 2.36-9) stable release version 2.36." ;;
              *"--env TASKJOB_STARTUP_FAILURE "*)
                echo "startup-failure-reported: $TASKJOB_STARTUP_FAILURE" >> "$CALLS_LOG" ;;
            esac ;;
          "run --name")
            env_file=""
            while [ $# -gt 0 ]; do [ "$1" = --env-file ] && env_file=$2; shift; done
            stat -c 'env-file-mode %a' "$env_file" >> "$CALLS_LOG"
            exit "${WORKER_STATUS:-0}" ;;
        esac
        """);
  }

  private void standIn(String name, String behaviour) throws IOException {
    Path file = bin.resolve(name);
    Files.writeString(file, "#!/bin/bash\n"
        + "line=$(basename \"$0\"); for a in \"$@\"; do line+=$'\\t'\"$a\"; done; echo \"$line\" >> \"$CALLS_LOG\"\n"
        + behaviour);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** A local SSD as the cloud names it in /dev/disk/by-id, linked to a device file in the scratch root. */
  private Path localDisk(String byIdName, String device) throws IOException {
    Path dev = root.resolve("devices").resolve(device);
    if (!Files.exists(dev)) {
      Files.createFile(dev);
    }
    Files.createSymbolicLink(root.resolve("dev/disk/by-id").resolve(byIdName), dev);
    return dev;
  }

  private Run run(String image, StartupScript.Machine machine, Map<String, String> extraEnv) throws Exception {
    return run(WORKER_IMAGE, image, machine, extraEnv);
  }

  private Run run(String workerImage, String image, StartupScript.Machine machine, Map<String, String> extraEnv)
      throws Exception {
    Map<String, String> workerEnv = new LinkedHashMap<>();
    workerEnv.put("TASKJOB_QUEUE_NAME", "job-a");
    workerEnv.put("TASKJOB_COMMAND", COMMAND);
    if (jobStartupScript != null) {
      workerEnv.put(StartupScript.JOB_STARTUP_SCRIPT_ENV,
          java.util.Base64.getEncoder().encodeToString(jobStartupScript.getBytes(StandardCharsets.UTF_8)));
    }
    String script = relocated(StartupScript.render(workerImage, image, workerEnv, machine));
    Path file = root.resolve("startup.sh");
    Files.writeString(file, script);
    ProcessBuilder builder = new ProcessBuilder("bash", file.toString())
        .redirectError(root.resolve("stderr.log").toFile())
        .redirectOutput(root.resolve("stdout.log").toFile());
    builder.environment().put("PATH", bin + ":/usr/bin:/bin:/usr/sbin:/sbin");
    builder.environment().put("CALLS_LOG", calls.toString());
    builder.environment().put("TOKEN", TOKEN);
    builder.environment().put("ECR_PASSWORD", ECR_PASSWORD);
    builder.environment().put("VOLUMES", root.resolve("volumes").toString());
    builder.environment().putAll(extraEnv);
    Process process = builder.start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the script finished").isTrue();
    List<String> recorded = Files.exists(calls) ? Files.readAllLines(calls) : List.of();
    return new Run(process.exitValue(), Files.readString(root.resolve("stderr.log")),
        recorded.stream().map(line -> line.replace(root.toString(), "ROOT")).toList());
  }

  /** The script with its host directories moved under the scratch root. */
  private String relocated(String script) {
    String relocated = script;
    for (String dir : List.of("/etc/taskjob", "/var/lib/taskjob", "/mnt/taskjob-scratch", "/dev/disk/by-id")) {
      String assignment = "=" + dir + "\n";
      assertThat(relocated).contains(assignment);
      relocated = relocated.replace(assignment, "=" + root + dir + "\n");
    }
    return relocated;
  }

  private String envFile() throws IOException {
    return Files.readString(root.resolve("etc/taskjob/worker.env"));
  }

  private static String call(String... words) {
    return String.join("\t", words);
  }

  /** What every VM runs between pulling the worker image and starting the worker: fill the volume, check the image. */
  private static List<String> workerDelivery(String image) {
    return List.of(
        call("docker", "pull", WORKER_IMAGE),
        call("docker", "volume", "create", "taskjob-worker"),
        call("docker", "volume", "inspect", "--format", "{{.Mountpoint}}", "taskjob-worker"),
        call("docker", "create", "--name", "taskjob-worker-files", WORKER_IMAGE),
        call("docker", "cp", "taskjob-worker-files:/opt/taskjob/.", "ROOT/volumes/taskjob-worker"),
        call("docker", "rm", "taskjob-worker-files"),
        call("docker", "pull", image),
        call("uname", "-m"),
        call("docker", "image", "inspect", "--format", "{{.Architecture}}", image),
        call("docker", "run", "--rm", "--network", "none", "--entrypoint", "/lib64/ld-linux-x86-64.so.2", image,
            "--version"),
        call("docker", "run", "--rm", "--network", "none", "--volume", "taskjob-worker:/opt/taskjob:ro",
            "--entrypoint", JAVA, image, "-version"));
  }

  /** The worker started in the job's image: the volume read-only, the worker's runtime as the entry point. */
  private static String workerRun(String image, String... runOptions) {
    List<String> words = new java.util.ArrayList<>(List.of("docker", "run", "--name", "taskjob-worker", "--network",
        "host", "--env-file", "ROOT/etc/taskjob/worker.env", "--stop-timeout", "35", "--volume",
        "taskjob-worker:/opt/taskjob:ro", "--workdir", "/tmp", "--entrypoint", JAVA));
    words.addAll(List.of(runOptions));
    words.addAll(List.of(image, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx256m",
        "-XX:+ExitOnOutOfMemoryError", "-cp", "@/opt/taskjob/app/jib-classpath-file", "dev.taskjob.worker.WorkerMain"));
    return String.join("\t", words);
  }

  /** The worker image's own worker, telling the job why this VM runs none of its tasks. */
  private static String refusalReport() {
    return call("docker", "run", "--rm", "--name", "taskjob-worker", "--network", "host", "--env-file",
        "ROOT/etc/taskjob/worker.env", "--env", "TASKJOB_STARTUP_FAILURE", WORKER_IMAGE);
  }

  private static List<String> concat(List<String> first, List<String> second, String... rest) {
    List<String> all = new java.util.ArrayList<>(first);
    all.addAll(second);
    all.addAll(List.of(rest));
    return all;
  }

  @Test
  void awsGpuSpotVmLogsInToEcrWithTheCliRaidsItsNvmeDisksAndRunsTheWorkerWithAllGpus() throws Exception {
    localDisk("nvme-Amazon_EC2_NVMe_Instance_Storage_AWS1111", "nvme1n1");
    localDisk("nvme-Amazon_EC2_NVMe_Instance_Storage_AWS1111_1", "nvme1n1");
    localDisk("nvme-Amazon_EC2_NVMe_Instance_Storage_AWS2222", "nvme2n1");
    localDisk("nvme-Amazon_Elastic_Block_Store_vol0abc", "nvme0n1");

    Run run = run(ECR_IMAGE, new StartupScript.Machine("aws", "us-east-1", "g4dn.2xlarge", 8, 32, 1, true, 0.2256),
        Map.of());

    assertThat(run.status()).as(run.stderr()).isZero();
    assertThat(run.calls()).containsExactlyElementsOf(concat(List.of(
        call("curl", "-fsS", "-X", "PUT", "-H", "X-aws-ec2-metadata-token-ttl-seconds: 300",
            "http://169.254.169.254/latest/api/token"),
        call("curl", "-fsS", "-H", "@-", "http://169.254.169.254/latest/meta-data/placement/availability-zone"),
        call("systemctl", "start", "docker"),
        call("aws", "ecr", "get-login-password", "--region", "us-east-1"),
        call("docker", "login", "--username", "AWS", "--password-stdin", ECR_HOST),
        "stdin-password-ok",
        call("mdadm", "--create", "/dev/md/taskjob-scratch", "--level=0", "--raid-devices=2", "--force", "--run",
            "ROOT/devices/nvme1n1", "ROOT/devices/nvme2n1"),
        call("mkfs.ext4", "-F", "-q", "-m", "0", "/dev/md/taskjob-scratch"),
        call("mount", "-o", "defaults,noatime,discard", "/dev/md/taskjob-scratch", "ROOT/mnt/taskjob-scratch")),
        workerDelivery(ECR_IMAGE),
        workerRun(ECR_IMAGE, "--volume", "ROOT/mnt/taskjob-scratch:/scratch", "--gpus", "all"),
        "env-file-mode 600",
        call("shutdown", "-h", "now")));
    assertThat(String.join("\n", run.calls())).as("no secret or configuration value in any argument")
        .doesNotContain(TOKEN, ECR_PASSWORD, "add.py");
    assertThat(envFile()).contains("TASKJOB_COMMAND=" + COMMAND + "\n", "TASKJOB_INSTANCE_TYPE=g4dn.2xlarge\n",
        "TASKJOB_VCPUS=8\n", "TASKJOB_MEMORY_GIB=32\n", "TASKJOB_SPOT=true\n", "TASKJOB_PRICE_PER_HOUR=0.2256\n",
        "TASKJOB_ZONE=us-east-1b\n", "TASKJOB_SCRATCH_DIR=/scratch\n");
    assertThat(Files.getPosixFilePermissions(root.resolve("etc/taskjob/worker.env")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void awsVmUsesTheEcrCredentialHelperForTheWorkerAndTheJobsRegistries() throws Exception {
    standIn("docker-credential-ecr-login", "");
    String workerInEcr = "111122223333.dkr.ecr.us-east-1.amazonaws.com/taskjob-worker:0.1.0";

    Run run = run(workerInEcr, ECR_IMAGE, new StartupScript.Machine("aws", "us-east-1", "m6i.large", 2, 8, 0, false,
        0.096), Map.of());

    assertThat(run.status()).as(run.stderr()).isZero();
    assertThat(run.calls()).noneMatch(c -> c.startsWith("aws\t") || c.startsWith(call("docker", "login")))
        .contains(call("docker", "pull", workerInEcr), call("docker", "pull", ECR_IMAGE));
    assertThat(Files.readString(root.resolve("var/lib/taskjob/docker/config.json")))
        .isEqualTo("{\"credHelpers\": {\"" + ECR_HOST + "\": \"ecr-login\", "
            + "\"111122223333.dkr.ecr.us-east-1.amazonaws.com\": \"ecr-login\"}}\n");
    assertThat(envFile()).doesNotContain("TASKJOB_SCRATCH_DIR").contains("TASKJOB_SPOT=false\n");
  }

  @Test
  void gcpGpuVmLogsInToArtifactRegistryInstallsCosDriverAndHandsDevicesAndTheLocalSsdToTheWorker() throws Exception {
    localDisk("google-local-nvme-ssd-0", "nvme0n2");

    Run run = run(AR_IMAGE, new StartupScript.Machine("gcp", "us-central1", "g2-standard-8", 8, 32, 1, false, null),
        Map.of());

    assertThat(run.status()).as(run.stderr()).isZero();
    assertThat(run.calls()).containsExactlyElementsOf(concat(List.of(
        call("curl", "-fsS", "-H", "Metadata-Flavor: Google",
            "http://metadata.google.internal/computeMetadata/v1/instance/zone"),
        call("systemctl", "start", "docker"),
        call("docker-credential-gcr", "configure-docker", "--registries=europe-west4-docker.pkg.dev"),
        call("mkfs.ext4", "-F", "-q", "-m", "0", "ROOT/devices/nvme0n2"),
        call("mount", "-o", "defaults,noatime,discard", "ROOT/devices/nvme0n2", "ROOT/mnt/taskjob-scratch"),
        call("cos-extensions", "install", "gpu"),
        call("mount", "--bind", "/var/lib/nvidia", "/var/lib/nvidia"),
        call("mount", "-o", "remount,exec", "/var/lib/nvidia")),
        workerDelivery(AR_IMAGE),
        workerRun(AR_IMAGE, "--volume", "ROOT/mnt/taskjob-scratch:/scratch",
            "--volume", "/var/lib/nvidia/lib64:/usr/local/nvidia/lib64",
            "--volume", "/var/lib/nvidia/bin:/usr/local/nvidia/bin",
            "--device", "/dev/nvidiactl", "--device", "/dev/nvidia-uvm", "--device", "/dev/nvidia0"),
        "env-file-mode 600",
        call("shutdown", "-h", "now")));
    assertThat(envFile()).contains("TASKJOB_ZONE=us-central1-a\n", "TASKJOB_SCRATCH_DIR=/scratch\n")
        .doesNotContain("TASKJOB_PRICE_PER_HOUR");
  }

  @Test
  void aPublicGlibcImageRunsTheTasksWithTheWorkerInjectedAndTheVmShutsDownAfterTheWorkerExits() throws Exception {
    Run run = run("python:3.12-slim", new StartupScript.Machine("gcp", "us-central1", "e2-standard-2", 2, 8, 0, true,
        0.0201), Map.of("WORKER_STATUS", "3"));

    assertThat(run.status()).as("the script itself succeeded").isZero();
    assertThat(run.calls()).containsExactlyElementsOf(concat(List.of(
        call("curl", "-fsS", "-H", "Metadata-Flavor: Google",
            "http://metadata.google.internal/computeMetadata/v1/instance/zone"),
        call("systemctl", "start", "docker")),
        workerDelivery("python:3.12-slim"),
        workerRun("python:3.12-slim"),
        "env-file-mode 600",
        call("shutdown", "-h", "now")));
    assertThat(run.stderr()).contains("taskjob-startup: worker exited with status 3; shutting down");
  }

  @Test
  void anImageWithoutGlibcIsRefusedAndTheReasonIsTheWorkersFirstEvent() throws Exception {
    Run run = run("python:3.12-alpine", new StartupScript.Machine("aws", "us-east-1", "m6i.large", 2, 8, 0, false,
        0.096), Map.of("NO_GLIBC", "1"));

    String reason = "image python:3.12-alpine has no glibc (/lib64/ld-linux-x86-64.so.2 is missing; musl images such"
        + " as Alpine and static distroless images cannot run the worker's Java runtime): use a glibc-based image"
        + " (Debian, Ubuntu, RHEL)";
    assertThat(run.status()).isEqualTo(1);
    List<String> delivered = workerDelivery("python:3.12-alpine");
    assertThat(run.calls()).endsWith(delivered.get(delivered.size() - 2), refusalReport(),
        "startup-failure-reported: " + reason, call("shutdown", "-h", "now"))
        .noneMatch(c -> c.startsWith(call("docker", "run", "--name")));
    assertThat(run.stderr()).contains("taskjob-startup: FAILED: " + reason + "; shutting down");
    assertThat(Files.readString(root.resolve("var/lib/taskjob/startup-failure"))).isEqualTo(reason + "\n");
  }

  @Test
  void anImageOfAnotherArchitectureIsRefusedWithBothArchitecturesNamed() throws Exception {
    Run run = run("python:3.12-slim", new StartupScript.Machine("aws", "us-east-1", "m6i.large", 2, 8, 0, false,
        0.096), Map.of("IMAGE_ARCH", "arm64"));

    assertThat(run.status()).isEqualTo(1);
    assertThat(run.calls()).endsWith(
        call("docker", "image", "inspect", "--format", "{{.Architecture}}", "python:3.12-slim"), refusalReport(),
        "startup-failure-reported: image python:3.12-slim is built for arm64, this VM (m6i.large) is amd64",
        call("shutdown", "-h", "now"));
  }

  @Test
  void aJobImageThatCannotBePulledIsReportedToTheJob() throws Exception {
    Run run = run(ECR_IMAGE, new StartupScript.Machine("aws", "us-east-1", "m6i.large", 2, 8, 0, false, 0.096),
        Map.of("FAIL_PULL", ECR_IMAGE));

    assertThat(run.status()).isEqualTo(1);
    assertThat(run.stderr()).contains("pull access denied");
    assertThat(run.calls()).endsWith(call("docker", "pull", ECR_IMAGE), refusalReport(),
        "startup-failure-reported: cannot pull image " + ECR_IMAGE + " (see the VM's console for the registry's answer)",
        call("shutdown", "-h", "now"));
  }

  @Test
  void theJobsStartupScriptRunsAsRootOnTheVmAfterTheWorkerIsDeliveredAndBeforeTheImageIsPulled() throws Exception {
    jobStartupScript = """
        # mount the lab's data (a comment of the job's own, kept)
        echo "preparing $1"
        mount -t nfs lab-nfs:/data /mnt/data
        """;

    Run run = run("python:3.12-slim", new StartupScript.Machine("aws", "us-east-1", "m6i.large", 2, 8, 0, false,
        0.096), Map.of());

    assertThat(run.status()).as(run.stderr()).isZero();
    List<String> calls = run.calls();
    assertThat(calls.subList(calls.indexOf(call("docker", "rm", "taskjob-worker-files")), calls.size()))
        .startsWith(call("docker", "rm", "taskjob-worker-files"),
            call("mount", "-t", "nfs", "lab-nfs:/data", "/mnt/data"),
            call("docker", "pull", "python:3.12-slim"))
        .contains(workerRun("python:3.12-slim"));
    assertThat(run.stderr()).contains("taskjob-startup: run the job's startup script (spec.worker.startupScript)",
        "preparing \n");
    assertThat(Files.readString(root.resolve("var/lib/taskjob/job-startup-script")))
        .startsWith("# mount the lab's data (a comment of the job's own, kept)\n");
    assertThat(envFile()).doesNotContain(StartupScript.JOB_STARTUP_SCRIPT_ENV);
  }

  @Test
  void aFailingJobStartupScriptStopsTheVmAndTheJobHearsItsExitStatusAndOutput() throws Exception {
    jobStartupScript = """
        echo "installing libgdal"
        echo "E: Unable to locate package libgdal-nope" >&2
        exit 100
        """;

    Run run = run("python:3.12-slim", new StartupScript.Machine("gcp", "us-central1", "e2-standard-2", 2, 8, 0, true,
        0.0201), Map.of());

    String reason = "spec.worker.startupScript failed with exit status 100; its output ends: installing libgdal\n"
        + "E: Unable to locate package libgdal-nope";
    assertThat(run.status()).isEqualTo(1);
    assertThat(run.calls()).endsWith(call("docker", "rm", "taskjob-worker-files"), refusalReport(),
        "startup-failure-reported: " + reason.substring(0, reason.indexOf('\n')),
        "E: Unable to locate package libgdal-nope", call("shutdown", "-h", "now"))
        .noneMatch(c -> c.startsWith(call("docker", "pull", "python:3.12-slim")));
    assertThat(Files.readString(root.resolve("var/lib/taskjob/startup-failure"))).isEqualTo(reason + "\n");
  }

  @Test
  void aFailingStepIsReportedByNameAndTheVmShutsDownWithoutStartingTheWorker() throws Exception {
    Run run = run(ECR_IMAGE, new StartupScript.Machine("aws", "us-east-1", "m6i.large", 2, 8, 0, false, 0.096),
        Map.of("FAIL_PULL", WORKER_IMAGE));

    assertThat(run.status()).isEqualTo(1);
    assertThat(run.stderr()).contains("pull access denied",
        "taskjob-startup: FAILED: pull " + WORKER_IMAGE + " (exit status 1); shutting down");
    assertThat(Files.readString(root.resolve("var/lib/taskjob/startup-failure")))
        .isEqualTo("startup step 'pull " + WORKER_IMAGE + "' failed with exit status 1\n");
    assertThat(run.calls()).endsWith(call("docker", "pull", WORKER_IMAGE), call("shutdown", "-h", "now"))
        .noneMatch(c -> c.startsWith(call("docker", "run")));
  }

  @Test
  void renderedScriptsAreShellcheckClean() throws Exception {
    assumeThat(onPath("shellcheck")).as("shellcheck is not installed (Debian package shellcheck)").isTrue();
    List<String> scripts = List.of(
        StartupScript.render(WORKER_IMAGE, ECR_IMAGE, Map.of("A", "1"),
            new StartupScript.Machine("aws", "us-east-1", "g4dn.xlarge", 4, 16, 1, true, 0.2)),
        StartupScript.render(WORKER_IMAGE, AR_IMAGE, Map.of("A", "1"),
            new StartupScript.Machine("gcp", "us-central1", "e2-standard-2", 2, 8, 0, false, 0.067)));
    for (String script : scripts) {
      Path file = Files.writeString(root.resolve("rendered.sh"), script);
      Process process = new ProcessBuilder("shellcheck", "--shell=bash", file.toString()).redirectErrorStream(true)
          .start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor()).as(output).isZero();
    }
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }
}
