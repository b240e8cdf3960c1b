package dev.taskjob.operator.reconciler.job;

import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.ledger.LedgerCodec;
import dev.taskjob.operator.progress.JobProgress;
import dev.taskjob.operator.progress.SlotUsage;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import dev.taskjob.core.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The ledger ConfigMap of a job ({@code <job>-ledger}, owned by the job): the ledger itself, a
 * readable summary, and what the job was started with (the spec snapshot and the task lists'
 * digest), which later reconciles hold the live spec against.
 */
public final class LedgerStore {

  /** The spec the job started with (JSON). */
  public static final String SPEC_KEY = "spec.json";
  /** Digest of the task lists' content when the job started. */
  public static final String DIGEST_KEY = "tasks.sha256";
  public static final String COMPONENT_LABEL = "app.kubernetes.io/component";

  /**
   * What is stored.
   *
   * @param slotUsage what each VM's slots did, for the split of the bill ({@link SlotUsage#encode}), or null
   */
  public record Stored(Ledger ledger, String specJson, String tasksDigest, byte[] slotUsage) {}

  private final KubernetesClient client;

  public LedgerStore(KubernetesClient client) {
    this.client = client;
  }

  public static String nameFor(TaskJob job) {
    String name = job.getMetadata().getName();
    return (name.length() > 246 ? name.substring(0, 246) : name) + "-ledger";
  }

  public Optional<Stored> load(TaskJob job) {
    ConfigMap cm = client.configMaps().inNamespace(job.getMetadata().getNamespace()).withName(nameFor(job)).get();
    if (cm == null || !ownedBy(cm, job)) {
      return Optional.empty();
    }
    Map<String, byte[]> binary = binaryData(cm);
    Map<String, String> data = cm.getData() == null ? Map.of() : cm.getData();
    return Optional.of(new Stored(LedgerCodec.decode(binary), data.get(SPEC_KEY), data.get(DIGEST_KEY),
        binary.get(SlotUsage.KEY)));
  }

  /** A ledger ConfigMap's binary entries, decoded (empty for none), as {@link LedgerCodec} reads them. */
  public static Map<String, byte[]> binaryData(ConfigMap cm) {
    Map<String, byte[]> binary = new LinkedHashMap<>();
    if (cm != null && cm.getBinaryData() != null) {
      cm.getBinaryData().forEach((k, v) -> binary.put(k, Base64.getDecoder().decode(v)));
    }
    return binary;
  }

  /** Creates the ConfigMap for a starting job; returns what is stored if it already exists (a retried start). */
  public Stored create(TaskJob job, Ledger ledger, String specJson, String tasksDigest) {
    Optional<Stored> existing = load(job);
    if (existing.isPresent()) {
      return existing.get();
    }
    Map<String, String> binary = new LinkedHashMap<>();
    LedgerCodec.encodeBinary(ledger).forEach((k, v) -> binary.put(k, Base64.getEncoder().encodeToString(v)));
    ConfigMap cm = new ConfigMapBuilder()
        .withNewMetadata()
          .withName(nameFor(job))
          .withNamespace(job.getMetadata().getNamespace())
          .addToLabels("app.kubernetes.io/managed-by", "taskjob-operator")
          .addToLabels(COMPONENT_LABEL, "ledger")
          .addToLabels("taskjob.dev/job", job.getMetadata().getName())
          .withOwnerReferences(new OwnerReferenceBuilder()
              .withApiVersion(job.getApiVersion())
              .withKind(job.getKind())
              .withName(job.getMetadata().getName())
              .withUid(job.getMetadata().getUid())
              .withController(true)
              .withBlockOwnerDeletion(true)
              .build())
        .endMetadata()
        .withBinaryData(binary)
        .addToData(LedgerCodec.SUMMARY_KEY, LedgerCodec.summary(ledger))
        .addToData(SPEC_KEY, specJson)
        .addToData(DIGEST_KEY, tasksDigest)
        .build();
    try {
      client.configMaps().inNamespace(job.getMetadata().getNamespace()).resource(cm).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      return load(job).orElseThrow(() -> e);
    }
    return new Stored(ledger, specJson, tasksDigest, null);
  }

  /** Writes the ledger and summary (a merge patch: the spec snapshot is left alone). */
  public void save(TaskJob job, JobProgress.LedgerImage image) {
    ObjectNode patch = Json.MAPPER.createObjectNode();
    ObjectNode binary = patch.putObject("binaryData");
    image.binaryData().forEach((k, v) -> binary.put(k, Base64.getEncoder().encodeToString(v)));
    patch.putObject("data").put(LedgerCodec.SUMMARY_KEY, image.summary());
    client.configMaps().inNamespace(job.getMetadata().getNamespace()).withName(nameFor(job))
        .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
  }

  /** Where {@link #keepCopy} puts a deleted job's ledger: {@code <job>-ledger-<first 8 of its uid>}. */
  public static String keptNameFor(TaskJob job) {
    String uid = job.getMetadata().getUid();
    return nameFor(job) + "-" + (uid.length() > 8 ? uid.substring(0, 8) : uid);
  }

  /**
   * Copies the job's ledger ConfigMap to {@link #keptNameFor}, owned by nobody, so it outlives the job
   * without taking the name a new job of the same name needs. Idempotent.
   */
  public void keepCopy(TaskJob job) {
    String namespace = job.getMetadata().getNamespace();
    ConfigMap original = client.configMaps().inNamespace(namespace).withName(nameFor(job)).get();
    if (original == null || !ownedBy(original, job)) {
      return;
    }
    ConfigMap copy = new ConfigMapBuilder()
        .withNewMetadata()
          .withName(keptNameFor(job))
          .withNamespace(namespace)
          .withLabels(original.getMetadata().getLabels())
          .addToAnnotations("taskjob.dev/deleted-job-uid", job.getMetadata().getUid())
        .endMetadata()
        .withData(original.getData())
        .withBinaryData(original.getBinaryData())
        .build();
    try {
      client.configMaps().inNamespace(namespace).resource(copy).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }

  private static boolean ownedBy(ConfigMap cm, TaskJob job) {
    return cm.getMetadata().getOwnerReferences() != null && cm.getMetadata().getOwnerReferences().stream()
        .anyMatch(o -> job.getMetadata().getUid().equals(o.getUid()));
  }
}
