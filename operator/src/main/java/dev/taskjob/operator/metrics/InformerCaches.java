package dev.taskjob.operator.metrics;

import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.processing.Controller;
import java.util.function.Supplier;
import java.util.stream.Stream;

/** The TaskJobs in JOSDK's informer cache, for metrics read at scrape time without another watch. */
public final class InformerCaches {

  private InformerCaches() {}

  /**
   * The TaskJobs the operator's TaskJob controller caches; none while it is not running (a standby
   * replica without the Lease, or before start), since only the leader reports on jobs.
   */
  public static Supplier<Stream<TaskJob>> taskJobs(Operator josdk) {
    return () -> josdk.getRegisteredControllers().stream()
        .filter(c -> c instanceof Controller<?> && c.getConfiguration().getResourceClass() == TaskJob.class)
        .flatMap(c -> cached((Controller<?>) c));
  }

  @SuppressWarnings("unchecked")
  private static Stream<TaskJob> cached(Controller<?> controller) {
    return ((Controller<TaskJob>) controller).getEventSourceManager().getControllerEventSource().list(job -> true);
  }
}
