package dev.taskjob.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which events end a task for good (the ledger marks those) and which are about a task at all. */
class EventTypeTest {

  @ParameterizedTest(name = "{0}: terminal={1}, task event={2}")
  @CsvSource({
      "task_started,      false, true",
      "task_completed,    true,  true",
      "task_failed,       true,  true",
      "task_timed_out,    true,  true",
      "task_retried,      false, true",
      "worker_started,    false, false",
      "worker_heartbeat,  false, false",
      "worker_stopping,   false, false",
      "spot_interruption, false, false",
  })
  void classifiesEvents(String json, boolean terminal, boolean taskEvent) {
    EventType type = EventType.fromJson(json);

    assertThat(type.jsonName()).isEqualTo(json);
    assertThat(type.isTerminalForTask()).isEqualTo(terminal);
    assertThat(type.isTaskEvent()).isEqualTo(taskEvent);
  }
}
