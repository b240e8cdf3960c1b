package dev.taskjob.provider.local;

import dev.taskjob.core.queue.QueueException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One message queue kept in a directory, safe for any number of threads and processes on one machine.
 *
 * <p>Senders write <em>segments</em> (up to {@value #SEGMENT_SIZE} messages, one per line) into
 * {@code pending/}: loading a million tasks writes a thousand files, not a million. A receiver that
 * finds too few ready messages claims the oldest segment with an atomic rename into {@code claimed/}
 * and explodes it into one file per message in {@code active/}; only the working set lives as single
 * files. An active message's file name is {@code <visibleAtMillis>~<attempt>~<messageId>}: a lease is
 * an atomic rename that moves the visibility time forward and counts the attempt, so of two receivers
 * racing for a message exactly one rename succeeds, an expired lease needs no sweeper (its time has
 * passed), and extending a lease that another receiver already took fails.
 *
 * <p>The receipt of a delivery is {@code <attempt>~<messageId>}, stable across extensions.
 */
final class MessageDirectory {

  static final int SEGMENT_SIZE = 1000;
  /** A claimed segment not exploded within this time belongs to a receiver that died mid-way. */
  static final Duration STALE_CLAIM = Duration.ofSeconds(60);

  private static final String SEP = "~";
  private static final int TIME_WIDTH = 13;
  private static final AtomicLong SEGMENT_COUNTER = new AtomicLong();
  private static final String PROCESS_TAG =
      Long.toString(ProcessHandle.current().pid(), 36) + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);

  /** A delivered message. */
  record Message(String body, int attempt, String receipt) {}

  /** Message counts. */
  record Counts(long ready, long leased, long exhausted) {
    long total() {
      return ready + leased + exhausted;
    }
  }

  private final String queueName;
  private final Path dir;
  private final Path pending;
  private final Path claimed;
  private final Path active;
  private final Path tmp;
  /** receipt -> current file name, for leases taken in this process (saves a listing on extend/ack). */
  private final Map<String, String> leases = new ConcurrentHashMap<>();

  MessageDirectory(String queueName, Path dir) {
    this.queueName = queueName;
    this.dir = dir;
    this.pending = dir.resolve("pending");
    this.claimed = dir.resolve("claimed");
    this.active = dir.resolve("active");
    this.tmp = dir.resolve("tmp");
  }

  Path dir() {
    return dir;
  }

  void create() {
    try {
      for (Path p : List.of(pending, claimed, active, tmp)) {
        Files.createDirectories(p);
      }
    } catch (IOException e) {
      throw new QueueException("cannot create queue directory " + dir + ": " + e.getMessage(), false, e);
    }
  }

  boolean exists() {
    return Files.isDirectory(active);
  }

  /** Appends messages (single-line bodies) as segments of up to {@value #SEGMENT_SIZE}. */
  void append(List<String> bodies) {
    for (int from = 0; from < bodies.size(); from += SEGMENT_SIZE) {
      List<String> part = bodies.subList(from, Math.min(bodies.size(), from + SEGMENT_SIZE));
      String segment = newSegmentName() + SEP + part.size();
      Path staged = tmp.resolve(segment);
      try (BufferedWriter out = Files.newBufferedWriter(staged, StandardCharsets.UTF_8,
          StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        for (String body : part) {
          if (body.indexOf('\n') >= 0 || body.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("message body must be one line");
          }
          out.write(body);
          out.write('\n');
        }
      } catch (NoSuchFileException e) {
        throw missing(e);
      } catch (IOException e) {
        deleteQuietly(staged);
        throw new QueueException("cannot write to queue " + queueName + ": " + e.getMessage(), true, e);
      }
      move(staged, pending.resolve(segment));
    }
  }

  /**
   * Leases up to {@code max} messages, waiting up to {@code wait} for the first.
   *
   * @param maxAttempts deliveries after which a message goes to {@code deadLetters} instead (0: unlimited)
   */
  List<Message> receive(int max, Duration lease, Duration wait, int maxAttempts, MessageDirectory deadLetters) {
    return receive(max, lease, wait, maxAttempts, deadLetters, () -> false);
  }

  /**
   * As {@link #receive(int, Duration, Duration, int, MessageDirectory)}, and stops waiting (not in the
   * middle of a claim, which would strand a message until its lease ends) once {@code stop} says so.
   */
  List<Message> receive(int max, Duration lease, Duration wait, int maxAttempts, MessageDirectory deadLetters,
      java.util.function.BooleanSupplier stop) {
    List<Message> got = new ArrayList<>();
    long deadline = System.nanoTime() + Math.max(0, wait.toNanos());
    long sleepMillis = 2;
    int rounds = 0;
    while (true) {
      rounds++;
      takeReady(max - got.size(), lease, maxAttempts, deadLetters, got);
      if (got.size() < max) {
        Path segment = claimOldestSegment();
        if (segment != null) {
          explode(segment, max - got.size(), lease, got);
          continue;
        }
      }
      if (!got.isEmpty() || System.nanoTime() >= deadline && rounds > 1 || stop.getAsBoolean()) {
        return got;
      }
      long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
      if (remainingMillis > 0) {
        sleep(Math.min(sleepMillis, remainingMillis));
        sleepMillis = Math.min(sleepMillis * 2, 100);
      }
    }
  }

  /** Moves the lease's end to {@code leaseFromNow} from now; false when the lease was lost. */
  boolean extend(String receipt, Duration leaseFromNow) {
    return reLease(receipt, System.currentTimeMillis() + leaseFromNow.toMillis(), false);
  }

  /** Makes the message visible now; false when the lease was lost. */
  boolean release(String receipt) {
    return reLease(receipt, 0, true);
  }

  /** Deletes the message; false when the lease was lost (another receiver holds it or it is gone). */
  boolean delete(String receipt) {
    String name = currentName(receipt);
    leases.remove(receipt);
    if (name == null) {
      return false;
    }
    try {
      Files.delete(active.resolve(name));
      return true;
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      throw new QueueException("cannot delete message " + receipt + " from " + queueName + ": " + e.getMessage(), true, e);
    }
  }

  /** Moves ready messages that already had {@code maxAttempts} deliveries to {@code deadLetters}. */
  void sweepExhausted(int maxAttempts, MessageDirectory deadLetters) {
    long now = System.currentTimeMillis();
    for (String name : listActive()) {
      ActiveName n = ActiveName.parse(name);
      if (n != null && n.visibleAt <= now && n.attempt >= maxAttempts) {
        moveToDeadLetters(name, n, deadLetters);
      }
    }
  }

  Counts counts(int maxAttempts) {
    long ready = 0;
    long leased = 0;
    long exhausted = 0;
    for (Path d : List.of(pending, claimed)) {
      for (String name : list(d)) {
        ready += segmentSize(name);
      }
    }
    long now = System.currentTimeMillis();
    for (String name : listActive()) {
      ActiveName n = ActiveName.parse(name);
      if (n == null) {
        continue;
      }
      if (n.visibleAt > now) {
        leased++;
      } else if (maxAttempts > 0 && n.attempt >= maxAttempts) {
        exhausted++;
      } else {
        ready++;
      }
    }
    return new Counts(ready, leased, exhausted);
  }

  /** Deletes every message, leased or not. */
  void purge() {
    for (Path d : List.of(pending, claimed, active)) {
      for (String name : list(d)) {
        deleteQuietly(d.resolve(name));
      }
    }
    leases.clear();
  }

  // ---- internals ----

  private void takeReady(int want, Duration lease, int maxAttempts, MessageDirectory deadLetters, List<Message> out) {
    if (want <= 0) {
      return;
    }
    long now = System.currentTimeMillis();
    List<ActiveName> ready = new ArrayList<>();
    for (String name : listActive()) {
      ActiveName n = ActiveName.parse(name);
      if (n != null && n.visibleAt <= now) {
        ready.add(n);
      }
    }
    if (ready.isEmpty()) {
      return;
    }
    // Oldest first, but receivers racing for the same files would mostly collide: shuffle a window
    // a few times larger than what this receiver wants.
    ready.sort((a, b) -> a.visibleAt != b.visibleAt ? Long.compare(a.visibleAt, b.visibleAt) : a.id.compareTo(b.id));
    int window = Math.min(ready.size(), want * 4 + 16);
    Collections.shuffle(ready.subList(0, window));
    long leaseUntil = now + lease.toMillis();
    int added = 0;
    for (ActiveName n : ready) {
      if (added >= want) {
        break;
      }
      if (maxAttempts > 0 && n.attempt >= maxAttempts) {
        moveToDeadLetters(n.name, n, deadLetters);
        continue;
      }
      int attempt = n.attempt + 1;
      String leasedName = ActiveName.format(leaseUntil, attempt, n.id);
      if (!tryMove(active.resolve(n.name), active.resolve(leasedName))) {
        continue; // another receiver won
      }
      String body;
      try {
        body = Files.readString(active.resolve(leasedName), StandardCharsets.UTF_8).strip();
      } catch (NoSuchFileException e) {
        continue; // lease lapsed already and someone else took it
      } catch (IOException e) {
        throw new QueueException("cannot read message from " + queueName + ": " + e.getMessage(), true, e);
      }
      String receipt = attempt + SEP + n.id;
      leases.put(receipt, leasedName);
      out.add(new Message(body, attempt, receipt));
      added++;
    }
  }

  private void moveToDeadLetters(String name, ActiveName n, MessageDirectory deadLetters) {
    if (deadLetters == null) {
      return;
    }
    tryMove(active.resolve(name), deadLetters.active.resolve(ActiveName.format(0, n.attempt, n.id)));
  }

  /** Claims the oldest pending segment (or a stale claim); returns its claimed path, or null when none is left. */
  private Path claimOldestSegment() {
    List<String> names = list(pending);
    if (names.isEmpty()) {
      return reclaimStale();
    }
    Collections.sort(names);
    long now = System.currentTimeMillis();
    // Racing receivers each take a different segment only when the first is gone; trying the first
    // few keeps several receivers busy without exploding the whole backlog at once.
    for (String name : names.subList(0, Math.min(3, names.size()))) {
      Path target = claimed.resolve(name + SEP + pad(now));
      if (tryMove(pending.resolve(name), target)) {
        return target;
      }
    }
    return null;
  }

  private Path reclaimStale() {
    long now = System.currentTimeMillis();
    for (String name : list(claimed)) {
      int cut = name.lastIndexOf(SEP);
      long claimedAt = parseLong(name.substring(cut + 1));
      if (claimedAt >= 0 && claimedAt < now - STALE_CLAIM.toMillis()) {
        Path target = claimed.resolve(name.substring(0, cut) + SEP + pad(now));
        if (tryMove(claimed.resolve(name), target)) {
          return target;
        }
      }
    }
    return null;
  }

  /**
   * Writes one file per message of a claimed segment, leasing the first {@code leaseCount} to this
   * receiver, then deletes the segment. Messages already present (a receiver died mid-way through
   * this segment) are not written again.
   */
  private void explode(Path segment, int leaseCount, Duration lease, List<Message> out) {
    String claimedName = segment.getFileName().toString();
    String segmentId = claimedName.substring(0, claimedName.indexOf(SEP));
    List<String> bodies;
    try {
      bodies = Files.readAllLines(segment, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return;
    } catch (IOException e) {
      throw new QueueException("cannot read segment of " + queueName + ": " + e.getMessage(), true, e);
    }
    Set<String> present = new HashSet<>();
    for (String name : listActive()) {
      ActiveName n = ActiveName.parse(name);
      if (n != null && n.id.startsWith(segmentId + ".")) {
        present.add(n.id);
      }
    }
    long leaseUntil = System.currentTimeMillis() + lease.toMillis();
    int leased = 0;
    for (int i = 0; i < bodies.size(); i++) {
      String id = segmentId + "." + i;
      if (present.contains(id) || bodies.get(i).isEmpty()) {
        continue;
      }
      boolean mine = leased < leaseCount;
      String name = mine ? ActiveName.format(leaseUntil, 1, id) : ActiveName.format(0, 0, id);
      Path staged = tmp.resolve(name);
      try {
        Files.writeString(staged, bodies.get(i), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new QueueException("cannot write message of " + queueName + ": " + e.getMessage(), true, e);
      }
      move(staged, active.resolve(name));
      if (mine) {
        leased++;
        String receipt = 1 + SEP + id;
        leases.put(receipt, name);
        out.add(new Message(bodies.get(i), 1, receipt));
      }
    }
    deleteQuietly(segment);
  }

  private boolean reLease(String receipt, long visibleAt, boolean forget) {
    String name = currentName(receipt);
    if (name == null) {
      leases.remove(receipt);
      return false;
    }
    int cut = receipt.indexOf(SEP);
    int attempt = Integer.parseInt(receipt.substring(0, cut));
    String id = receipt.substring(cut + 1);
    String next = ActiveName.format(visibleAt, attempt, id);
    if (!tryMove(active.resolve(name), active.resolve(next))) {
      leases.remove(receipt);
      return false;
    }
    if (forget) {
      leases.remove(receipt);
    } else {
      leases.put(receipt, next);
    }
    return true;
  }

  /** The file currently holding this delivery, or null when the delivery's lease is gone. */
  private String currentName(String receipt) {
    String known = leases.get(receipt);
    if (known != null && Files.exists(active.resolve(known))) {
      return known;
    }
    String suffix = SEP + receipt;
    for (String name : listActive()) {
      if (name.length() > TIME_WIDTH && name.substring(TIME_WIDTH).equals(suffix)) {
        return name;
      }
    }
    return null;
  }

  private List<String> listActive() {
    return list(active);
  }

  private List<String> list(Path d) {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(d)) {
      for (Path p : stream) {
        names.add(p.getFileName().toString());
      }
    } catch (NoSuchFileException e) {
      throw missing(e);
    } catch (IOException e) {
      throw new QueueException("cannot list " + d + ": " + e.getMessage(), true, e);
    }
    return names;
  }

  private QueueException missing(NoSuchFileException e) {
    return new QueueException("queue " + queueName + " does not exist (" + dir + ")", false, e);
  }

  private static boolean tryMove(Path from, Path to) {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
      return true;
    } catch (NoSuchFileException | FileAlreadyExistsException | DirectoryNotEmptyException e) {
      return false;
    } catch (AtomicMoveNotSupportedException e) {
      throw new QueueException("the local queue needs a file system with atomic rename: " + e.getMessage(), false, e);
    } catch (IOException e) {
      throw new QueueException("cannot move " + from + " to " + to + ": " + e.getMessage(), true, e);
    }
  }

  private void move(Path from, Path to) {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (NoSuchFileException e) {
      throw missing(e);
    } catch (IOException e) {
      throw new QueueException("cannot move " + from + " to " + to + ": " + e.getMessage(), true, e);
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueueException("interrupted while waiting for messages", true, e);
    }
  }

  private static String newSegmentName() {
    return pad(System.currentTimeMillis()) + "-" + PROCESS_TAG + "-" + SEGMENT_COUNTER.incrementAndGet();
  }

  private static long segmentSize(String name) {
    String[] parts = name.split(SEP);
    return parts.length >= 2 ? Math.max(0, parseLong(parts[1])) : 0;
  }

  static String pad(long millis) {
    String s = Long.toString(millis);
    return "0".repeat(Math.max(0, TIME_WIDTH - s.length())) + s;
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** {@code <visibleAtMillis>~<attempt>~<id>} parsed. */
  private record ActiveName(String name, long visibleAt, int attempt, String id) {
    static String format(long visibleAt, int attempt, String id) {
      return pad(visibleAt) + SEP + attempt + SEP + id;
    }

    static ActiveName parse(String name) {
      int first = name.indexOf(SEP);
      int second = first < 0 ? -1 : name.indexOf(SEP, first + 1);
      if (first != TIME_WIDTH || second < 0) {
        return null;
      }
      long visibleAt = parseLong(name.substring(0, first));
      long attempt = parseLong(name.substring(first + 1, second));
      if (visibleAt < 0 || attempt < 0) {
        return null;
      }
      return new ActiveName(name, visibleAt, (int) attempt, name.substring(second + 1));
    }
  }
}
