package dev.taskjob.core.cloud;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Renders the VM startup script (EC2 user data, GCE {@code startup-script} metadata) from the bundled
 * template {@code worker-startup.sh}: it writes the worker configuration to a root-only env file and runs
 * the worker container with it, then shuts the VM down when the worker exits. Configuration travels only in
 * that environment, and never credentials: an environment that carries any is refused.
 */
public final class StartupScript {

  /** The worker container image, when the provider renders the script itself. */
  public static final String WORKER_IMAGE_ENV = "TASKJOB_WORKER_IMAGE";
  private static final String TEMPLATE = "worker-startup.sh";
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern IMAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:@-]*");
  private static final Set<String> CREDENTIAL_NAMES = Set.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN", "GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_CREDENTIALS", "CLOUDSDK_AUTH_ACCESS_TOKEN");

  private StartupScript() {}

  /** The script for a request that brings none: the image comes from {@value #WORKER_IMAGE_ENV}. */
  public static String forRequest(CreateInstanceRequest request) {
    if (request.startupScript() != null && !request.startupScript().isBlank()) {
      return request.startupScript();
    }
    String image = request.workerEnvironment().get(WORKER_IMAGE_ENV);
    if (image == null || image.isBlank()) {
      throw new IllegalArgumentException("startupScript: none given and workerEnvironment has no " + WORKER_IMAGE_ENV
          + " to render one from");
    }
    return render(image, request.workerEnvironment());
  }

  /**
   * Renders the template.
   *
   * @throws IllegalArgumentException naming the variable when the environment carries credentials, a name
   *     that is not an environment variable name, or a value with a line break; or when the image is not a
   *     plain image reference
   */
  public static String render(String workerImage, Map<String, String> environment) {
    if (workerImage == null || !IMAGE.matcher(workerImage).matches()) {
      throw new IllegalArgumentException("worker image '" + workerImage + "' is not a plain image reference");
    }
    Map<String, String> sorted = new TreeMap<>(environment);
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
    String stopTimeout = sorted.getOrDefault("TASKJOB_SHUTDOWN_GRACE_PERIOD", "30");
    if (!stopTimeout.matches("[0-9]{1,6}")) {
      throw new IllegalArgumentException("workerEnvironment: TASKJOB_SHUTDOWN_GRACE_PERIOD must be whole seconds, got '"
          + stopTimeout + "'");
    }
    String envLines = sorted.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining("\n"));
    return template()
        .replace("{{ENVIRONMENT}}", envLines)
        .replace("{{STOP_TIMEOUT}}", Integer.toString(Integer.parseInt(stopTimeout) + 5))
        .replace("{{WORKER_IMAGE}}", workerImage);
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
