package dev.taskjob.operator.reconciler;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events for what a user wants to see in {@code kubectl describe}. An event is
 * identified by its object, reason and message: the same one is recorded once (the name is derived
 * from them, so a restarted operator does not repeat it either). Failures to record are logged,
 * never thrown: events are informational.
 */
public final class KubeEvents {

  private static final Logger LOG = LoggerFactory.getLogger(KubeEvents.class);
  public static final String NORMAL = "Normal";
  public static final String WARNING = "Warning";
  private static final String COMPONENT = "taskjob-operator";
  private static final int MAX_REMEMBERED = 10_000;

  private final KubernetesClient client;
  private final Clock clock;
  private final Map<String, Boolean> recorded = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > MAX_REMEMBERED;
    }
  });

  public KubeEvents(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  public void normal(HasMetadata object, String reason, String message) {
    record(object, NORMAL, reason, message);
  }

  public void warning(HasMetadata object, String reason, String message) {
    record(object, WARNING, reason, message);
  }

  public void record(HasMetadata object, String type, String reason, String message) {
    String text = message.length() <= 1024 ? message : message.substring(0, 1021) + "...";
    String key = object.getMetadata().getUid() + "|" + type + "|" + reason + "|" + text;
    if (recorded.putIfAbsent(key, Boolean.TRUE) != null) {
      return;
    }
    String name = object.getMetadata().getName() + "."
        + UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString().replace("-", "").substring(0, 16);
    String now = Instant.now(clock).toString();
    try {
      client.v1().events().inNamespace(object.getMetadata().getNamespace()).resource(new EventBuilder()
          .withNewMetadata().withName(name).withNamespace(object.getMetadata().getNamespace()).endMetadata()
          .withInvolvedObject(new ObjectReferenceBuilder()
              .withApiVersion(object.getApiVersion())
              .withKind(object.getKind())
              .withName(object.getMetadata().getName())
              .withNamespace(object.getMetadata().getNamespace())
              .withUid(object.getMetadata().getUid())
              .build())
          .withType(type)
          .withReason(reason)
          .withMessage(text)
          .withFirstTimestamp(now)
          .withLastTimestamp(now)
          .withCount(1)
          .withReportingComponent(COMPONENT)
          .withNewSource().withComponent(COMPONENT).endSource()
          .build()).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        LOG.warn("could not record event {} on {}/{}: {}", reason, object.getKind(), object.getMetadata().getName(),
            e.getMessage());
      }
    }
  }
}
