package dev.taskjob.worker;

import dev.taskjob.core.Json;
import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Reads a worker's JSON Lines event log in tests. */
record Events(List<TaskEvent> all) {

  static Events read(Path file) {
    try {
      return new Events(Files.readAllLines(file).stream().filter(l -> !l.isBlank()).map(Json::eventFromJson).toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  List<TaskEvent> of(EventType type) {
    return all.stream().filter(e -> e.eventType() == type).toList();
  }

  /** Task id -> number of events of the type. */
  Map<String, Long> countByTask(EventType type) {
    return of(type).stream().collect(Collectors.groupingBy(TaskEvent::taskId, Collectors.counting()));
  }
}
