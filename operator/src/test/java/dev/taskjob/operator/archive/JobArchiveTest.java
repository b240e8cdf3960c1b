package dev.taskjob.operator.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.store.DirectoryStore;
import dev.taskjob.core.store.ObjectStore;
import dev.taskjob.core.store.StoreException;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.ledger.TaskResult;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobArchiveTest {

  private static final String PREFIX = "ns/job/uid-1/";
  private static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");

  @TempDir Path dir;

  private static TaskEvent completed(long index, String result) {
    return TaskEvent.builder(EventType.TASK_COMPLETED).timestamp(T0.plusSeconds(index)).instanceId("i-1")
        .taskId("t-" + index).taskIndex(index).attempt(1).finalAttempt(true).retry(false).exitCode(0)
        .elapsedTime(1.5).result(result).build();
  }

  /** The ledger's decisions for {@code events}: each task's first final result. */
  private static List<TaskResult> finals(Ledger ledger, List<TaskEvent> events) {
    List<TaskResult> out = new ArrayList<>();
    events.forEach(e -> ledger.apply(e, out));
    return out;
  }

  @Test
  void keepsOneResultPerTaskWhateverTheEventsRepeat() {
    Ledger ledger = new Ledger(3);
    JobArchive archive = new JobArchive(new DirectoryStore(dir), PREFIX, T0, JobArchive.DEFAULT_PART_BYTES);
    List<TaskEvent> first = List.of(completed(0, "a"), completed(1, "b"));
    archive.add(first, finals(ledger, first));
    // A redelivered event and a second execution of task 1: archived as events, no second result.
    TaskEvent secondRun = TaskEvent.builder(EventType.TASK_COMPLETED).timestamp(T0.plusSeconds(60)).instanceId("i-2")
        .taskId("t-1").taskIndex(1).attempt(2).finalAttempt(true).exitCode(0).result("b again").build();
    List<TaskEvent> again = List.of(completed(0, "a"), secondRun, completed(2, "c"));
    archive.add(again, finals(ledger, again));
    archive.flush();

    ArchiveReader reader = new ArchiveReader(new DirectoryStore(dir), PREFIX);
    assertThat(reader.results().values()).extracting(TaskResult::taskId, TaskResult::result).containsExactly(
        org.assertj.core.groups.Tuple.tuple("t-0", "a"), org.assertj.core.groups.Tuple.tuple("t-1", "b"),
        org.assertj.core.groups.Tuple.tuple("t-2", "c"));
    List<TaskEvent> events = new ArrayList<>();
    reader.forEachEvent(events::add);
    assertThat(events).hasSize(5).first().isEqualTo(completed(0, "a"));
  }

  @Test
  void rotatesPartsBySizeAndKeepsEveryLine() {
    ObjectStore store = new DirectoryStore(dir);
    JobArchive archive = new JobArchive(store, PREFIX, T0, 1_000);
    Ledger ledger = new Ledger(100);
    for (int i = 0; i < 100; i++) {
      List<TaskEvent> one = List.of(completed(i, "result " + i));
      archive.add(one, finals(ledger, one));
      if (i % 7 == 0) {
        archive.flush();
      }
    }
    archive.flush();

    List<String> eventParts = store.list(PREFIX + "events/");
    assertThat(eventParts).hasSizeGreaterThan(10)
        .allMatch(k -> k.matches(PREFIX + "events/" + String.format("%013d", T0.toEpochMilli()) + "-\\d{6}\\.jsonl\\.gz"));
    assertThat(eventParts).allSatisfy(k -> assertThat(store.get(k)).isPresent());
    List<TaskEvent> events = new ArrayList<>();
    new ArchiveReader(store, PREFIX).forEachEvent(events::add);
    assertThat(events).extracting(TaskEvent::taskIndex).containsExactlyElementsOf(
        java.util.stream.LongStream.range(0, 100).boxed().toList());
    assertThat(new ArchiveReader(store, PREFIX).results()).hasSize(100);
  }

  @Test
  void aFailedWriteIsWrittenByTheNextFlush() {
    FailingStore store = new FailingStore(new DirectoryStore(dir));
    JobArchive archive = new JobArchive(store, PREFIX, T0, JobArchive.DEFAULT_PART_BYTES);
    Ledger ledger = new Ledger(2);
    List<TaskEvent> one = List.of(completed(0, "a"));
    archive.add(one, finals(ledger, one));
    store.failing = true;
    assertThatThrownBy(archive::flush).isInstanceOf(StoreException.class);
    List<TaskEvent> two = List.of(completed(1, "b"));
    archive.add(two, finals(ledger, two));
    store.failing = false;
    archive.flush();

    assertThat(new ArchiveReader(store, PREFIX).results()).containsOnlyKeys(0L, 1L);
  }

  @Test
  void aRestartedWriterAddsPartsAndOverwritesNone() {
    ObjectStore store = new DirectoryStore(dir);
    Ledger before = new Ledger(2);
    JobArchive first = new JobArchive(store, PREFIX, T0, JobArchive.DEFAULT_PART_BYTES);
    List<TaskEvent> one = List.of(completed(0, "a"));
    first.add(one, finals(before, one));
    first.flush();
    // After a restart the ledger is restored from its last save; the new writer starts later.
    JobArchive second = new JobArchive(store, PREFIX, T0.plusSeconds(30), JobArchive.DEFAULT_PART_BYTES);
    List<TaskEvent> two = List.of(completed(1, "b"));
    second.add(two, finals(before, two));
    second.flush();

    assertThat(store.list(PREFIX + "results/")).hasSize(2);
    assertThat(new ArchiveReader(store, PREFIX).results()).containsOnlyKeys(0L, 1L);
  }

  /** A store whose writes fail while {@code failing} is set, as an unreachable bucket does. */
  private static final class FailingStore implements ObjectStore {
    private final ObjectStore inner;
    boolean failing;

    FailingStore(ObjectStore inner) {
      this.inner = inner;
    }

    @Override
    public void put(String key, byte[] content) {
      if (failing) {
        throw new StoreException("cannot write " + key + ": connection refused", null);
      }
      inner.put(key, content);
    }

    @Override
    public Optional<byte[]> get(String key) {
      return inner.get(key);
    }

    @Override
    public List<String> list(String prefix) {
      return inner.list(prefix);
    }

    @Override
    public void deleteAll(String prefix) {
      inner.deleteAll(prefix);
    }

    @Override
    public String location() {
      return inner.location();
    }
  }
}
