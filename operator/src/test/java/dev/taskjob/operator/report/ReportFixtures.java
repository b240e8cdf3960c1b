package dev.taskjob.operator.report;

import dev.taskjob.core.stats.ElapsedTimeStats;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A finished job of 100 tasks over ten minutes, with every chart series visible on its own for a while. */
final class ReportFixtures {

  static final Instant START = Instant.parse("2026-01-05T10:00:00Z");

  private ReportFixtures() {}

  static ReportData finishedJob() {
    List<TimelineSample> samples = new ArrayList<>();
    // Minute 0-3: two instances booting. 3-9: two running, four tasks at a time. 9-10: terminating.
    samples.add(new TimelineSample(START, 0, 0, 0, 2, 0, 0, 0.0));
    for (int minute = 3; minute <= 9; minute++) {
      long done = (minute - 3) * 18L;
      samples.add(new TimelineSample(START.plusSeconds(60L * minute), minute == 9 ? 0 : 4,
          Math.min(90, done * 9 / 10), Math.min(10, done / 10), 0, minute == 9 ? 0 : 2, minute == 9 ? 2 : 0,
          0.002 * (minute - 2)));
    }
    samples.add(new TimelineSample(START.plusSeconds(600), 0, 90, 10, 0, 0, 0, 0.016));
    ElapsedTimeStats elapsed = new ElapsedTimeStats();
    for (int i = 0; i < 100; i++) {
      elapsed.record(1.0 + (i % 10) * 0.3 + (i % 3) * 0.05);
    }
    return new ReportData("research", "frames", "Failed", 100, 90, 10, 3, 1, 0, START, START.plusSeconds(600),
        "local-2", false, 0.02, List.of("local-4", "local-8"), 0.016, samples,
        "Sampled from the job's status every second while this run watched it.", elapsed,
        List.of(new ReportData.Failure("frame-0007", "failed with exit code 2: <script>alert(1)</script> & more"),
            new ReportData.Failure("frame-0042", "timed out after 30s")),
        List.of(new ReportData.ConditionLine("Failed", "True", "TasksFailed", "10 of 100 tasks failed")));
  }
}
