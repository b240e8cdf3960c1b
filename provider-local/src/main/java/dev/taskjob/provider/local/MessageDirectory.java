package dev.taskjob.provider.local;

import dev.taskjob.core.queue.QueueException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One message queue kept in a directory, safe for any number of threads and processes on one machine.
 *
 * <p>Senders write <em>segments</em> (up to {@value #SEGMENT_SIZE} messages, one per line) into
 * {@code pending/}: loading a million tasks writes a thousand files, not a million. Receivers read the
 * segments in name (time) order through a shared cursor, the file {@code head}, which holds the current
 * segment and the next line to deliver; it is read and advanced only under an exclusive lock on that
 * file (and a JVM-wide lock, since file locks are per process), so no message is handed out twice, and
 * a receive costs the same whatever the backlog. A fully read segment is deleted.
 *
 * <p>A delivered message gets a file of its own in {@code active/}, written before the cursor moves
 * past it, named {@code <visibleAtMillis>~<attempt>~<messageId>}: a lease is an atomic rename that moves
 * the visibility time forward and counts the attempt, so of two receivers racing for an expired or
 * released message exactly one rename succeeds, an expired lease needs no sweeper (its time has passed),
 * and extending a lease that another receiver already took fails. {@code active/} holds only messages
 * delivered and not yet acked, so receivers list it (to find expired and released ones) at a cost set
 * by the work in flight, not by the backlog.
 *
 * <p>The receipt of a delivery is {@code <attempt>~<messageId>}, stable across extensions.
 */
final class MessageDirectory {

  static final int SEGMENT_SIZE = 1000;

  private static final String SEP = "~";
  private static final int TIME_WIDTH = 13;
  private static final int CURSOR_WIDTH = 128;
  /** Separates a batch's first line from its message count in a batch id. */
  private static final String BATCH_COUNT = "+";
  /** Separates a batch's receipt from a message's index in it. */
  private static final String BATCH_INDEX = "#";
  private static final AtomicLong SEGMENT_COUNTER = new AtomicLong();
  private static final String PROCESS_TAG =
      Long.toString(ProcessHandle.current().pid(), 36) + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
  /** One lock per queue directory in this JVM: a second FileLock on the same file in one JVM would throw. */
  private static final Map<Path, ReentrantLock> HEAD_LOCKS = new ConcurrentHashMap<>();

  /** A delivered message. */
  record Message(String body, int attempt, String receipt) {}

  /** Message counts. */
  record Counts(long ready, long leased, long exhausted) {
    long total() {
      return ready + leased + exhausted;
    }
  }

  /** The shared read position: the segment being read and its next line. */
  private record Cursor(String segment, int line) {}

  private final String queueName;
  private final Path dir;
  private final Path pending;
  private final Path active;
  private final Path tmp;
  private final Path head;
  private final ReentrantLock headLock;
  /** Deliveries of a batch share one file and one lease (the event queue, read and acked in batches). */
  private final boolean batched;
  /** receipt -> current file name, for leases taken in this process (saves a listing on extend/ack). */
  private final Map<String, String> leases = new ConcurrentHashMap<>();
  /** Pending segments from this process's last listing, oldest first; guarded by headLock. */
  private final ArrayDeque<String> nextSegments = new ArrayDeque<>();
  /** The lines of the segment this process read last (segments never change once pending); guarded by headLock. */
  private String cachedSegment;
  private List<String> cachedLines;

  MessageDirectory(String queueName, Path dir) {
    this(queueName, dir, false);
  }

  /**
   * @param batched whether a receive leases what it takes from one segment as one file: one write and
   *     one delete per batch instead of per message, for a reader that acks whole batches
   */
  MessageDirectory(String queueName, Path dir, boolean batched) {
    this.batched = batched;
    this.queueName = queueName;
    this.dir = dir;
    this.pending = dir.resolve("pending");
    this.active = dir.resolve("active");
    this.tmp = dir.resolve("tmp");
    this.head = dir.resolve("head");
    ReentrantLock fresh = new ReentrantLock();
    ReentrantLock known = HEAD_LOCKS.putIfAbsent(dir.toAbsolutePath().normalize(), fresh);
    this.headLock = known != null ? known : fresh;
  }

  Path dir() {
    return dir;
  }

  void create() {
    try {
      for (Path p : List.of(pending, active, tmp)) {
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
   * middle of taking messages, which would strand them until their lease ends) once {@code stop} says so.
   * Messages delivered before and now ready again come first, then new ones in the order sent.
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
      takeFromSegments(max - got.size(), lease, got);
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
    String known = leases.remove(receipt);
    try {
      if (known != null && Files.deleteIfExists(active.resolve(known))) {
        return true;
      }
      String name = currentName(receipt);
      if (name == null) {
        return false;
      }
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

  /** Counts from the segments, the cursor (read under the head lock) and the deliveries in flight. */
  Counts counts(int maxAttempts) {
    long ready = 0;
    long leased = 0;
    long exhausted = 0;
    Cursor cursor = withHead(channel -> readCursor(readHead(channel)));
    for (String name : list(pending)) {
      ready += segmentSize(name);
      if (cursor != null && name.equals(cursor.segment())) {
        ready -= Math.min(cursor.line(), segmentSize(name));
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
    withHead(channel -> {
      for (String name : list(pending)) {
        deleteQuietly(pending.resolve(name));
      }
      writeCursor(channel, null);
      return null;
    });
    for (String name : list(active)) {
      deleteQuietly(active.resolve(name));
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
      int size = batched ? batchSize(n.id) : 1;
      if (added > 0 && added + size > want) {
        continue; // a batch comes back whole; this one waits for a receive with room for it
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
      if (batched) {
        List<String> bodies = List.of(body.split("\n"));
        addBatch(receipt, bodies, attempt, out);
        added += bodies.size();
      } else {
        out.add(new Message(body, attempt, receipt));
        added++;
      }
    }
  }

  /** The message count in a batch's id ({@code <segment>.<line>+<count>}). */
  private static int batchSize(String id) {
    long count = parseLong(id.substring(id.lastIndexOf(BATCH_COUNT) + 1));
    return count > 0 && count <= Integer.MAX_VALUE ? (int) count : 1;
  }

  /**
   * Acks the messages of batched deliveries: a batch's file is deleted once every message of it is
   * acked in one call; a batch acked in part stays and comes back whole after its lease (at least once).
   */
  void deleteBatches(List<String> receipts) {
    Map<String, Set<Integer>> acked = new LinkedHashMap<>();
    for (String receipt : receipts) {
      int cut = receipt.lastIndexOf(BATCH_INDEX);
      acked.computeIfAbsent(receipt.substring(0, cut), r -> new HashSet<>())
          .add((int) parseLong(receipt.substring(cut + 1)));
    }
    acked.forEach((batch, indexes) -> {
      if (indexes.size() == batchSize(batch)) {
        delete(batch);
      }
    });
  }

  private void moveToDeadLetters(String name, ActiveName n, MessageDirectory deadLetters) {
    if (deadLetters == null) {
      return;
    }
    tryMove(active.resolve(name), deadLetters.active.resolve(ActiveName.format(0, n.attempt, n.id)));
  }

  /**
   * Takes up to {@code want} new messages at the cursor, writing each one's lease file before the cursor
   * moves past it: a receiver that dies in between leaves messages delivered twice, never lost.
   */
  private void takeFromSegments(int want, Duration lease, List<Message> out) {
    if (want <= 0) {
      return;
    }
    withHead(channel -> {
      Cursor cursor = readCursor(readHead(channel));
      Cursor start = cursor;
      long leaseUntil = System.currentTimeMillis() + lease.toMillis();
      int left = want;
      while (left > 0) {
        List<String> lines = cursor == null ? null : segmentLines(cursor.segment());
        if (lines == null) {
          String next = nextSegment();
          if (next == null) {
            cursor = null;
            break;
          }
          cursor = new Cursor(next, 0);
          continue;
        }
        int line = cursor.line();
        int firstLine = line;
        List<String> chunk = new ArrayList<>();
        for (; line < lines.size() && left > 0; line++) {
          String body = lines.get(line);
          if (body.isEmpty()) {
            continue;
          }
          chunk.add(body);
          left--;
          if (!batched) {
            String id = segmentId(cursor.segment()) + "." + line;
            String receipt = writeLease(leaseUntil, id, body);
            out.add(new Message(body, 1, receipt));
          }
        }
        if (batched && !chunk.isEmpty()) {
          String id = segmentId(cursor.segment()) + "." + firstLine + BATCH_COUNT + chunk.size();
          String receipt = writeLease(leaseUntil, id, String.join("\n", chunk));
          addBatch(receipt, chunk, 1, out);
        }
        if (line < lines.size()) {
          cursor = new Cursor(cursor.segment(), line);
        } else {
          // Cursor first, then the segment: a receiver dying in between leaves a cursor on a missing
          // segment, which the next receiver skips.
          writeCursor(channel, null);
          deleteQuietly(pending.resolve(cursor.segment()));
          cursor = null;
        }
      }
      if (cursor != start) { // a new cursor object only when it moved
        writeCursor(channel, cursor);
      }
      return null;
    });
  }

  /** Writes a delivery's lease file (first attempt) and returns its receipt. */
  private String writeLease(long leaseUntil, String id, String content) {
    String name = ActiveName.format(leaseUntil, 1, id);
    Path staged = tmp.resolve(name);
    try {
      Files.writeString(staged, content, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw missing(e);
    } catch (IOException e) {
      throw new QueueException("cannot write message of " + queueName + ": " + e.getMessage(), true, e);
    }
    move(staged, active.resolve(name));
    String receipt = 1 + SEP + id;
    leases.put(receipt, name);
    return receipt;
  }

  /** A batch's messages, each with the batch's receipt plus {@code #<index>}. */
  private static void addBatch(String receipt, List<String> bodies, int attempt, List<Message> out) {
    for (int i = 0; i < bodies.size(); i++) {
      out.add(new Message(bodies.get(i), attempt, receipt + BATCH_INDEX + i));
    }
  }

  /** The oldest pending segment, or null when none is left; caller holds the head lock. */
  private String nextSegment() {
    for (int listings = 0; listings < 2; listings++) {
      while (!nextSegments.isEmpty()) {
        String candidate = nextSegments.poll();
        if (Files.exists(pending.resolve(candidate))) {
          return candidate;
        }
      }
      if (listings == 0) {
        List<String> names = list(pending);
        Collections.sort(names);
        nextSegments.addAll(names);
      }
    }
    return null;
  }

  /** The lines of a pending segment, or null when it is gone (read to the end, or purged); caller holds the head lock. */
  private List<String> segmentLines(String segment) {
    // A segment is deleted only under the head lock, together with the cursor naming it: the segment
    // this process read last needs no second look while the cursor still names it.
    if (segment.equals(cachedSegment)) {
      return cachedLines;
    }
    try {
      cachedLines = Files.readAllLines(pending.resolve(segment), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new QueueException("cannot read segment of " + queueName + ": " + e.getMessage(), true, e);
    }
    cachedSegment = segment;
    return cachedLines;
  }

  /**
   * Runs {@code action} holding this queue's head lock, in this JVM and across processes. The head file
   * is opened nowhere else: closing any descriptor of a file drops the process's lock on it (POSIX).
   */
  private <T> T withHead(HeadAction<T> action) {
    headLock.lock();
    try (FileChannel channel = FileChannel.open(head, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE); FileLock ignored = channel.lock()) {
      return action.run(channel);
    } catch (NoSuchFileException e) {
      throw missing(e);
    } catch (IOException e) {
      throw new QueueException("cannot lock the head of " + queueName + ": " + e.getMessage(), true, e);
    } finally {
      headLock.unlock();
    }
  }

  @FunctionalInterface
  private interface HeadAction<T> {
    T run(FileChannel channel) throws IOException;
  }

  private static String readHead(FileChannel channel) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(4 * CURSOR_WIDTH);
    while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0) {
      // read until the end of the file (or the buffer)
    }
    return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
  }

  /** {@code <segment> <line>}; anything else (empty, torn) reads as no cursor, so reading restarts at the oldest segment. */
  private static Cursor readCursor(String text) {
    String[] parts = text.strip().split(" ");
    if (parts.length != 2 || parts[0].isEmpty()) {
      return null;
    }
    long line = parseLong(parts[1]);
    return line < 0 || line > Integer.MAX_VALUE ? null : new Cursor(parts[0], (int) line);
  }

  /** Writes the cursor padded to a fixed width, so that one write replaces it without a truncate. */
  private static void writeCursor(FileChannel channel, Cursor cursor) throws IOException {
    String text = cursor == null ? "" : cursor.segment() + " " + cursor.line();
    byte[] bytes = (text + " ".repeat(Math.max(0, CURSOR_WIDTH - 1 - text.length())) + "\n")
        .getBytes(StandardCharsets.UTF_8);
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (buffer.hasRemaining()) {
      channel.write(buffer, buffer.position());
    }
    if (bytes.length > CURSOR_WIDTH) {
      channel.truncate(bytes.length);
    }
  }

  private static String segmentId(String segment) {
    return segment.substring(0, segment.indexOf(SEP));
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
    // The counter is padded so that one sender's segments of the same millisecond sort in sending order.
    String counter = Long.toString(SEGMENT_COUNTER.incrementAndGet());
    return pad(System.currentTimeMillis()) + "-" + PROCESS_TAG + "-" + "0".repeat(Math.max(0, 12 - counter.length())) + counter;
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
