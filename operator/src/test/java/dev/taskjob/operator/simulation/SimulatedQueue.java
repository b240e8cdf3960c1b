package dev.taskjob.operator.simulation;

import dev.taskjob.operator.reconciler.pool.ManualClock;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.core.queue.LeasedTask;
import dev.taskjob.core.queue.QueueDepth;
import dev.taskjob.core.queue.QueueException;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.ReceivedEvent;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.core.task.Task;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A job's queues in memory, with the semantics of {@link TaskQueue}: a received task is leased and
 * comes back when its lease lapses or it is released; a message delivered {@code maxAttempts} times
 * (the job's interruption allowance) without an ack moves to the dead-letter queue. Receives, sends and depth are throttled at the
 * lifetime's rate. A received event stays hidden for {@link #EVENT_REDELIVERY} unless acked, as the
 * providers' event queues keep it.
 */
final class SimulatedQueue implements TaskQueue {

  private static final class Entry {
    final Task task;
    int deliveries;
    Instant leasedUntil;
    String receipt;

    Entry(Task task) {
      this.task = task;
    }
  }

  private final QueueSettings settings;
  private final ManualClock clock;
  private final SplittableRandom random;
  private final Faults faults;
  private final Deque<Entry> waiting = new ArrayDeque<>();
  private final Map<String, Entry> leased = new LinkedHashMap<>();
  private final Map<String, Entry> dead = new LinkedHashMap<>();
  /** The providers' event lease (the local queue's, SQS's visibility timeout, Pub/Sub's ack deadline). */
  static final Duration EVENT_REDELIVERY = Duration.ofSeconds(60);

  private final Map<String, TaskEvent> events = new LinkedHashMap<>();
  /** Events received and not acked: hidden until then. */
  private final Map<String, Instant> eventsHiddenUntil = new HashMap<>();
  private boolean exists;
  private long nextReceipt;
  /** Sends still to refuse whatever the throttle rate (a test's refused re-sends). */
  private int sendsToRefuse;

  SimulatedQueue(QueueSettings settings, ManualClock clock, SplittableRandom random, Faults faults) {
    this.settings = settings;
    this.clock = clock;
    this.random = random;
    this.faults = faults;
  }

  @Override
  public QueueSettings settings() {
    return settings;
  }

  @Override
  public void ensure() {
    throttleMaybe("ensure");
    exists = true;
  }

  @Override
  public boolean exists() {
    return exists;
  }

  @Override
  public void delete() {
    throttleMaybe("delete");
    exists = false;
    waiting.clear();
    leased.clear();
    dead.clear();
    events.clear();
    eventsHiddenUntil.clear();
  }

  @Override
  public void send(List<Task> tasks) {
    requireExists();
    throttleMaybe("send");
    if (sendsToRefuse > 0) {
      sendsToRefuse--;
      throw new QueueException("send: throttled", true);
    }
    tasks.forEach(t -> waiting.addLast(new Entry(t)));
  }

  @Override
  public List<LeasedTask> receive(int maxTasks, Duration wait) {
    requireExists();
    throttleMaybe("receive");
    expireLeases();
    List<LeasedTask> out = new ArrayList<>();
    while (out.size() < maxTasks && !waiting.isEmpty()) {
      Entry e = waiting.removeFirst();
      if (e.deliveries >= settings.maxAttempts()) {
        e.receipt = "dl-" + (++nextReceipt);
        dead.put(e.receipt, e);
        continue;
      }
      e.deliveries++;
      e.receipt = "r-" + (++nextReceipt);
      e.leasedUntil = clock.instant().plus(settings.leaseDuration());
      leased.put(e.receipt, e);
      out.add(new LeasedTask(e.task, e.deliveries, e.receipt));
    }
    return out;
  }

  @Override
  public void extendLease(LeasedTask task, Duration leaseFromNow) {
    requireExists();
    Entry e = leased.get(task.receipt());
    if (e != null) {
      e.leasedUntil = clock.instant().plus(leaseFromNow);
    }
  }

  @Override
  public void ack(LeasedTask task) {
    requireExists();
    if (leased.remove(task.receipt()) == null) {
      dead.remove(task.receipt());
    }
  }

  @Override
  public void release(LeasedTask task) {
    requireExists();
    Entry e = leased.remove(task.receipt());
    if (e != null) {
      waiting.addLast(e);
    }
  }

  @Override
  public QueueDepth depth() {
    requireExists();
    throttleMaybe("depth");
    expireLeases();
    return new QueueDepth(waiting.size(), leased.size(), dead.size());
  }

  @Override
  public void purge() {
    requireExists();
    waiting.clear();
    leased.clear();
  }

  @Override
  public void publishEvents(List<TaskEvent> published) {
    requireExists();
    throttleMaybe("publish");
    published.forEach(e -> events.put("e-" + (++nextReceipt), e));
  }

  @Override
  public List<ReceivedEvent> receiveEvents(int maxEvents, Duration wait) {
    requireExists();
    throttleMaybe("receive events");
    List<ReceivedEvent> out = new ArrayList<>();
    Instant now = clock.instant();
    for (Map.Entry<String, TaskEvent> e : events.entrySet()) {
      if (out.size() == maxEvents) {
        break;
      }
      Instant hidden = eventsHiddenUntil.get(e.getKey());
      if (hidden != null && now.isBefore(hidden)) {
        continue;
      }
      eventsHiddenUntil.put(e.getKey(), now.plus(EVENT_REDELIVERY));
      out.add(new ReceivedEvent(e.getValue(), e.getKey()));
    }
    return out;
  }

  @Override
  public void ackEvents(List<ReceivedEvent> acked) {
    requireExists();
    acked.forEach(e -> {
      events.remove(e.receipt());
      eventsHiddenUntil.remove(e.receipt());
    });
  }

  @Override
  public Duration eventRedelivery() {
    return EVENT_REDELIVERY;
  }

  @Override
  public List<LeasedTask> receiveDeadLetters(int maxTasks, Duration wait) {
    requireExists();
    expireLeases();
    List<LeasedTask> out = new ArrayList<>();
    for (Entry e : dead.values()) {
      if (out.size() == maxTasks) {
        break;
      }
      out.add(new LeasedTask(e.task, e.deliveries, e.receipt));
    }
    return out;
  }

  @Override
  public void close() {}

  /** The next {@code count} sends are refused as throttled. */
  void refuseNextSends(int count) {
    sendsToRefuse = count;
  }

  /** Leased tasks whose lease lapsed go back to waiting, as their worker died or went silent. */
  private void expireLeases() {
    Instant now = clock.instant();
    for (Iterator<Entry> it = leased.values().iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (!now.isBefore(e.leasedUntil)) {
        it.remove();
        waiting.addLast(e);
      }
    }
  }

  private void requireExists() {
    if (!exists) {
      throw new QueueException("queue " + settings.name() + " does not exist", false);
    }
  }

  private void throttleMaybe(String call) {
    if (random.nextDouble() < faults.queueThrottleRate && faults.inject(Faults.Kind.QUEUE_THROTTLED)) {
      throw new QueueException(call + ": throttled", true);
    }
  }
}
