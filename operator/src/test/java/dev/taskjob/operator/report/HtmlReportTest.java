package dev.taskjob.operator.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class HtmlReportTest {

  @Test
  void pageHasEveryChartTheFailuresAndTheTypeChoice() {
    String html = HtmlReport.render(ReportFixtures.finishedJob());

    assertThat(html).contains("<title>TaskJob research/frames report</title>",
        "id=\"chart-tasks\"", "id=\"chart-instances\"", "id=\"chart-cost\"", "id=\"chart-elapsed\"",
        "100 total, 90 succeeded, 10 failed, 0 not finished", "Failed tasks (10)", "frame-0042",
        "timed out after 30s", "10 of 100 tasks failed", "Sampled from the job&#39;s status");
    assertThat(html).containsSubsequence("<td>local-2</td><td>chosen, $0.0200/hour each",
        "<td>local-4</td><td>runner-up", "<td>local-8</td><td>runner-up");
    assertThat(html).contains("8 more failed; the ledger keeps the first ones only.");
  }

  @Test
  void textFromTasksIsEscaped() {
    String html = HtmlReport.render(ReportFixtures.finishedJob());

    assertThat(html).doesNotContain("<script").contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more");
  }

  @Test
  void pageLoadsNothingFromOutside() {
    String html = HtmlReport.render(ReportFixtures.finishedJob());

    assertThat(Pattern.compile("(src|href)\\s*=|url\\(|@import|<link|<script", Pattern.CASE_INSENSITIVE)
        .matcher(html).find()).as(html).isFalse();
  }

  @Test
  void jobWithoutSamplesOrFinishedTasksSaysSo() {
    Instant now = ReportFixtures.START;
    ReportData pending = new ReportData("default", "new-job", "Pending", 0, 0, 0, 0, 0, 0, null, now, null, false,
        null, List.of(), 0.0, List.of(TimelineSample.of(now, null, null)), "one sample", null, List.of(), List.of());

    String html = HtmlReport.render(pending);

    assertThat(html).contains("No task has finished yet", "No instance type was chosen.", "<h2>Failed tasks (0)</h2>\n<p>None.</p>")
        .doesNotContain("id=\"chart-elapsed\"");
  }

  @ParameterizedTest(name = "niceCeiling({0}, fractional={1}) = {2}")
  @CsvSource({
      "0, false, 1", "1, false, 1", "3, false, 5", "7, false, 10", "10, false, 10", "11, false, 20",
      "999, false, 1000", "0.3, false, 1", "0, true, 0.0001", "0.0032, true, 0.005", "0.016, true, 0.02"})
  void axisTopsAreRoundNumbers(double value, boolean fractional, double expected) {
    assertThat(HtmlReport.niceCeiling(value, fractional)).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-12));
  }

  @ParameterizedTest(name = "{0} s -> {1}")
  @CsvSource({"0, 0s", "59.4, 59s", "60, 1:00", "605, 10:05", "3600, 1h00", "5430, 1h30"})
  void timeLabels(double seconds, String label) {
    assertThat(HtmlReport.clock(seconds)).isEqualTo(label);
  }

  @ParameterizedTest(name = "{0} s of run -> ticks every {1} s")
  @CsvSource({"5, 1", "40, 5", "600, 120", "7200, 900", "86400, 10800"})
  void timeTicksAreFewAndRound(double seconds, double step) {
    assertThat(HtmlReport.niceTimeStep(seconds)).isEqualTo(step);
  }
}
