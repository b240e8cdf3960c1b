package dev.taskjob.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/troubleshooting.md explains every reason the operator writes into a condition or an Event. The
 * reasons are read from the sources, in the places the operator sets them, so a new reason without a
 * line in the page fails here.
 */
class TroubleshootingDocTest {

  private static final Path SOURCES = Path.of("src/main/java/dev/taskjob/operator");
  private static final Path DOC = Path.of("..", "docs", "troubleshooting.md");

  /** Where a reason is written: each pattern's groups are reason literals. */
  private static final List<Pattern> REASON_SITES = Stream.of(
      // Conditions.set(conditions, TYPE, Condition.X, "Reason" | cond ? "A" : "B", ...)
      "Conditions\\.set\\([^;]*?Condition\\.(?:TRUE|FALSE|UNKNOWN)[^,;]*,\\s*(?:[^,;\"]*\\?\\s*)?\"(\\w+)\"(?:\\s*:\\s*\"(\\w+)\")?",
      // String reason = cond ? "A" : "B";
      "\\breason\\s*=\\s*[^;\"]*\\?\\s*\"(\\w+)\"\\s*:\\s*\"(\\w+)\"",
      "new Condition\\(ConditionTypes\\.\\w+,\\s*Condition\\.\\w+,\\s*\"(\\w+)\"",
      // ErrorClassifier: judged errors and the kinds' default reasons
      "new Classified\\(Kind\\.\\w+,\\s*\"(\\w+)\"",
      "\\b[A-Z_]+\\(\"([A-Z]\\w+)\"\\)",
      // pool failures and Events
      "\\bfail\\(\\w+,\\s*\\w+,\\s*\"(\\w+)\"",
      "events\\(\\)\\.(?:warning|normal)\\(\\w+,\\s*\"(\\w+)\"",
      "Notice\\.(?:normal|warning)\\(\"(\\w+)\"").map(p -> Pattern.compile(p, Pattern.DOTALL)).toList();

  /** Classes whose string constants are all reasons. */
  private static final Set<String> REASON_CONSTANT_CLASSES = Set.of("Invalid.java", "TaskSourceException.java");
  private static final Pattern CONSTANT = Pattern.compile("static final String [A-Z_]+ = \"([A-Z]\\w+)\";");

  @Test
  void explainsEveryReasonTheOperatorWrites() throws IOException {
    Set<String> reasons = reasonsInSources();
    String doc = Files.readString(DOC);

    assertThat(reasons).as("reasons found in the sources").hasSizeGreaterThan(40).contains("TasksFailed",
        "WorkersNeverStarted", "NoMatchingInstanceType", "ActionRequired", "InstanceSilent");
    assertThat(reasons).allSatisfy(reason -> assertThat(doc).as("docs/troubleshooting.md explains " + reason)
        .containsPattern("\\| `" + reason + "`( / `\\w+`)? \\||\\| `\\w+` / `" + reason + "` \\|"));
  }

  private static Set<String> reasonsInSources() throws IOException {
    Set<String> reasons = new TreeSet<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(SOURCES)) {
      files = walk.filter(p -> p.toString().endsWith(".java")).toList();
    }
    for (Path file : files) {
      String source = Files.readString(file);
      for (Pattern site : REASON_SITES) {
        Matcher m = site.matcher(source);
        while (m.find()) {
          for (int g = 1; g <= m.groupCount(); g++) {
            if (m.group(g) != null) {
              reasons.add(m.group(g));
            }
          }
        }
      }
      if (REASON_CONSTANT_CLASSES.contains(file.getFileName().toString())) {
        Matcher m = CONSTANT.matcher(source);
        while (m.find()) {
          reasons.add(m.group(1));
        }
      }
    }
    return reasons;
  }
}
