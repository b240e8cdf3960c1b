package dev.taskjob.operator.reconciler.job;

import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.operator.ledger.Ledger;
import dev.taskjob.operator.progress.Heartbeats;
import dev.taskjob.operator.progress.JobProgress;
import dev.taskjob.provider.local.LocalTaskQueue;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The operator's event path at fleet scale: a simulated fleet of VMs reports task events in real time (one
 * simulated second per second) into a job's event queue, and the job's real {@link EventConsumer} reads
 * them, applies them to the job's {@link JobProgress} and {@link Ledger}, saves the encoded ledger every
 * save interval and acknowledges, exactly as the TaskJob reconciler runs it (the save encodes the ledger
 * ConfigMap's contents; only the write to the API server is left out). Reports the operator's CPU per event
 * and the backlog (events sent and not yet read) each second: the operator keeps up when the backlog stays
 * flat. It lives in the consumer's package because the consumer is package-private.
 *
 * <p>{@code [--vms 1000] [--slots 32] [--task-seconds 10] [--duration 60] [--queue memory|local]
 * [--save-interval 2] [--event-wait 5] [--root bench/target/event-path]}; durations in seconds. The
 * {@code memory} queue passes events as JSON in memory (the operator's side alone); {@code local} is the
 * directory queue of {@code taskjob local}, with the simulated workers' writes in the same JVM.
 */
public final class EventPathBenchmark {

  private static final String JOB = "bench/event-path";
  private static final Duration TICK = Duration.ofMillis(10);
  private static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(60);
  /** After the fleet's last event, how long the consumer may take to read what is left. */
  private static final Duration DRAIN_LIMIT = Duration.ofSeconds(120);

  record Options(int vms, int slots, Duration task, Duration run, String queue, Duration saveInterval,
      Duration eventWait, Path root) {

    static Options parse(String[] args) {
      int vms = 1000;
      int slots = 32;
      Duration task = Duration.ofSeconds(10);
      Duration run = Duration.ofSeconds(60);
      String queue = "memory";
      Duration saveInterval = Duration.ofSeconds(2);
      Duration eventWait = Duration.ofSeconds(5);
      Path root = Path.of("bench/target/event-path");
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--vms" -> vms = Integer.parseInt(args[++i]);
          case "--slots" -> slots = Integer.parseInt(args[++i]);
          case "--task-seconds" -> task = seconds(args[++i]);
          case "--duration" -> run = seconds(args[++i]);
          case "--queue" -> queue = args[++i];
          case "--save-interval" -> saveInterval = seconds(args[++i]);
          case "--event-wait" -> eventWait = seconds(args[++i]);
          case "--root" -> root = Path.of(args[++i]);
          default -> throw new IllegalArgumentException("unknown argument " + args[i]);
        }
      }
      if (!queue.equals("memory") && !queue.equals("local")) {
        throw new IllegalArgumentException("--queue is memory or local, was " + queue);
      }
      return new Options(vms, slots, task, run, queue, saveInterval, eventWait, root);
    }

    private static Duration seconds(String text) {
      return Duration.ofMillis(Math.round(Double.parseDouble(text) * 1000));
    }
  }

  /** One sample a simulated second: events sent and read so far, and the CPU used so far. */
  record Sample(long second, long sent, long received, long consumerCpuNanos, long processCpuNanos,
      long fleetCpuNanos) {

    long backlog() {
      return sent - received;
    }
  }

  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    Instant epoch = Instant.now();
    SimulatedFleet fleet = new SimulatedFleet(JOB, options.vms(), options.slots(), options.task(), HEARTBEAT_INTERVAL,
        options.run(), epoch);
    QueueSettings settings = new QueueSettings("event-path-" + epoch.toEpochMilli(), Duration.ofMinutes(1), 3);
    TaskQueue inner = options.queue().equals("local")
        ? new LocalTaskQueue(options.root().toAbsolutePath(), settings) : new MemoryEventQueue(settings);
    inner.ensure();
    CountingEventQueue queue = new CountingEventQueue(inner);
    long total = fleet.tasksStarted();
    JobProgress progress = new JobProgress(new Ledger(total), new Heartbeats(), Duration.ofMinutes(5));
    AtomicLong saves = new AtomicLong();
    AtomicLong largestSave = new AtomicLong();
    EventConsumer consumer = new EventConsumer(JOB, queue, progress, image -> {
      long bytes = image.summary().length();
      for (byte[] value : image.binaryData().values()) {
        bytes += value.length;
      }
      saves.incrementAndGet();
      largestSave.accumulateAndGet(bytes, Math::max);
    }, () -> { }, options.eventWait(), options.saveInterval(), Clock.systemUTC());
    System.err.printf(Locale.ROOT, "%d VMs x %d slots, %s tasks, %s run: %,d tasks, %.0f events/s at full pace, queue %s%n",
        options.vms(), options.slots(), options.task(), options.run(), total, fleet.steadyEventsPerSecond(),
        options.queue());

    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    consumer.start();
    long consumerThread = threadId("events-" + JOB);
    long fleetThread = Thread.currentThread().getId();
    List<Sample> samples = new ArrayList<>();
    long start = System.nanoTime();
    long wallLimit = options.run().plus(options.task()).plus(DRAIN_LIMIT).toNanos();
    long nextSample = 0;
    List<TaskEvent> due = new ArrayList<>();
    while (!fleet.finished() && System.nanoTime() - start < wallLimit) {
      long now = System.nanoTime() - start;
      fleet.eventsUntil(now, due);
      for (int from = 0; from < due.size(); from += 100) {
        queue.publishEvents(due.subList(from, Math.min(due.size(), from + 100)));
      }
      due.clear();
      if (now >= nextSample) {
        long second = now / 1_000_000_000L; // seconds this thread was not scheduled get no sample
        samples.add(sample(second, queue, threads, consumerThread, fleetThread, os));
        nextSample = (second + 1) * 1_000_000_000L;
      }
      Thread.sleep(TICK.toMillis());
    }
    long fleetDone = System.nanoTime();
    long backlogAtFleetEnd = queue.sent() - queue.received();
    while (queue.received() < queue.sent() && System.nanoTime() - fleetDone < DRAIN_LIMIT.toNanos()) {
      Thread.sleep(TICK.toMillis());
    }
    long drained = System.nanoTime();
    samples.add(sample(Math.round((drained - start) / 1e9), queue, threads, consumerThread, fleetThread, os));
    consumer.close();
    JobProgress.Snapshot snapshot = progress.snapshot(Instant.now());
    report(options, fleet, samples, backlogAtFleetEnd, (drained - fleetDone) / 1e9, snapshot, saves.get(), largestSave.get(),
        queue.acked(), os.getSystemLoadAverage());
    inner.delete();
    inner.close();
  }

  private static Sample sample(long second, CountingEventQueue queue, ThreadMXBean threads, long consumerThread,
      long fleetThread, com.sun.management.OperatingSystemMXBean os) {
    return new Sample(second, queue.sent(), queue.received(), threads.getThreadCpuTime(consumerThread),
        os.getProcessCpuTime(), threads.getThreadCpuTime(fleetThread));
  }

  private static long threadId(String name) {
    for (int attempt = 0; attempt < 1000; attempt++) {
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if (t.getName().equals(name)) {
          return t.getId();
        }
      }
      Thread.onSpinWait();
    }
    throw new IllegalStateException("no thread named " + name);
  }

  private static void report(Options options, SimulatedFleet fleet, List<Sample> samples, long backlogAtFleetEnd,
      double drainSeconds,
      JobProgress.Snapshot snapshot, long saves, long largestSave, long acked, double load) {
    long steadyFrom = options.task().toSeconds();
    long steadyTo = options.run().toSeconds();
    Sample first = at(samples, steadyFrom);
    Sample last = at(samples, steadyTo);
    Sample end = samples.get(samples.size() - 1);
    long steadyEvents = last.received() - first.received();
    System.out.println("second  sent  read  backlog  consumer-cpu-s");
    for (Sample s : samples) {
      if (s.second() % 5 == 0 || s == end) {
        System.out.printf(Locale.ROOT, "%6d %,9d %,9d %,7d %8.2f%n", s.second(), s.sent(), s.received(), s.backlog(),
            s.consumerCpuNanos() / 1e9);
      }
    }
    long maxBacklog = 0;
    long maxBacklogLateHalf = 0;
    for (Sample s : samples) {
      if (s.second() >= steadyFrom && s.second() <= steadyTo) {
        maxBacklog = Math.max(maxBacklog, s.backlog());
        if (s.second() >= (steadyFrom + steadyTo) / 2) {
          maxBacklogLateHalf = Math.max(maxBacklogLateHalf, s.backlog());
        }
      }
    }
    double eventsPerSecond = fleet.steadyEventsPerSecond();
    boolean keepsUp = last.backlog() <= eventsPerSecond && maxBacklogLateHalf <= Math.max(eventsPerSecond, maxBacklog);
    System.out.printf(Locale.ROOT, "steady window %d-%d s: %,d events read, %.0f events/s (fleet sends %.0f/s)%n",
        steadyFrom, steadyTo, steadyEvents, steadyEvents / (double) (steadyTo - steadyFrom), eventsPerSecond);
    System.out.printf(Locale.ROOT, "operator CPU per event (consumer thread): %.1f us; whole JVM less the fleet: %.1f us%n",
        perEvent(last.consumerCpuNanos() - first.consumerCpuNanos(), steadyEvents),
        perEvent((last.processCpuNanos() - first.processCpuNanos()) - (last.fleetCpuNanos() - first.fleetCpuNanos()),
            steadyEvents));
    System.out.printf(Locale.ROOT, "cores needed for the fleet's rate (consumer thread): %.2f; the consumer thread got %.2f, "
            + "the simulated fleet (encoding events) %.2f%n",
        perEvent(last.consumerCpuNanos() - first.consumerCpuNanos(), steadyEvents) * eventsPerSecond / 1e6,
        (last.consumerCpuNanos() - first.consumerCpuNanos()) / 1e9 / (steadyTo - steadyFrom),
        (last.fleetCpuNanos() - first.fleetCpuNanos()) / 1e9 / (steadyTo - steadyFrom));
    System.out.printf(Locale.ROOT, "backlog in the steady window: max %,d events, at its end %,d; keeps up: %s%n",
        maxBacklog, last.backlog(), keepsUp ? "yes" : "NO");
    System.out.printf(Locale.ROOT, "after the fleet's last event: read the %,d left in %.2f s (%.0f events/s with the "
            + "fleet idle); %,d of %,d events acknowledged%n",
        backlogAtFleetEnd, drainSeconds, backlogAtFleetEnd / Math.max(drainSeconds, 1e-3), acked, end.sent());
    System.out.printf(Locale.ROOT, "ledger: %,d of %,d tasks succeeded, %,d duplicates; %,d saves, largest %,d bytes%n",
        snapshot.succeeded(), snapshot.total(), snapshot.duplicates(), saves, largestSave);
    System.out.printf(Locale.ROOT, "load average at the end: %.1f on %d cores%n", load,
        Runtime.getRuntime().availableProcessors());
  }

  private static Sample at(List<Sample> samples, long second) {
    Sample found = samples.get(0);
    for (Sample s : samples) {
      if (s.second() <= second) {
        found = s;
      }
    }
    return found;
  }

  private static double perEvent(long nanos, long events) {
    return events == 0 ? Double.NaN : nanos / 1e3 / events;
  }
}
