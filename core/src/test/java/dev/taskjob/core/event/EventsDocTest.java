package dev.taskjob.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/events.md stays true: its example lines are what the code writes. */
class EventsDocTest {

  private static final Path DOC = Path.of("..", "docs", "events.md");

  @Test
  void documentedExamplesReadAndWriteBackUnchanged() throws IOException {
    List<String> examples = exampleLines(Files.readAllLines(DOC));

    assertThat(examples).hasSizeGreaterThanOrEqualTo(EventType.values().length - 1);
    for (String line : examples) {
      assertThat(Json.eventToJson(Json.eventFromJson(line))).isEqualTo(line);
    }
  }

  @Test
  void documentsEveryEventType() throws IOException {
    String doc = Files.readString(DOC);

    for (EventType type : EventType.values()) {
      assertThat(doc).contains("| `" + type.jsonName() + "` |");
    }
  }

  @Test
  void documentsTheRmsCloudTasksNameOfEveryEventType() throws IOException {
    String doc = Files.readString(DOC);

    for (EventType type : EventType.values()) {
      assertThat(doc).contains("| `" + type.jsonName() + "` | `" + type.rmsName() + "`");
    }
  }

  private static List<String> exampleLines(List<String> doc) {
    List<String> examples = new ArrayList<>();
    boolean inBlock = false;
    for (String line : doc) {
      if (line.startsWith("```")) {
        inBlock = !inBlock;
      } else if (inBlock && line.startsWith("{")) {
        examples.add(line);
      }
    }
    return examples;
  }
}
