package dev.taskjob.operator.local;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

/**
 * Answers a PATCH the CRUD dispatcher cannot apply (a JSON Patch that replaces a field the stored object
 * no longer has, because the writer's copy was older) with 422 Unprocessable Entity, as a real API server
 * does. The CRUD dispatcher itself throws, and the request is never answered: the writer waits for its
 * client's timeout, blocking a reconcile thread for minutes, instead of retrying with a fresh copy.
 */
public final class UnappliablePatches {

  private UnappliablePatches() {}

  public static MockResponse dispatch(Dispatcher crud, RecordedRequest request) {
    if (!"PATCH".equals(request.getMethod())) {
      return crud.dispatch(request);
    }
    try {
      return crud.dispatch(request);
    } catch (RuntimeException e) {
      Status status = new StatusBuilder().withStatus("Failure").withCode(422).withReason("Invalid")
          .withMessage("the patch cannot be applied to the stored object: " + e.getMessage()).build();
      return new MockResponse().setResponseCode(422).setHeader("Content-Type", "application/json")
          .setBody(Serialization.asJson(status));
    }
  }
}
