package dev.taskjob.operator.report;

import com.google.common.html.HtmlEscapers;
import dev.taskjob.core.stats.ElapsedTimeStats;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.function.ToDoubleFunction;

/**
 * A job's report as one self-contained HTML page: inline CSS and SVG drawn here, no script and nothing
 * loaded from anywhere, so it opens offline and can be mailed or archived as one file.
 */
public final class HtmlReport {

  /** Series colours; each is used by one series only, so a rendering test can find every series by colour. */
  public static final String TASKS_RUNNING = "#1f77b4";
  public static final String TASKS_SUCCEEDED = "#2ca02c";
  public static final String TASKS_FAILED = "#d62728";
  public static final String INSTANCES_PENDING = "#ff7f0e";
  public static final String INSTANCES_RUNNING = "#9467bd";
  public static final String INSTANCES_TERMINATING = "#8c564b";
  public static final String COST = "#17becf";
  public static final String HISTOGRAM = "#bcbd22";

  static final int WIDTH = 760;
  static final int HEIGHT = 240;
  private static final int LEFT = 70;
  private static final int RIGHT = WIDTH - 20;
  private static final int TOP = 30;
  private static final int BOTTOM = HEIGHT - 40;
  private static final int HISTOGRAM_BINS = 20;

  private HtmlReport() {}

  /** One series of a chart: its name, colour, and value at each sample. */
  record Series(String name, String color, ToDoubleFunction<TimelineSample> value, boolean steps) {}

  public static String render(ReportData r) {
    StringBuilder h = new StringBuilder(16_384);
    String title = "TaskJob " + r.namespace() + "/" + r.name();
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
        .append(esc(title)).append(" report</title>\n<style>\n")
        .append("body{font-family:sans-serif;margin:24px;color:#222;max-width:820px}")
        .append("h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}")
        .append("table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}")
        .append("th{background:#f3f3f3}.num{text-align:right}.note{color:#666;font-size:.85em}")
        .append("svg.chart{display:block;margin:8px 0;background:#fff}")
        .append("svg text{font-family:sans-serif;font-size:11px;fill:#444}")
        .append("\n</style>\n</head>\n<body>\n");
    h.append("<h1>").append(esc(title)).append(": ").append(esc(r.phase())).append("</h1>\n");
    summary(h, r);

    List<TimelineSample> samples = r.timeline();
    Instant from = samples.isEmpty() ? r.start() : min(r.start(), samples.get(0).at());
    Instant to = samples.isEmpty() ? r.end() : max(r.end(), samples.get(samples.size() - 1).at());
    h.append("<h2>Tasks over time</h2>\n");
    h.append(timeChart("chart-tasks", "tasks", samples, from, to, List.of(
        new Series("running", TASKS_RUNNING, s -> s.tasksRunning(), true),
        new Series("succeeded", TASKS_SUCCEEDED, s -> s.tasksSucceeded(), true),
        new Series("failed", TASKS_FAILED, s -> s.tasksFailed(), true)), false));
    h.append("<h2>Instances by state</h2>\n");
    h.append(timeChart("chart-instances", "instances", samples, from, to, List.of(
        new Series("pending", INSTANCES_PENDING, s -> s.instancesPending(), true),
        new Series("running", INSTANCES_RUNNING, s -> s.instancesRunning(), true),
        new Series("terminating", INSTANCES_TERMINATING, s -> s.instancesTerminating(), true)), false));
    h.append("<h2>Cost accrued (USD)</h2>\n");
    h.append(timeChart("chart-cost", "USD", samples, from, to, List.of(
        new Series("cost so far", COST, TimelineSample::costSoFar, false)), true));
    h.append("<p class=\"note\">").append(esc(r.timelineSource())).append("</p>\n");

    h.append("<h2>Elapsed time per task</h2>\n");
    if (r.elapsed() == null || r.elapsed().count() == 0) {
      h.append("<p>No task has finished yet, so there are no elapsed times.</p>\n");
    } else {
      h.append(histogram(r.elapsed()));
      h.append("<pre>").append(esc(r.elapsed().format(""))).append("</pre>\n");
    }
    instanceTypes(h, r);
    failures(h, r);
    conditions(h, r);
    h.append("</body>\n</html>\n");
    return h.toString();
  }

