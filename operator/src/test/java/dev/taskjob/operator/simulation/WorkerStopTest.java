package dev.taskjob.operator.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.taskjob.core.cloud.CreateInstanceRequest;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.queue.LeasedTask;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.task.Task;
import dev.taskjob.operator.reconciler.pool.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The simulated worker on a VM the operator terminates stops as the real one does on SIGTERM: a failed
 * attempt whose re-send the queue refused is still sent within the 30 s the worker waits for pending sends,
 * so the task comes back with that failure counted; past that wait it is released and the count is lost.
 */
class WorkerStopTest {

  private static final Duration STEP = Duration.ofSeconds(10);
  private static final String ZONE = "sim-1a";

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final Trace trace = new Trace(clock);
  private final Faults faults = new Faults(0.0);
  private final SplittableRandom random = new SplittableRandom(7);
  private final InstanceType type = SimulatedCloud.spotType("sim.1x", 1, List.of(ZONE), random);
  private final SimulatedCloud cloud = new SimulatedCloud(type, List.of(ZONE), clock, random, faults, trace);
  private final SimulatedQueue queue = new SimulatedQueue(new QueueSettings("stop", Duration.ofMinutes(2), 11), clock,
      random, faults);
  /** One task whose program fails once, then succeeds; two attempts allowed. */
  private final SimulatedWorkers workers = new SimulatedWorkers(cloud, queue,
      List.of(new SimulatedWorkers.Program(1, Duration.ofSeconds(15))), 1, 2, clock, Duration.ofSeconds(60), faults,
      trace);

  @Test
  void aReSendRefusedForTwentySecondsOfTheStopGoesThroughAndKeepsTheFailureCounted() {
    String vm = workerHoldingARefusedReSend();

    queue.refuseNextSends(2);
    cloud.terminate(List.of(vm));
    stepUntilStopped(vm);

    assertEquals(1, queue.receive(1, Duration.ZERO).get(0).task().failedAttempts(), trace.tail());
  }

  @Test
  void aReSendRefusedThroughoutTheStopIsReleasedUncountedAfterThirtySeconds() {
    String vm = workerHoldingARefusedReSend();

    queue.refuseNextSends(1000);
    cloud.terminate(List.of(vm));
    Instant asked = clock.instant();
    stepUntilStopped(vm);

    assertFalse(clock.instant().isBefore(asked.plus(SimulatedWorkers.CLOSE_TIMEOUT)), trace.tail());
    assertTrue(trace.tail().contains("released, its failure uncounted"), trace.tail());
    queue.refuseNextSends(0);
    LeasedTask back = queue.receive(1, Duration.ZERO).get(0);
    assertEquals(0, back.task().failedAttempts(), "the count is lost, as the real worker's is: " + trace.tail());
  }

  /** Boots a VM whose worker runs the task; its first run fails and the queue refuses the re-send. */
  private String workerHoldingARefusedReSend() {
    cloud.workersStopOnTerminate();
    queue.ensure();
    queue.send(List.of(new Task("task-0", null, 0)));
    String vm = cloud.create(new CreateInstanceRequest("pool-1", "pool/1/sim.1x", type.name(), ZONE, true,
        Map.of("taskjob.dev/job", "stop"), "sim", 10, null, Map.of(), null)).id();
    queue.refuseNextSends(1000);
    for (int i = 0; i < 60 && !holdsAReSend(vm); i++) {
      step();
    }
    assertTrue(holdsAReSend(vm), "the worker holds no refused re-send: " + trace.tail());
    return vm;
  }

  private boolean holdsAReSend(String vm) {
    SimulatedWorkers.Worker w = workers.workers().get(vm);
    return w != null && !w.heldForResend.isEmpty() && w.running.isEmpty();
  }

  private void stepUntilStopped(String vm) {
    for (int i = 0; i < 30 && workers.workers().containsKey(vm); i++) {
      step();
    }
    assertFalse(workers.workers().containsKey(vm), "the worker did not stop: " + trace.tail());
    assertEquals(InstanceState.TERMINATED, cloud.vms().stream().filter(v -> v.id.equals(vm)).findFirst().orElseThrow()
        .state);
  }

  private void step() {
    clock.advance(STEP);
    cloud.tick(STEP);
    workers.tick(false);
  }
}
