package dev.taskjob.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Google's Pub/Sub emulator ({@code gcloud beta emulators pubsub start}) on a free loopback port.
 * Point clients at {@link #hostPort()} over plain text (as {@code PUBSUB_EMULATOR_HOST} does); any
 * project id works, {@value #PROJECT} by convention.
 */
public class PubSubEmulatorExtension extends ExternalServerExtension {

  public static final String PROJECT = "taskjob-test";

  @Override
  protected String executable() {
    return "gcloud";
  }

  @Override
  protected String installHint() {
    return "install the Google Cloud CLI with the pubsub-emulator component (gcloud components install pubsub-emulator, "
        + "or the Debian package google-cloud-cli-pubsub-emulator)";
  }

  @Override
  protected List<String> command(String executablePath, int port) {
    return List.of(executablePath, "beta", "emulators", "pubsub", "start",
        "--host-port=127.0.0.1:" + port, "--project=" + PROJECT, "--quiet");
  }

  /** No prompts, update checks or usage reports: the emulator must start the same way offline. */
  @Override
  protected void configureEnvironment(Map<String, String> environment) {
    environment.put("CLOUDSDK_CORE_DISABLE_PROMPTS", "1");
    environment.put("CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK", "1");
    environment.put("CLOUDSDK_CORE_DISABLE_USAGE_REPORTING", "true");
  }

  @Override
  protected Duration startupTimeout() {
    return Duration.ofSeconds(90);
  }

  /** The port opens before the emulator serves; wait until its REST root answers. */
  @Override
  protected void awaitReady(int port, Duration timeout) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        HttpResponse<Void> response = http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() < 500) {
          return;
        }
      } catch (java.io.IOException e) {
        // not up yet
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Pub/Sub emulator on port " + port + " did not answer");
      }
      Thread.sleep(200);
    }
  }
}
