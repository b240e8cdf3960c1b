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
  private static final String COMMAND = "[\"python3\",\"add.py\",\"--secretless\"]";

  @TempDir Path root;
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
    standIn("docker", """
        case "$1" in
          login) if [ "$(cat)" = "$ECR_PASSWORD" ]; then echo "stdin-password-ok" >> "$CALLS_LOG"; fi ;;
          pull) if [ "${FAIL_PULL:-}" = 1 ]; then echo "pull access denied" >&2; exit 1; fi ;;
          run)
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
    Map<String, String> workerEnv = new LinkedHashMap<>();
    workerEnv.put("TASKJOB_QUEUE_NAME", "job-a");
    workerEnv.put("TASKJOB_COMMAND", COMMAND);
    String script = relocated(StartupScript.render(image, workerEnv, machine));
    Path file = root.resolve("startup.sh");
    Files.writeString(file, script);
    ProcessBuilder builder = new ProcessBuilder("bash", file.toString())
        .redirectError(root.resolve("stderr.log").toFile())
        .redirectOutput(root.resolve("stdout.log").toFile());
    builder.environment().put("PATH", bin + ":/usr/bin:/bin:/usr/sbin:/sbin");
    builder.environment().put("CALLS_LOG", calls.toString());
    builder.environment().put("TOKEN", TOKEN);
    builder.environment().put("ECR_PASSWORD", ECR_PASSWORD);
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

  @Test
  void awsGpuSpotVmLogsInToEcrWithTheCliRaidsItsNvmeDisksAndRunsTheWorkerWithAllGpus() throws Exception {
    localDisk("nvme-Amazon_EC2_NVMe_Instance_Storage_AWS1111", "nvme1n1");
    localDisk("nvme-Amazon_EC2_NVMe_Instance_Storage_AWS1111_1", "nvme1n1");
    localDisk("nvme-Amazon_EC2_NVMe_Instance_Storage_AWS2222", "nvme2n1");
    localDisk("nvme-Amazon_Elastic_Block_Store_vol0abc", "nvme0n1");

    Run run = run(ECR_IMAGE, new StartupScript.Machine("aws", "us-east-1", "g4dn.2xlarge", 8, 32, 1, true, 0.2256),
        Map.of());

    assertThat(run.status()).as(run.stderr()).isZero();
    assertThat(run.calls()).containsExactly(
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
        call("mount", "-o", "defaults,noatime,discard", "/dev/md/taskjob-scratch", "ROOT/mnt/taskjob-scratch"),
        call("docker", "pull", ECR_IMAGE),
        call("docker", "run", "--name", "taskjob-worker", "--network", "host", "--env-file",
            "ROOT/etc/taskjob/worker.env", "--stop-timeout", "35", "--volume", "ROOT/mnt/taskjob-scratch:/scratch",
            "--gpus", "all", ECR_IMAGE),
        "env-file-mode 600",
        call("shutdown", "-h", "now"));
    assertThat(String.join("\n", run.calls())).as("no secret or configuration value in any argument")
        .doesNotContain(TOKEN, ECR_PASSWORD, "add.py");
    assertThat(envFile()).contains("TASKJOB_COMMAND=" + COMMAND + "\n", "TASKJOB_INSTANCE_TYPE=g4dn.2xlarge\n",
        "TASKJOB_VCPUS=8\n", "TASKJOB_MEMORY_GIB=32\n", "TASKJOB_SPOT=true\n", "TASKJOB_PRICE_PER_HOUR=0.2256\n",
        "TASKJOB_ZONE=us-east-1b\n", "TASKJOB_SCRATCH_DIR=/scratch\n");
    assertThat(Files.getPosixFilePermissions(root.resolve("etc/taskjob/worker.env")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void awsVmUsesTheEcrCredentialHelperWhenTheImageHasOne() throws Exception {
    standIn("docker-credential-ecr-login", "");

    Run run = run(ECR_IMAGE, new StartupScript.Machine("aws", "us-east-1", "m6i.large", 2, 8, 0, false, 0.096),
        Map.of());

    assertThat(run.status()).as(run.stderr()).isZero();
    assertThat(run.calls()).noneMatch(c -> c.startsWith("aws\t") || c.startsWith(call("docker", "login")));
    assertThat(Files.readString(root.resolve("var/lib/taskjob/docker/config.json")))
        .isEqualTo("{\"credHelpers\": {\"" + ECR_HOST + "\": \"ecr-login\"}}\n");
    assertThat(envFile()).doesNotContain("TASKJOB_SCRATCH_DIR").contains("TASKJOB_SPOT=false\n");
  }

  @Test
  void gcpGpuVmLogsInToArtifactRegistryInstallsCosDriverAndHandsDevicesAndTheLocalSsdToTheWorker() throws Exception {
    localDisk("google-local-nvme-ssd-0", "nvme0n2");

    Run run = run(AR_IMAGE, new StartupScript.Machine("gcp", "us-central1", "g2-standard-8", 8, 32, 1, false, null),
        Map.of());

    assertThat(run.status()).as(run.stderr()).isZero();
    assertThat(run.calls()).containsExactly(
        call("curl", "-fsS", "-H", "Metadata-Flavor: Google",
            "http://metadata.google.internal/computeMetadata/v1/instance/zone"),
        call("systemctl", "start", "docker"),
        call("docker-credential-gcr", "configure-docker", "--registries=europe-west4-docker.pkg.dev"),
        call("mkfs.ext4", "-F", "-q", "-m", "0", "ROOT/devices/nvme0n2"),
        call("mount", "-o", "defaults,noatime,discard", "ROOT/devices/nvme0n2", "ROOT/mnt/taskjob-scratch"),
        call("cos-extensions", "install", "gpu"),
        call("mount", "--bind", "/var/lib/nvidia", "/var/lib/nvidia"),
        call("mount", "-o", "remount,exec", "/var/lib/nvidia"),
        call("docker", "pull", AR_IMAGE),
        call("docker", "run", "--name", "taskjob-worker", "--network", "host", "--env-file",
            "ROOT/etc/taskjob/worker.env", "--stop-timeout", "35", "--volume", "ROOT/mnt/taskjob-scratch:/scratch",
            "--volume", "/var/lib/nvidia/lib64:/usr/local/nvidia/lib64",
            "--volume", "/var/lib/nvidia/bin:/usr/local/nvidia/bin",
            "--device", "/dev/nvidiactl", "--device", "/dev/nvidia-uvm", "--device", "/dev/nvidia0", AR_IMAGE),
        "env-file-mode 600",
        call("shutdown", "-h", "now"));
    assertThat(envFile()).contains("TASKJOB_ZONE=us-central1-a\n", "TASKJOB_SCRATCH_DIR=/scratch\n")
        .doesNotContain("TASKJOB_PRICE_PER_HOUR");
  }

  @Test
  void publicImageOnAPlainVmInstallsNothingAndTheVmShutsDownAfterTheWorkerExits() throws Exception {
    Run run = run("python:3.12-slim", new StartupScript.Machine("gcp", "us-central1", "e2-standard-2", 2, 8, 0, true,
        0.0201), Map.of("WORKER_STATUS", "3"));

    assertThat(run.status()).as("the script itself succeeded").isZero();
    assertThat(run.calls()).containsExactly(
        call("curl", "-fsS", "-H", "Metadata-Flavor: Google",
            "http://metadata.google.internal/computeMetadata/v1/instance/zone"),
        call("systemctl", "start", "docker"),
        call("docker", "pull", "python:3.12-slim"),
        call("docker", "run", "--name", "taskjob-worker", "--network", "host", "--env-file",
            "ROOT/etc/taskjob/worker.env", "--stop-timeout", "35", "python:3.12-slim"),
        "env-file-mode 600",
        call("shutdown", "-h", "now"));
    assertThat(run.stderr()).contains("taskjob-startup: worker exited with status 3; shutting down");
  }

  @Test
  void aFailingStepIsReportedByNameAndTheVmShutsDownWithoutStartingTheWorker() throws Exception {
    Run run = run(ECR_IMAGE, new StartupScript.Machine("aws", "us-east-1", "m6i.large", 2, 8, 0, false, 0.096),
        Map.of("FAIL_PULL", "1"));

    assertThat(run.status()).isEqualTo(1);
    assertThat(run.stderr()).contains("pull access denied",
        "taskjob-startup: FAILED: pull " + ECR_IMAGE + " (exit status 1); shutting down");
    assertThat(Files.readString(root.resolve("var/lib/taskjob/startup-failure")))
        .isEqualTo("startup step 'pull " + ECR_IMAGE + "' failed with exit status 1\n");
    assertThat(run.calls()).endsWith(call("docker", "pull", ECR_IMAGE), call("shutdown", "-h", "now"))
        .noneMatch(c -> c.startsWith(call("docker", "run")));
  }

  @Test
  void renderedScriptsAreShellcheckClean() throws Exception {
    assumeThat(onPath("shellcheck")).as("shellcheck is not installed (Debian package shellcheck)").isTrue();
    List<String> scripts = List.of(
        StartupScript.render(ECR_IMAGE, Map.of("A", "1"),
            new StartupScript.Machine("aws", "us-east-1", "g4dn.xlarge", 4, 16, 1, true, 0.2)),
        StartupScript.render(AR_IMAGE, Map.of("A", "1"),
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
