package dev.taskjob.bench.operator;

import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Counts the requests the embedded API receives (fed by {@code EmbeddedApiServer.onRequest}): every
 * request, TaskJob status writes per job and per minute of the run, and ledger ConfigMap writes with
 * the largest body sent.
 */
final class ApiTraffic {

  private static final Pattern TASKJOB_STATUS =
      Pattern.compile("/apis/taskjob\\.dev/v1alpha1/namespaces/[^/]+/taskjobs/([^/]+)/status");
  private static final Pattern POOL_STATUS =
      Pattern.compile("/apis/taskjob\\.dev/v1alpha1/namespaces/[^/]+/instancepools/[^/]+/status");
  private static final Pattern LEDGER = Pattern.compile("/api/v1/namespaces/[^/]+/configmaps/[^/]+-ledger");

  private final long startNanos = System.nanoTime();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong requestBodyBytes = new AtomicLong();
  private final AtomicLong poolStatusWrites = new AtomicLong();
  private final AtomicLong ledgerWrites = new AtomicLong();
  private final LongAccumulator largestLedgerWrite = new LongAccumulator(Math::max, 0);
  private final Map<String, AtomicLong> statusWritesByJob = new ConcurrentHashMap<>();
  /** TaskJob status writes per minute of the run (all jobs), by minute index. */
  private final Map<Long, AtomicLong> statusWritesByMinute = new ConcurrentHashMap<>();

  void record(RecordedRequest request) {
    requests.incrementAndGet();
    long bodyBytes = request.getBody() == null ? 0 : request.getBody().size();
    requestBodyBytes.addAndGet(bodyBytes);
    String method = request.getMethod();
    if (!"PATCH".equals(method) && !"PUT".equals(method)) {
      return;
    }
    String path = request.getPath();
    int query = path.indexOf('?');
    if (query >= 0) {
      path = path.substring(0, query);
    }
    Matcher status = TASKJOB_STATUS.matcher(path);
    if (status.matches()) {
      statusWritesByJob.computeIfAbsent(status.group(1), name -> new AtomicLong()).incrementAndGet();
      long minute = Duration.ofNanos(System.nanoTime() - startNanos).toMinutes();
      statusWritesByMinute.computeIfAbsent(minute, m -> new AtomicLong()).incrementAndGet();
    } else if (POOL_STATUS.matcher(path).matches()) {
      poolStatusWrites.incrementAndGet();
    } else if (LEDGER.matcher(path).matches()) {
      ledgerWrites.incrementAndGet();
      largestLedgerWrite.accumulate(bodyBytes);
    }
  }

  long requests() {
    return requests.get();
  }

  long requestBodyBytes() {
    return requestBodyBytes.get();
  }

  long statusWrites(String job) {
    AtomicLong count = statusWritesByJob.get(job);
    return count == null ? 0 : count.get();
  }

  long statusWrites() {
    return statusWritesByJob.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** Status writes of every job in each minute of the run, in order. */
  Map<Long, Long> statusWritesPerMinute() {
    Map<Long, Long> out = new TreeMap<>();
    statusWritesByMinute.forEach((minute, count) -> out.put(minute, count.get()));
    return out;
  }

  long poolStatusWrites() {
    return poolStatusWrites.get();
  }

  long ledgerWrites() {
    return ledgerWrites.get();
  }

  long largestLedgerWrite() {
    return largestLedgerWrite.get();
  }
}
