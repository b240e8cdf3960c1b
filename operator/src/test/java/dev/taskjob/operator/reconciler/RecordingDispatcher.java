package dev.taskjob.operator.reconciler;

import dev.taskjob.operator.local.UnappliablePatches;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.List;

/**
 * Notes every request (user agent, method, path) before the CRUD dispatcher answers it; a patch it cannot
 * apply gets a 422, as from a real API server ({@link UnappliablePatches}).
 */
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
    return UnappliablePatches.dispatch(delegate, request);
  }
}
