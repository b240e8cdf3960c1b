package dev.taskjob.operator.simulation;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The fault rates of one job lifetime, drawn from its seed, and the count of each fault actually
 * injected (the invariant table reports them). Each fault the draws call for is numbered in the order
 * drawn; a replay may let only some of those numbers take effect ({@link #allowOnly}), the draws staying
 * the same, to find the fewest faults that still break an invariant ({@link ShortestTrace}).
 */
final class Faults {

  /** A fault the simulated cloud or queue can inject. */
  enum Kind {
    THROTTLED, SERVER_ERROR, RESPONSE_LOST, NO_CAPACITY, SPOT_INTERRUPTION, QUEUE_THROTTLED, TASK_FAILURE,
    /** A VM gone without any notice (a host failure, a notice the worker never saw). */
    VM_LOST
  }

  final double throttleRate;
  final double serverErrorRate;
  final double responseLostRate;
  final double queueThrottleRate;
  /** Probability that a create in a zone without capacity fails; zone 0 always has capacity. */
  final double noCapacityRate;
  /** Spot interruptions per VM-hour, per zone. */
  final double[] interruptionsPerHour;
  /** VMs lost without notice per VM-hour, in every zone. */
  final double lossesPerHour;
  private final Map<Kind, Long> injected = new EnumMap<>(Kind.class);
  /** The kind of each fault drawn so far, by its number. */
  private final List<Kind> drawn = new ArrayList<>();
  private Set<Integer> allowed;

  Faults(SplittableRandom random, int zones) {
    throttleRate = random.nextDouble() * 0.1;
    serverErrorRate = random.nextDouble() * 0.05;
    responseLostRate = random.nextDouble() * 0.05;
    queueThrottleRate = random.nextDouble() * 0.05;
    noCapacityRate = random.nextDouble();
    interruptionsPerHour = new double[zones];
    for (int z = 0; z < zones; z++) {
      interruptionsPerHour[z] = random.nextDouble() * 0.3;
    }
    lossesPerHour = random.nextDouble() * 0.01;
  }

  /** No faults but spot interruptions at the given rates per zone: scenarios that measure one effect alone. */
  Faults(double... interruptionsPerHour) {
    throttleRate = 0;
    serverErrorRate = 0;
    responseLostRate = 0;
    queueThrottleRate = 0;
    noCapacityRate = 0;
    this.interruptionsPerHour = interruptionsPerHour.clone();
    lossesPerHour = 0;
  }

  /** Only the faults drawn with these numbers take effect; the others are drawn and skipped. */
  void allowOnly(Set<Integer> numbers) {
    allowed = Set.copyOf(numbers);
  }

  /**
   * A draw called for a fault of this kind: numbers it and says whether it takes effect (counted if so).
   */
  boolean inject(Kind kind) {
    int number = drawn.size();
    drawn.add(kind);
    if (allowed != null && !allowed.contains(number)) {
      return false;
    }
    count(kind);
    return true;
  }

  /** The kind of each fault drawn, by number. */
  List<Kind> drawn() {
    return drawn;
  }

  void count(Kind kind) {
    injected.merge(kind, 1L, Long::sum);
  }

  Map<Kind, Long> injected() {
    return injected;
  }
}