  private static void summary(StringBuilder h, ReportData r) {
    h.append("<table id=\"summary\">\n");
    row(h, "Tasks", r.total() + " total, " + r.succeeded() + " succeeded, " + r.failed() + " failed, "
        + Math.max(0, r.total() - r.succeeded() - r.failed()) + " not finished");
    row(h, "Retried, duplicates, dead-lettered", r.retried() + ", " + r.duplicates() + ", " + r.deadLettered());
    if (r.start() != null) {
      row(h, "Started", r.start().toString());
      row(h, "Ran for", duration(Duration.between(r.start(), r.end())));
    }
    row(h, "Cost so far", String.format(Locale.ROOT, "$%.4f", r.costSoFar()));
    h.append("</table>\n");
  }

  private static void instanceTypes(StringBuilder h, ReportData r) {
    h.append("<h2>Instance type</h2>\n");
    if (r.instanceType() == null) {
      h.append("<p>No instance type was chosen.</p>\n");
      return;
    }
    h.append("<table id=\"instance-types\">\n<tr><th>rank</th><th>type</th><th></th></tr>\n");
    h.append("<tr><td class=\"num\">1</td><td>").append(esc(r.instanceType())).append("</td><td>chosen")
        .append(r.spot() ? ", spot" : "")
        .append(r.pricePerHour() == null ? "" : String.format(Locale.ROOT, ", $%.4f/hour each", r.pricePerHour()))
        .append("</td></tr>\n");
    for (int i = 0; i < r.runnerUps().size(); i++) {
      h.append("<tr><td class=\"num\">").append(i + 2).append("</td><td>").append(esc(r.runnerUps().get(i)))
          .append("</td><td>runner-up, tried in this order when the cloud has no capacity</td></tr>\n");
    }
    h.append("</table>\n<p class=\"note\">Ranked by price per task slot among the types that meet the job's"
        + " constraints; <code>taskjob instance-types --explain</code> says why other types were left out.</p>\n");
  }

  private static void failures(StringBuilder h, ReportData r) {
    h.append("<h2>Failed tasks (").append(r.failed()).append(")</h2>\n");
    if (r.failures().isEmpty()) {
      h.append(r.failed() == 0 ? "<p>None.</p>\n" : "<p>The ledger lists none of them.</p>\n");
      return;
    }
    h.append("<table id=\"failures\">\n<tr><th>task</th><th>reason</th></tr>\n");
    r.failures().forEach(f -> h.append("<tr><td>").append(esc(f.taskId())).append("</td><td>")
        .append(esc(f.reason())).append("</td></tr>\n"));
    h.append("</table>\n");
    if (r.failed() > r.failures().size()) {
      h.append("<p class=\"note\">").append(r.failed() - r.failures().size())
          .append(" more failed; the ledger keeps the first ones only.</p>\n");
    }
  }

  private static void conditions(StringBuilder h, ReportData r) {
    if (r.conditions().isEmpty()) {
      return;
    }
    h.append("<h2>Conditions</h2>\n<table id=\"conditions\">\n"
        + "<tr><th>type</th><th>status</th><th>reason</th><th>message</th></tr>\n");
    r.conditions().forEach(c -> h.append("<tr><td>").append(esc(c.type())).append("</td><td>")
        .append(esc(c.status())).append("</td><td>").append(esc(c.reason())).append("</td><td>")
        .append(esc(c.message())).append("</td></tr>\n"));
    h.append("</table>\n");
  }

