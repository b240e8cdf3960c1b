package dev.taskjob.operator.report;

import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.stats.ElapsedTimeStats;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolStatus;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.ledger.LedgerCodec;
import dev.taskjob.operator.reconciler.job.LedgerStore;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Reads a job's report from the Kubernetes API: the TaskJob's status (counts, type, cost, conditions), its
 * InstancePool (the runner-up types) and its ledger ConfigMap (failures with reasons, elapsed times). A
 * cluster keeps no history of a status, so the charts' samples come from whoever watched the job (a local
 * run's {@link JobTimeline}), else from the job's archived events ({@link ArchivedTimeline}), else from the
 * job's start (nothing done) and its current status.
 */
public final class ReportReader {

  private ReportReader() {}

  /** A job's archived events ({@code spec.output.uri}), read when the report is drawn. */
  @FunctionalInterface
  public interface ArchivedEvents {
    void forEach(Consumer<TaskEvent> each);
  }

  /** The job's report, or empty when there is no such TaskJob. */
  public static Optional<ReportData> read(KubernetesClient client, String namespace, String name,
      JobTimeline watched, Instant now) {
    return read(client, namespace, name, watched, null, now);
  }

  /**
   * The job's report, or empty when there is no such TaskJob; without samples from a watcher, the charts are
   * drawn from {@code archive} (may be null) when it holds events.
   */
  public static Optional<ReportData> read(KubernetesClient client, String namespace, String name,
      JobTimeline watched, ArchivedEvents archive, Instant now) {
    TaskJob job = client.resources(TaskJob.class).inNamespace(namespace).withName(name).get();
    if (job == null) {
      return Optional.empty();
    }
    InstancePool pool = client.resources(InstancePool.class).inNamespace(namespace).withName(name).get();
    TaskJobStatus s = job.getStatus() == null ? new TaskJobStatus() : job.getStatus();
    InstancePoolStatus poolStatus = pool == null ? null : pool.getStatus();
    ConfigMap ledgerMap = s.getLedgerConfigMap() == null ? null
        : client.configMaps().inNamespace(namespace).withName(s.getLedgerConfigMap()).get();
    Map<String, byte[]> ledger = LedgerStore.binaryData(ledgerMap);

    Instant start = parse(s.getStartTime()).orElse(null);
    Instant end = parse(s.getCompletionTime()).orElse(now);
    List<TimelineSample> samples = watched == null ? List.of() : watched.samples();
    String source;
    ArchivedTimeline archived = samples.size() >= 2 || archive == null || start == null || !start.isBefore(end) ? null
        : new ArchivedTimeline(start, end, ArchivedTimeline.DEFAULT_BUCKETS);
    if (archived != null) {
      archive.forEach(archived::add);
    }
    if (samples.size() >= 2) {
      source = "Sampled from the job's status every second while this run watched it.";
    } else if (archived != null && archived.events() > 0) {
      samples = archived.samples(s.getCostSoFar() == null ? 0.0 : s.getCostSoFar());
      source = "Drawn from the job's " + archived.events() + " archived events (spec.output.uri): tasks as the"
          + " workers reported them, instances from each worker's first event to its last, and the cost spread over"
          + " the instances' running time up to the job's bill.";
    } else {
      TimelineSample current = TimelineSample.of(end, s, poolStatus);
      samples = start == null || !start.isBefore(end) ? List.of(current)
          : List.of(new TimelineSample(start, 0, 0, 0, 0, 0, 0, 0.0), current);
      source = "Nobody sampled this job while it ran, so the charts join its start to its status at "
          + (s.getCompletionTime() == null ? "the time of this report" : "completion")
          + "; a local run samples every second.";
    }
    if (start == null) {
      start = samples.get(0).at();
    }

    List<ReportData.Failure> failures = new ArrayList<>();
    if (ledger.containsKey(LedgerCodec.STATE_KEY)) {
      try {
        Ledger decoded = LedgerCodec.decode(ledger);
        decoded.failedTasks().forEach(t -> failures.add(new ReportData.Failure(t.id(), t.reason())));
      } catch (RuntimeException e) {
        failures.clear();
      }
    }
    if (failures.isEmpty() && s.getFailedTaskIds() != null) {
      s.getFailedTaskIds().forEach(id -> failures.add(new ReportData.Failure(id, "(reason not in the ledger)")));
    }
    ElapsedTimeStats elapsed = null;
    if (ledger.containsKey(LedgerCodec.ELAPSED_KEY)) {
      try {
        elapsed = LedgerCodec.decodeElapsed(ledger.get(LedgerCodec.ELAPSED_KEY));
      } catch (IOException | RuntimeException e) {
        elapsed = null;
      }
    }
    List<ReportData.ConditionLine> conditions = new ArrayList<>();
    s.getConditions().forEach(c -> conditions.add(
        new ReportData.ConditionLine(c.getType(), c.getStatus(), c.getReason(), c.getMessage())));
    List<String> runnerUps = poolStatus == null || poolStatus.getFallbackTypes() == null ? List.of()
        : poolStatus.getFallbackTypes();

    return Optional.of(new ReportData(namespace, name, s.getPhase() == null ? "Pending" : s.getPhase().displayName(),
        orZero(s.getTotal()), orZero(s.getSucceeded()), orZero(s.getFailed()), orZero(s.getRetried()),
        orZero(s.getDuplicates()), orZero(s.getDeadLettered()), start, end, s.getInstanceType(),
        Boolean.TRUE.equals(s.getSpot()), s.getPricePerHour(), runnerUps,
        s.getCostSoFar() == null ? 0.0 : s.getCostSoFar(), samples, source, elapsed, failures, conditions));
  }

  private static Optional<Instant> parse(String time) {
    try {
      return time == null ? Optional.empty() : Optional.of(Instant.parse(time));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static long orZero(Long v) {
    return v == null ? 0 : v;
  }
}
