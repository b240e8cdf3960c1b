package dev.taskjob.operator.reliability;

import dev.taskjob.operator.reconciler.OperatorHarness;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Sits in front of the mock API server's CRUD dispatcher and fails some of the operator's requests
 * (the test's own requests always pass), deterministically:
 *
 * <ul>
 *   <li>every {@code conflictEvery}-th status write (PUT or PATCH of a TaskJob's or InstancePool's
 *       {@code /status}) is answered 409 Conflict, as a real API server does when another writer got
 *       there first;
 *   <li>the first {@linkplain #conflictOnSucceeded(int) few} status writes that report a TaskJob
 *       Succeeded are answered 409 too, so that the write which finishes a job is lost;
 *   <li>while {@linkplain #cutOff(boolean) cut off}, every write is refused, so that what an operator
 *       does on its way down (the last ledger save, a status patch) never lands, as when its process is
 *       killed.
 * </ul>
 */
final class ApiServerFaults extends Dispatcher {

  private static final Pattern STATUS_WRITE =
      Pattern.compile("/apis/taskjob\\.dev/[^/]+/namespaces/[^/]+/(taskjobs|instancepools)/[^/?]+/status(\\?.*)?");
  private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");

  private final Dispatcher delegate;
  private final int conflictEvery;
  private final AtomicInteger statusWrites = new AtomicInteger();
  private final AtomicInteger conflicts = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private final AtomicBoolean cutOff = new AtomicBoolean();
  private final AtomicInteger succeededWritesToFail = new AtomicInteger();

  /** @param conflictEvery answer every n-th status write with 409; 0 for never */
  ApiServerFaults(Dispatcher delegate, int conflictEvery) {
    this.delegate = delegate;
    this.conflictEvery = conflictEvery;
  }

  /** Answers the next {@code count} status writes that report a TaskJob Succeeded with 409. */
  void conflictOnSucceeded(int count) {
    succeededWritesToFail.set(count);
  }

  /** Refuses (or again accepts) every write of the operator. */
  void cutOff(boolean on) {
    cutOff.set(on);
  }

  /** Status writes the operator attempted, answered or not. */
  int statusWrites() {
    return statusWrites.get();
  }

  /** Status writes answered with 409. */
  int conflicts() {
    return conflicts.get();
  }

  /** Writes refused while cut off. */
  int refused() {
    return refused.get();
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    if (!OperatorHarness.OPERATOR_USER_AGENT.equals(request.getHeader("User-Agent"))
        || !WRITES.contains(request.getMethod())) {
      return delegate.dispatch(request);
    }
    if (cutOff.get()) {
      refused.incrementAndGet();
      // 403 rather than 503: the client retries 5xx for a long time, which would only slow the stop down
      return failure(403, "Forbidden", "the operator is stopped (injected)");
    }
    boolean statusWrite = ("PUT".equals(request.getMethod()) || "PATCH".equals(request.getMethod()))
        && STATUS_WRITE.matcher(request.getPath()).matches();
    if (statusWrite) {
      int n = statusWrites.incrementAndGet();
      boolean reportsSucceeded = request.getPath().contains("/taskjobs/") && body(request).contains("\"Succeeded\"");
      if ((conflictEvery > 0 && n % conflictEvery == 0)
          || (reportsSucceeded && succeededWritesToFail.getAndUpdate(left -> Math.max(0, left - 1)) > 0)) {
        conflicts.incrementAndGet();
        return failure(409, "Conflict", "Operation cannot be fulfilled on " + request.getPath()
            + ": the object has been modified; please apply your changes to the latest version and try again");
      }
    }
    return delegate.dispatch(request);
  }

  /** The request body, left in place for the dispatcher that answers it (reading it would consume it). */
  private static String body(RecordedRequest request) {
    return request.getBody() == null ? "" : new String(request.getBody().getBytes(), StandardCharsets.UTF_8);
  }

  private static MockResponse failure(int code, String reason, String message) {
    String body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\""
        + message.replace("\"", "\\\"") + "\",\"reason\":\"" + reason + "\",\"code\":" + code + "}";
    return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json").setBody(body);
  }

  @Override
  public void shutdown() {
    delegate.shutdown();
  }
}