  /** A time chart: step lines (counts) or straight segments (cost), each held flat to {@code to}. */
  static String timeChart(String id, String unit, List<TimelineSample> samples, Instant from, Instant to,
      List<Series> series, boolean money) {
    double maxValue = 0;
    for (TimelineSample s : samples) {
      for (Series se : series) {
        maxValue = Math.max(maxValue, se.value().applyAsDouble(s));
      }
    }
    double yMax = niceCeiling(maxValue, money);
    double seconds = Math.max(1, Duration.between(from, to).toMillis() / 1000.0);
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT,
        "<svg class=\"chart\" id=\"%s\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">%n",
        id, WIDTH, HEIGHT, WIDTH, HEIGHT));
    legend(svg, series.stream().map(s -> new String[] {s.name(), s.color()}).toList());
    axes(svg, yMax, money, seconds, unit);
    for (Series se : series) {
      if (samples.isEmpty()) {
        continue;
      }
      StringBuilder d = new StringBuilder();
      for (int i = 0; i < samples.size(); i++) {
        TimelineSample s = samples.get(i);
        int x = x(Duration.between(from, s.at()).toMillis() / 1000.0, seconds);
        int y = y(se.value().applyAsDouble(s), yMax);
        if (i == 0) {
          d.append("M").append(x).append(',').append(y);
        } else if (se.steps()) {
          d.append(" H").append(x).append(" V").append(y);
        } else {
          d.append(" L").append(x).append(',').append(y);
        }
      }
      d.append(" H").append(RIGHT);
      svg.append("<path d=\"").append(d).append("\" fill=\"none\" stroke=\"").append(se.color())
          .append("\" stroke-width=\"2\" shape-rendering=\"crispEdges\"><title>").append(esc(se.name()))
          .append("</title></path>\n");
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  /** The elapsed-time histogram: the ledger's 1% buckets regrouped into equal-width bars. */
  static String histogram(ElapsedTimeStats stats) {
    NavigableMap<Double, Long> buckets = stats.countsByBucketMidpoint();
    double low = Math.min(stats.min(), buckets.firstKey());
    double high = Math.max(stats.max(), buckets.lastKey());
    int bins = high - low < 1e-9 ? 1 : HISTOGRAM_BINS;
    double width = bins == 1 ? 1 : (high - low) / bins;
    long[] counts = new long[bins];
    for (Map.Entry<Double, Long> e : buckets.entrySet()) {
      int bin = bins == 1 ? 0 : (int) Math.min(bins - 1, Math.max(0, Math.floor((e.getKey() - low) / width)));
      counts[bin] += e.getValue();
    }
    long maxCount = 0;
    for (long c : counts) {
      maxCount = Math.max(maxCount, c);
    }
    double yMax = niceCeiling(maxCount, false);
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT,
        "<svg class=\"chart\" id=\"chart-elapsed\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">%n",
        WIDTH, HEIGHT, WIDTH, HEIGHT));
    legend(svg, List.<String[]>of(new String[] {"tasks per elapsed-time range", HISTOGRAM}));
    yAxis(svg, yMax, false, "tasks");
    double barWidth = (RIGHT - LEFT) / (double) bins;
    for (int i = 0; i < bins; i++) {
      if (counts[i] == 0) {
        continue;
      }
      int x0 = (int) Math.round(LEFT + i * barWidth) + 1;
      int x1 = (int) Math.round(LEFT + (i + 1) * barWidth) - 1;
      int top = y(counts[i], yMax);
      svg.append(String.format(Locale.ROOT,
          "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" shape-rendering=\"crispEdges\">"
              + "<title>%s to %s s: %d</title></rect>%n",
          x0, top, Math.max(1, x1 - x0), Math.max(1, BOTTOM - top), HISTOGRAM, seconds(low + i * width),
          seconds(low + (i + 1) * width), counts[i]));
    }
    int labels = bins == 1 ? 1 : 4;
    for (int i = 0; i <= labels; i++) {
      double v = bins == 1 ? low : low + (high - low) * i / labels;
      int x = bins == 1 ? (LEFT + RIGHT) / 2 : (int) Math.round(LEFT + (RIGHT - LEFT) * (double) i / labels);
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s s</text>%n",
          x, BOTTOM + 16, seconds(v)));
    }
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">elapsed time</text>%n",
        (LEFT + RIGHT) / 2, BOTTOM + 32));
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static void legend(StringBuilder svg, List<String[]> entries) {
    int x = LEFT;
    for (String[] e : entries) {
      svg.append(String.format(Locale.ROOT,
          "<rect x=\"%d\" y=\"8\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"17\">%s</text>%n",
          x, e[1], x + 14, esc(e[0])));
      x += 24 + 7 * e[0].length();
    }
  }

  private static void axes(StringBuilder svg, double yMax, boolean money, double seconds, String unit) {
    yAxis(svg, yMax, money, unit);
    double step = niceTimeStep(seconds);
    for (double t = 0; t <= seconds + 1e-9; t += step) {
      int x = x(t, seconds);
      svg.append(String.format(Locale.ROOT,
          "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/><text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
          x, BOTTOM, x, BOTTOM + 4, x, BOTTOM + 16, clock(t)));
    }
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">time since start</text>%n",
        (LEFT + RIGHT) / 2, BOTTOM + 32));
  }

  private static void yAxis(StringBuilder svg, double yMax, boolean money, String unit) {
    svg.append(String.format(Locale.ROOT,
        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>%n",
        LEFT, TOP, LEFT, BOTTOM, LEFT, BOTTOM, RIGHT, BOTTOM));
    for (int i = 0; i <= 4; i++) {
      double v = yMax * i / 4;
      int y = y(v, yMax);
      svg.append(String.format(Locale.ROOT,
          "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eee\"/><text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
          LEFT + 1, y, RIGHT, y, LEFT - 6, y + 4, money ? String.format(Locale.ROOT, "%.4f", v) : number(v)));
    }
    svg.append(String.format(Locale.ROOT,
        "<text x=\"14\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 14 %d)\">%s</text>%n",
        (TOP + BOTTOM) / 2, (TOP + BOTTOM) / 2, esc(unit)));
  }

  private static int x(double secondsSinceStart, double totalSeconds) {
    return (int) Math.round(LEFT + (RIGHT - LEFT) * Math.max(0, secondsSinceStart) / totalSeconds);
  }

  private static int y(double value, double yMax) {
    return (int) Math.round(BOTTOM - (BOTTOM - TOP) * value / yMax);
  }

  /** The smallest 1, 2 or 5 times a power of ten at or above {@code value} (whole numbers for counts). */
  static double niceCeiling(double value, boolean fractional) {
    if (value <= 0) {
      return fractional ? 0.0001 : 1;
    }
    double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * magnitude >= value - 1e-12) {
        double nice = m * magnitude;
        return fractional ? nice : Math.max(1, Math.ceil(nice));
      }
    }
    return value;
  }

  /** A tick spacing that gives between 3 and 10 ticks over {@code seconds}. */
  static double niceTimeStep(double seconds) {
    double[] steps = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400};
    for (double step : steps) {
      if (seconds / step <= 8) {
        return step;
      }
    }
    return Math.ceil(seconds / 8 / 86400) * 86400;
  }

  static String clock(double seconds) {
    long s = Math.round(seconds);
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh%02d", s / 3600, (s % 3600) / 60);
  }

  private static String duration(Duration d) {
    return clock(d.toMillis() / 1000.0) + (d.toSeconds() < 60 ? "" : d.toSeconds() < 3600 ? " (min:s)" : "");
  }

  private static String number(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String seconds(double v) {
    return String.format(Locale.ROOT, v < 10 ? "%.2f" : "%.1f", v);
  }

  private static void row(StringBuilder h, String label, String value) {
    h.append("<tr><th>").append(esc(label)).append("</th><td>").append(esc(value)).append("</td></tr>\n");
  }

  private static Instant min(Instant a, Instant b) {
    return a == null ? b : a.isBefore(b) ? a : b;
  }

  private static Instant max(Instant a, Instant b) {
    return a == null ? b : a.isAfter(b) ? a : b;
  }

  static String esc(String text) {
    return text == null ? "" : HtmlEscapers.htmlEscaper().escape(text);
  }

}
