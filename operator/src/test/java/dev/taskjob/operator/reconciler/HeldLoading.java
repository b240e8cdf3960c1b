package dev.taskjob.operator.reconciler;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderModule;
import dev.taskjob.core.queue.QueueException;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.core.task.Task;
import dev.taskjob.testing.FaultInjectingQueue;
import dev.taskjob.testing.ForwardingProviderModule;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider whose queues send the load's first batch (the one holding task 0) and hold every other batch of the
 * load until {@link #release()}: the job stays Loading at its first checkpoint, with the next batches in flight, for
 * as long as a test needs, whatever the machine's speed. A held send that is interrupted (the operator stops) sends
 * nothing. Hedge copies are never held.
 */
final class HeldLoading extends ForwardingProviderModule {

  private final CountDownLatch released = new CountDownLatch(1);
  private final AtomicInteger firstBatchSends = new AtomicInteger();

  HeldLoading(ProviderModule real) {
    super(real);
  }

  void release() {
    released.countDown();
  }

  /** How many times the load sent its first batch: once when a restarted load resumes from its checkpoint. */
  int firstBatchSends() {
    return firstBatchSends.get();
  }

  @Override
  public TaskQueue queue(ProviderConfig config, QueueSettings settings) {
    return new FaultInjectingQueue(real.queue(config, settings), (call, tasks) -> hold(tasks));
  }

  private QueueException hold(List<Task> tasks) {
    Task first = tasks.get(0);
    if (first.hedge()) {
      return null;
    }
    if (first.index() == 0) {
      firstBatchSends.incrementAndGet();
      return null;
    }
    try {
      released.await();
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new QueueException("held send interrupted", true, e);
    }
  }
}
