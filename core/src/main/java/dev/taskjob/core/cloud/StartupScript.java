package dev.taskjob.core.cloud;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import dev.taskjob.core.worker.WorkerSetting;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Renders the VM startup script (EC2 user data, GCE {@code startup-script} metadata) from the bundled
 * template {@code worker-startup.sh} for one cloud and one machine: it writes the worker configuration and
 * the machine's facts to a root-only env file, adds the zone from the metadata endpoint, logs in to the
 * image's registry through the VM's own identity, formats and mounts local SSDs, gives GPU types their
 * GPUs, runs the worker container, and shuts the VM down when the worker exits. It installs nothing.
 * Configuration travels only in that environment, and never credentials: an environment that carries any
 * is refused.
 */
public final class StartupScript {

  /** The worker container image, when the provider renders the script itself. */
  public static final String WORKER_IMAGE_ENV = WorkerSetting.WORKER_IMAGE.variable();
  private static final String TEMPLATE = "worker-startup.sh";
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
        env.put(WorkerSetting.PRICE_PER_HOUR.variable(), BigDecimal.valueOf(pricePerHour).stripTrailingZeros().toPlainString());
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

  /** The script for a request that brings none: the image comes from {@code TASKJOB_WORKER_IMAGE}. */
  public static String forRequest(CreateInstanceRequest request, Machine machine) {
    if (request.startupScript() != null && !request.startupScript().isBlank()) {
      return request.startupScript();
    }
    String image = request.workerEnvironment().get(WORKER_IMAGE_ENV);
    if (image == null || image.isBlank()) {
      throw new IllegalArgumentException("startupScript: none given and workerEnvironment has no " + WORKER_IMAGE_ENV
          + " to render one from");
    }
    return render(image, request.workerEnvironment(), machine);
  }

  /**
   * Renders the template.
   *
   * @throws IllegalArgumentException naming the variable when the environment carries credentials, a name
   *     that is not an environment variable name, or a value with a line break; or when the image is not a
   *     plain image reference
   */
  public static String render(String workerImage, Map<String, String> environment, Machine machine) {
    if (workerImage == null || !IMAGE.matcher(workerImage).matches()) {
      throw new IllegalArgumentException("worker image '" + workerImage + "' is not a plain image reference");
    }
    Map<String, String> sorted = new TreeMap<>(environment);
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
    Registry registry = Registry.of(workerImage);
    // The environment goes in last, so a value that happens to contain a placeholder stays as written.
    return template()
        .replace("{{CLOUD}}", machine.cloud())
        .replace("{{REGION}}", machine.region())
        .replace("{{REGISTRY_KIND}}", registry.kind())
        .replace("{{REGISTRY_HOST}}", registry.host())
        .replace("{{GPUS}}", Integer.toString(Math.max(0, machine.gpus())))
        .replace("{{STOP_TIMEOUT}}", Integer.toString(Integer.parseInt(stopTimeout) + 5))
        .replace("{{WORKER_IMAGE}}", workerImage)
        .replace("{{ENVIRONMENT}}", envLines);
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
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
