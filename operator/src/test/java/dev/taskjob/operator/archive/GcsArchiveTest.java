package dev.taskjob.operator.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderConfig.Keys;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.store.ObjectStore;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.ledger.TaskResult;
import dev.taskjob.testing.FakeCloudStorage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A job archive in a gs:// location, opened as the operator and the CLI open it ({@link OutputLocations#open}
 * with the provider modules found by ServiceLoader). Against {@link FakeCloudStorage}, a hand-written fake of
 * Cloud Storage's JSON API: no emulator for it exists here.
 */
class GcsArchiveTest {

  private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

  @Test
  void writesTheArchiveToCloudStorageAndReadsItBack() throws Exception {
    try (FakeCloudStorage gcs = new FakeCloudStorage()) {
      gcs.createBucket("lab-results");
      ProviderConfig config = new ProviderConfig("gcp", "us-central1", List.of(),
          Map.of(Keys.PROJECT, "lab", Keys.STORAGE_ENDPOINT, gcs.endpoint()));
      String uri = "gs://lab-results/runs";
      assertThat(OutputLocations.check("gcp", uri)).isEmpty();

      Ledger ledger = new Ledger(2);
      List<TaskEvent> events = List.of(
          TaskEvent.builder(EventType.TASK_COMPLETED).timestamp(T0).instanceId("vm-1").taskId("a").taskIndex(0)
              .attempt(1).finalAttempt(true).exitCode(0).result("sum=3").build(),
          TaskEvent.builder(EventType.TASK_FAILED).timestamp(T0.plusSeconds(1)).instanceId("vm-1").taskId("b")
              .taskIndex(1).attempt(1).finalAttempt(true).exitCode(2).result("bad input").build());
      List<TaskResult> finals = new ArrayList<>();
      events.forEach(e -> ledger.apply(e, finals));
      try (JobArchive archive = new JobArchive(open(uri, config), "ns/job/uid-1/", T0, JobArchive.DEFAULT_PART_BYTES)) {
        archive.add(events, finals);
        archive.flush();
      }

      assertThat(gcs.objectNames("lab-results")).allMatch(name -> name.startsWith("runs/ns/job/uid-1/"))
          .anyMatch(name -> name.startsWith("runs/ns/job/uid-1/results/"));
      try (ObjectStore store = open(uri, config)) {
        ArchiveReader reader = new ArchiveReader(store, "ns/job/uid-1/");
        assertThat(reader.results().values()).extracting(TaskResult::taskId, TaskResult::succeeded, TaskResult::result)
            .containsExactly(org.assertj.core.groups.Tuple.tuple("a", true, "sum=3"),
                org.assertj.core.groups.Tuple.tuple("b", false, "bad input"));
        List<TaskEvent> archived = new ArrayList<>();
        reader.forEachEvent(archived::add);
        assertThat(archived).containsExactlyElementsOf(events);
      }
    }
  }

  private static ObjectStore open(String uri, ProviderConfig config) {
    return OutputLocations.open(uri, config, name -> Optional.ofNullable(Providers.available().get(name)));
  }
}
