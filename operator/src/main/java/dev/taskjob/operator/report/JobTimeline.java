package dev.taskjob.operator.report;

import java.util.ArrayList;
import java.util.List;

/**
 * The samples of one job taken while something watched it (a local run polls its jobs every second). Only
 * changes are kept, so a quiet hour costs one sample; the report draws each count as a step that holds
 * until the next sample.
 */
public final class JobTimeline {

  private final List<TimelineSample> samples = new ArrayList<>();

  /** Adds {@code sample} unless its counts equal the last one's; samples must come in time order. */
  public synchronized void record(TimelineSample sample) {
    if (!samples.isEmpty()) {
      TimelineSample last = samples.get(samples.size() - 1);
      if (sample.at().isBefore(last.at())) {
        throw new IllegalArgumentException("sample at " + sample.at() + " is older than the last one, " + last.at());
      }
      if (sample.sameCounts(last)) {
        return;
      }
    }
    samples.add(sample);
  }

  public synchronized List<TimelineSample> samples() {
    return List.copyOf(samples);
  }
}
