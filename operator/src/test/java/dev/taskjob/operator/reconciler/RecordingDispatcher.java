package dev.taskjob.operator.reconciler;

import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.List;

/** Notes every request (user agent, method, path) before the CRUD dispatcher answers it. */
public final class RecordingDispatcher extends Dispatcher {

  /** One request as the API server saw it. */
  public record Request(String userAgent, String method, String path) {}

  private final Dispatcher delegate;
  private final List<Request> requests;

  RecordingDispatcher(Dispatcher delegate, List<Request> requests) {
    this.delegate = delegate;
    this.requests = requests;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    requests.add(new Request(request.getHeader("User-Agent"), request.getMethod(), request.getPath()));
    return delegate.dispatch(request);
  }
}
