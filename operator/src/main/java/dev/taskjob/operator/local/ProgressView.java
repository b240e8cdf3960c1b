package dev.taskjob.operator.local;

import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import java.util.List;
import java.util.Locale;

/**
 * One line per job in the shape {@code kubectl get taskjobs -w} shows: phase, done/total, failures,
 * instances, type, $/hour and ETA; and under it the first error the job's workers reported, once there is one.
 */
public final class ProgressView {

  private static final String FORMAT = "%-28s %-10s %15s %7s %9s %-12s %8s %8s%n";

  private ProgressView() {}

  public static String header() {
    return String.format(Locale.ROOT, FORMAT, "NAME", "PHASE", "DONE/TOTAL", "FAILED", "INSTANCES", "TYPE",
        "$/HOUR", "ETA");
  }

  public static String line(TaskJob job) {
    TaskJobStatus s = job.getStatus() == null ? new TaskJobStatus() : job.getStatus();
    long succeeded = orZero(s.getSucceeded());
    long failed = orZero(s.getFailed());
    String total = s.getTotal() == null ? "?" : Long.toString(s.getTotal());
    String done = (succeeded + failed) + "/" + total;
    return String.format(Locale.ROOT, FORMAT,
        job.getMetadata().getName(),
        s.getPhase() == null ? "Pending" : s.getPhase().displayName(),
        done,
        failed,
        s.getInstancesRunning() == null ? "-" : s.getInstancesRunning() + "/" + orZero(s.getInstancesDesired()),
        s.getInstanceType() == null ? "-" : s.getInstanceType(),
        s.getCostPerHour() == null ? "-" : String.format(Locale.ROOT, "%.4f", s.getCostPerHour()),
        s.getEta() == null ? "-" : s.getEta());
  }

  /**
   * The job's line, followed by the first error its workers reported, when there is one, so the reason
   * tasks fail or workers stop shows while the job runs.
   */
  public static String line(TaskJob job, java.util.Optional<String> firstWorkerError) {
    return line(job) + firstWorkerError.map(error -> "  first worker error: " + shorten(error, 200)
        + System.lineSeparator()).orElse("");
  }

  private static String shorten(String text, int max) {
    String oneLine = text.replaceAll("\\s+", " ").strip();
    return oneLine.length() <= max ? oneLine : oneLine.substring(0, max - 3) + "...";
  }

  /** The lines for all jobs, used to print only when something changed. */
  public static String lines(List<TaskJob> jobs) {
    StringBuilder sb = new StringBuilder();
    jobs.forEach(j -> sb.append(line(j)));
    return sb.toString();
  }

  private static long orZero(Long v) {
    return v == null ? 0 : v;
  }

  private static long orZero(Integer v) {
    return v == null ? 0 : v;
  }
}
