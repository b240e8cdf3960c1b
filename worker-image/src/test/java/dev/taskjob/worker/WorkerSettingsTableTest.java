package dev.taskjob.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.worker.WorkerSetting;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's table of the variables the operator and the VM give a worker is rendered from core's
 * {@link WorkerSetting} catalogue, so the page cannot drift from what the operator writes and the worker
 * reads; with {@code -Dworker.readme.update=true} the test rewrites the table.
 */
class WorkerSettingsTableTest {

  private static final Path README = Path.of("README.md");
  private static final String BEGIN = "<!-- worker-settings:begin (rendered from WorkerSetting; "
      + "mvn -pl worker-image -am test -Dtest=WorkerSettingsTableTest -Dworker.readme.update=true "
      + "-Dsurefire.failIfNoSpecifiedTests=false) -->";
  private static final String END = "<!-- worker-settings:end -->";

  static String render() {
    StringBuilder table = new StringBuilder("| variable | set by | type | meaning |\n|---|---|---|---|\n");
    for (WorkerSetting setting : WorkerSetting.values()) {
      table.append("| `").append(setting.variable()).append("` | ").append(setBy(setting.writer()))
          .append(" | ").append(setting.type().replace("|", "\\|")).append(" | ")
          .append(setting.description().replace("|", "\\|")).append(" |\n");
    }
    return table.toString();
  }

  private static String setBy(WorkerSetting.Writer writer) {
    return switch (writer) {
      case OPERATOR -> "operator, from the TaskJob";
      case LAUNCH -> "pool, per VM at launch";
      case MACHINE -> "VM startup script";
    };
  }

  @Test
  void readmeTableMatchesTheCatalogue() throws IOException {
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    int begin = readme.indexOf(BEGIN);
    int end = readme.indexOf(END);
    assertThat(begin).as("README.md has the marker line %s", BEGIN).isNotNegative();
    assertThat(end).as("README.md has the marker line %s", END).isGreaterThan(begin);
    String expected = readme.substring(0, begin + BEGIN.length()) + "\n" + render() + readme.substring(end);
    if (Boolean.getBoolean("worker.readme.update")) {
      Files.writeString(README, expected, StandardCharsets.UTF_8);
      readme = expected;
    }
    assertThat(readme).as("worker-image/README.md's settings table is out of date; rerun with "
        + "-Dworker.readme.update=true").isEqualTo(expected);
  }

  @Test
  void everyCatalogueVariableIsInTheTable() {
    String table = render();
    for (WorkerSetting setting : WorkerSetting.values()) {
      assertThat(table).contains("| `" + setting.variable() + "` |");
    }
    assertThat(table.lines().count()).isEqualTo(WorkerSetting.values().length + 2L);
  }
}
