package dev.taskjob.core.cloud;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import dev.taskjob.core.worker.WorkerSetting;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Renders the VM startup script (EC2 user data, GCE {@code startup-script} metadata) from the bundled
 * template {@code worker-startup.sh} for one cloud and one machine: it writes the worker configuration and
 * the machine's facts to a root-only env file, adds the zone from the metadata endpoint, logs in to the
 * images' registries through the VM's own identity, formats and mounts local SSDs, gives GPU types their
 * GPUs, copies the worker (its own Java runtime and jar, {@code /opt/taskjob} of the worker image) into a
 * volume, checks that the job's image can run it (architecture, glibc, the runtime starting), runs the job's
 * image with that volume read-only and the worker as its entry point, and shuts the VM down when the worker
 * exits. It installs nothing.
 * Configuration travels only in that environment, and never credentials: an environment that carries any
 * is refused.
 */
public final class StartupScript {

  /**
   * The job's own start-up step ({@code spec.worker.startupScript}), base64 of its text: run as root on the VM
   * before the worker; not written to the worker's environment.
   */
  public static final String JOB_STARTUP_SCRIPT_ENV = "TASKJOB_VM_STARTUP_SCRIPT";
  /** Longest job start-up step, in bytes: with the rest of the script it must fit EC2's 16 KiB of user data. */
  public static final int MAX_JOB_STARTUP_SCRIPT_BYTES = 4096;
  private static final String JOB_SCRIPT_END = "TASKJOB_JOB_STARTUP_SCRIPT";
  /** The job's image ({@code spec.worker.image}), which the tasks run in. */
  public static final String TASK_IMAGE_ENV = WorkerSetting.TASK_IMAGE.variable();
  private static final String TEMPLATE = "worker-startup.sh";
  private static final Pattern USER_TEXT = Pattern.compile("\\{\\{(ENVIRONMENT|JOB_STARTUP_SCRIPT)}}");
  private static final Pattern COMMENT_LINE = Pattern.compile("(?m)^[ \\t]*#.*\\n");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern IMAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:@-]*");
  private static final Pattern REGION = Pattern.compile("[a-z0-9-]{1,40}");
  private static final Pattern ECR_HOST = Pattern.compile("[0-9]{12}\\.dkr\\.ecr(-fips)?\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?");
  private static final Pattern GOOGLE_HOST = Pattern.compile("([a-z0-9-]+-docker\\.pkg\\.dev)|(([a-z]+\\.)?gcr\\.io)");
  private static final Set<String> CREDENTIAL_NAMES = Set.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN", "GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_CREDENTIALS", "CLOUDSDK_AUTH_ACCESS_TOKEN");

  /**
   * The machine a script is rendered for; its facts reach the worker (and the tasks) as
   * {@code TASKJOB_INSTANCE_TYPE}, {@code TASKJOB_VCPUS}, {@code TASKJOB_MEMORY_GIB}, {@code TASKJOB_SPOT} and
   * {@code TASKJOB_PRICE_PER_HOUR}; the script adds {@code TASKJOB_ZONE} from the metadata endpoint.
   *
   * @param cloud "aws" or "gcp"
   * @param region the region (ECR logins name it)
   * @param instanceType the machine type
   * @param vcpus its vCPUs, or 0 when the catalog does not know the type
   * @param memoryGiB its memory, or 0 when the catalog does not know the type
   * @param gpus GPUs attached (the container gets them all)
   * @param spot spot/preemptible capacity
   * @param pricePerHour the price of this VM in USD per hour, or null when the catalog has none
   */
  public record Machine(String cloud, String region, String instanceType, int vcpus, double memoryGiB, int gpus,
      boolean spot, Double pricePerHour) {

    public Machine {
      if (!"aws".equals(cloud) && !"gcp".equals(cloud)) {
        throw new IllegalArgumentException("startup scripts exist for aws and gcp, not '" + cloud + "'");
      }
      if (region == null || !REGION.matcher(region).matches()) {
        throw new IllegalArgumentException("region '" + region + "' is not a region name");
      }
      if (instanceType == null || !IMAGE.matcher(instanceType).matches()) {
        throw new IllegalArgumentException("instanceType '" + instanceType + "' is not a machine type name");
      }
    }

    Map<String, String> environment() {
      Map<String, String> env = new TreeMap<>();
      env.put(WorkerSetting.INSTANCE_TYPE.variable(), instanceType);
      if (vcpus > 0) { // 0: a type the catalog does not know, launched on the job's own image
        env.put(WorkerSetting.VCPUS.variable(), Integer.toString(vcpus));
        env.put(WorkerSetting.MEMORY_GIB.variable(), plain(memoryGiB));
      }
      env.put(WorkerSetting.SPOT.variable(), Boolean.toString(spot));
      if (pricePerHour != null) {
        // Six significant digits: the disk's share of a price has no short decimal form.
        env.put(WorkerSetting.PRICE_PER_HOUR.variable(), BigDecimal.valueOf(pricePerHour).round(new MathContext(6))
            .stripTrailingZeros().toPlainString());
      }
      return env;
    }

    private static String plain(double value) {
      return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
  }

  /**
   * The registry an image is pulled from, and how the VM logs in to it.
   *
   * @param kind "ecr" (instance profile), "google" (Artifact Registry or Container Registry, service account)
   *     or "none" (public, or a registry the VM needs no login for)
   * @param host the registry host, empty for "none"
   */
  public record Registry(String kind, String host) {

    /** The registry of an image reference such as {@code 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1}. */
    public static Registry of(String image) {
      int slash = image.indexOf('/');
      String host = slash < 0 ? "" : image.substring(0, slash);
      if (ECR_HOST.matcher(host).matches()) {
        return new Registry("ecr", host);
      }
      if (GOOGLE_HOST.matcher(host).matches()) {
        return new Registry("google", host);
      }
      return new Registry("none", "");
    }
  }

  private StartupScript() {}

  /**
   * The script for a request that brings none: the tasks run in the image named by {@value #TASK_IMAGE_ENV}.
   *
   * @param workerImage the taskjob worker image, from the provider property {@link ProviderConfig.Keys#WORKER_IMAGE}
   */
  public static String forRequest(CreateInstanceRequest request, String workerImage, Machine machine) {
    if (request.startupScript() != null && !request.startupScript().isBlank()) {
      return request.startupScript();
    }
    String taskImage = request.workerEnvironment().get(TASK_IMAGE_ENV);
    if (taskImage == null || taskImage.isBlank()) {
      throw new IllegalArgumentException("startupScript: none given and workerEnvironment has no " + TASK_IMAGE_ENV
          + " (spec.worker.image) to render one from");
    }
    if (workerImage == null || workerImage.isBlank()) {
      throw new IllegalArgumentException("provider property " + ProviderConfig.Keys.WORKER_IMAGE
          + " is not set: the operator needs the taskjob-worker image it delivers into the job's image (operator"
          + " option --provider-property " + ProviderConfig.Keys.WORKER_IMAGE + "=REGISTRY/taskjob-worker:VERSION,"
          + " docs/install.md)");
    }
    return render(workerImage, taskImage, request.workerEnvironment(), machine);
  }

  /**
   * Renders the template.
   *
   * @param workerImage the taskjob worker image, whose {@code /opt/taskjob} holds the worker and its runtime
   * @param taskImage the job's image, which the tasks (and the worker, injected) run in
   * @throws IllegalArgumentException naming the variable when the environment carries credentials, a name
   *     that is not an environment variable name, or a value with a line break; or when an image is not a
   *     plain image reference
   */
  public static String render(String workerImage, String taskImage, Map<String, String> environment,
      Machine machine) {
    if (workerImage == null || !IMAGE.matcher(workerImage).matches()) {
      throw new IllegalArgumentException("worker image '" + workerImage + "' is not a plain image reference");
    }
    if (taskImage == null || !IMAGE.matcher(taskImage).matches()) {
      throw new IllegalArgumentException("spec.worker.image: '" + taskImage + "' is not a plain image reference");
    }
    Map<String, String> sorted = new TreeMap<>(environment);
    String jobStartupScript = jobStartupScript(sorted.remove(JOB_STARTUP_SCRIPT_ENV));
    sorted.putAll(machine.environment());
    for (Map.Entry<String, String> e : sorted.entrySet()) {
      String name = e.getKey();
      if (!ENV_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("workerEnvironment: '" + name + "' is not an environment variable name");
      }
      if (looksLikeCredential(name)) {
        throw new IllegalArgumentException("workerEnvironment: " + name
            + " carries credentials; VMs get theirs from the instance profile or service account");
      }
      if (e.getValue() == null || e.getValue().indexOf('\n') >= 0 || e.getValue().indexOf('\r') >= 0) {
        throw new IllegalArgumentException("workerEnvironment: the value of " + name + " must be one line");
      }
    }
    String stopTimeout = sorted.getOrDefault(WorkerSetting.SHUTDOWN_GRACE_PERIOD.variable(), "30");
    if (!stopTimeout.matches("[0-9]{1,6}")) {
      throw new IllegalArgumentException("workerEnvironment: TASKJOB_SHUTDOWN_GRACE_PERIOD must be whole seconds, got '"
          + stopTimeout + "'");
    }
    String envLines = sorted.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining("\n"));
    Registry workerRegistry = Registry.of(workerImage);
    Registry taskRegistry = Registry.of(taskImage);
    // The environment and the job's script go in last, in one pass, so text that happens to contain a
    // placeholder stays as written.
    String rendered = template()
        .replace("{{CLOUD}}", machine.cloud())
        .replace("{{REGION}}", machine.region())
        .replace("{{INSTANCE_TYPE}}", machine.instanceType())
        .replace("{{WORKER_REGISTRY_KIND}}", workerRegistry.kind())
        .replace("{{WORKER_REGISTRY_HOST}}", workerRegistry.host())
        .replace("{{TASK_REGISTRY_KIND}}", taskRegistry.kind())
        .replace("{{TASK_REGISTRY_HOST}}", taskRegistry.host())
        .replace("{{GPUS}}", Integer.toString(Math.max(0, machine.gpus())))
        .replace("{{STOP_TIMEOUT}}", Integer.toString(Integer.parseInt(stopTimeout) + 5))
        .replace("{{WORKER_IMAGE}}", workerImage)
        .replace("{{TASK_IMAGE}}", taskImage)
        .replace("{{HAS_JOB_STARTUP_SCRIPT}}", jobStartupScript.isEmpty() ? "no" : "yes");
    return USER_TEXT.matcher(rendered).replaceAll(m -> Matcher.quoteReplacement(
        m.group(1).equals("ENVIRONMENT") ? envLines : jobStartupScript));
  }

  /**
   * The text of the job's start-up step, from its base64 form.
   *
   * @throws IllegalArgumentException naming spec.worker.startupScript when it is not base64, too long, or holds
   *     the line that ends it in the rendered script
   */
  public static String jobStartupScript(String base64) {
    if (base64 == null || base64.isEmpty()) {
      return "";
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("workerEnvironment: " + JOB_STARTUP_SCRIPT_ENV + " is not base64");
    }
    String text = new String(bytes, StandardCharsets.UTF_8).replace("\r\n", "\n");
    while (text.endsWith("\n")) {
      text = text.substring(0, text.length() - 1);
    }
    String problem = jobStartupScriptProblem(text);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return text;
  }

  /** Why a job start-up step cannot be used, naming the field, or null when it can. */
  public static String jobStartupScriptProblem(String text) {
    int bytes = text.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_JOB_STARTUP_SCRIPT_BYTES) {
      return "spec.worker.startupScript: " + bytes + " bytes, more than the " + MAX_JOB_STARTUP_SCRIPT_BYTES
          + " that fit in a VM's user data with the worker's own start-up; fetch a longer script from a bucket in it";
    }
    if (text.lines().anyMatch(JOB_SCRIPT_END::equals)) {
      return "spec.worker.startupScript: a line may not be " + JOB_SCRIPT_END + " (it ends the script on the VM)";
    }
    if (text.indexOf('\0') >= 0) {
      return "spec.worker.startupScript: holds a NUL character";
    }
    return null;
  }

  static boolean looksLikeCredential(String name) {
    String upper = name.toUpperCase(Locale.ROOT);
    return CREDENTIAL_NAMES.contains(upper) || upper.contains("SECRET") || upper.contains("PASSWORD")
        || upper.contains("PRIVATE_KEY");
  }

  private static String template() {
    try (InputStream in = StartupScript.class.getResourceAsStream(TEMPLATE)) {
      if (in == null) {
        throw new IllegalStateException("the startup script template " + TEMPLATE + " is missing from the jar");
      }
      // Comment lines go: EC2 takes 16 KiB of user data, and the job's own start-up step needs the room.
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int firstLine = text.indexOf('\n') + 1;
      return text.substring(0, firstLine) + COMMENT_LINE.matcher(text.substring(firstLine)).replaceAll("");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
