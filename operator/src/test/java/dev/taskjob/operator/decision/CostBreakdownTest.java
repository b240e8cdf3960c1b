package dev.taskjob.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.taskjob.operator.decision.CostBreakdown.Shares;
import dev.taskjob.operator.decision.CostBreakdown.VmWork;
import dev.taskjob.operator.decision.CostMeter.Billing;
import dev.taskjob.operator.decision.CostMeter.VmLife;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CostBreakdownTest {

  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  /**
   * One VM at $3.60/hour ($0.001 a second): times in seconds after its launch (empty: none), slot-seconds
   * of work and of interrupted work; the shares in USD.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      # case                                           | ended | now  | slots | first | last | work | lost | billed | tasks | boot  | idle  | drain | interrupted
      one slot busy from boot to end                   | 1000  | 2000 | 1     | 100   | 900  | 800  | 0    | 1.0    | 0.8   | 0.1   | 0     | 0.1   | 0
      two slots, one idle half the time                | 1000  | 2000 | 2     | 0     | 1000 | 1500 | 0    | 1.0    | 0.75  | 0     | 0.25  | 0     | 0
      interrupted work is its own share                | 1000  | 2000 | 1     | 100   | 1000 | 500  | 400  | 1.0    | 0.5   | 0.1   | 0     | 0     | 0.4
      running: no drain yet, the tail is idle          | -     | 1000 | 1     | 100   | 600  | 500  | 0    | 1.0    | 0.5   | 0.1   | 0.4   | 0     | 0
      no task ever: all boot                           | 500   | 2000 | 4     | -     | -    | 0    | 0    | 0.5    | 0     | 0.5   | 0     | 0     | 0
      still booting                                    | -     | 300  | 4     | -     | -    | 0    | 0    | 0.3    | 0     | 0.3   | 0     | 0     | 0
      the billing minimum is idle                      | 30    | 100  | 1     | 0     | 30   | 30   | 0    | 0.06   | 0.03  | 0     | 0.03  | 0     | 0
      more work reported than billed: scaled to fit    | 100   | 200  | 1     | 0     | 100  | 150  | 50   | 0.1    | 0.075 | 0     | 0     | 0     | 0.025
      a task said to start before launch: no boot      | 100   | 200  | 1     | -10  | 100  | 100  | 0    | 0.1    | 0.1   | 0     | 0     | 0     | 0
      """)
  void splitsOneVmsBill(String name, Double ended, double now, int slots, Double first, Double last, double work,
      double lost, double billed, double tasks, double boot, double idle, double drain, double interrupted) {
    VmWork vm = new VmWork(new VmLife(T, at(ended), 3.6), slots, at(first), at(last), work, lost);
    Shares s = CostBreakdown.of(vm, Billing.GCE, at(now));
    assertThat(s.billed()).as("billed").isCloseTo(billed, within(1e-12));
    assertThat(s.tasks()).as("tasks").isCloseTo(tasks, within(1e-12));
    assertThat(s.boot()).as("boot").isCloseTo(boot, within(1e-12));
    assertThat(s.idle()).as("idle").isCloseTo(idle, within(1e-12));
    assertThat(s.drain()).as("drain").isCloseTo(drain, within(1e-12));
    assertThat(s.interrupted()).as("interrupted").isCloseTo(interrupted, within(1e-12));
  }

  @Test
  void aVmWithoutPriceCostsNothing() {
    VmWork vm = new VmWork(new VmLife(T, at(100.0), 0), 1, T, at(100.0), 100, 0);
    assertThat(CostBreakdown.of(vm, Billing.GCE, at(200.0))).isEqualTo(Shares.ZERO);
  }

  @Test
  void sharesAddUpToTheBillForAnyObservation() {
    SplittableRandom random = new SplittableRandom(18);
    for (int i = 0; i < 2_000; i++) {
      double lived = random.nextDouble() * 20_000;
      boolean ended = random.nextBoolean();
      double now = lived + (ended ? random.nextDouble() * 1000 : 0);
      int slots = 1 + random.nextInt(8);
      Double first = random.nextInt(5) == 0 ? null : random.nextDouble() * lived * 1.2 - 50;
      Double last = first == null ? null : first + random.nextDouble() * lived;
      double work = random.nextDouble() * lived * slots * 1.1;
      double lost = random.nextDouble() * lived;
      VmWork vm = new VmWork(new VmLife(T, ended ? at(lived) : null, random.nextDouble() * 5), slots, at(first),
          at(last), work, lost);
      Billing billing = List.of(Billing.EC2, Billing.GCE, Billing.CONTINUOUS).get(random.nextInt(3));
      Shares s = CostBreakdown.of(vm, billing, at(now));
      assertThat(s.billed()).isCloseTo(CostMeter.billed(vm.life(), billing, at(now)), within(1e-12));
      assertThat(s.tasks() + s.boot() + s.idle() + s.drain() + s.interrupted())
          .as("case %d: %s", i, s).isCloseTo(s.billed(), within(1e-9 * Math.max(1, s.billed())));
      assertThat(List.of(s.tasks(), s.boot(), s.idle(), s.drain(), s.interrupted())).allMatch(v -> v >= 0);
    }
  }

  @Test
  void aJobsSharesAreItsVmsSummed() {
    VmWork a = new VmWork(new VmLife(T, at(1000.0), 3.6), 1, at(100.0), at(900.0), 800, 0);
    VmWork b = new VmWork(new VmLife(T, at(1000.0), 7.2), 2, at(0.0), at(1000.0), 1000, 500);
    Shares s = CostBreakdown.of(List.of(a, b), Billing.GCE, at(2000.0));
    assertThat(s.billed()).isCloseTo(3.0, within(1e-12));
    assertThat(s.tasks()).isCloseTo(0.8 + 1.0, within(1e-12));
    assertThat(s.interrupted()).isCloseTo(0.5, within(1e-12));
    assertThat(s.idle()).isCloseTo(0.5, within(1e-12));
    assertThat(s.waste()).isCloseTo(1.2, within(1e-12));
    assertThat(s.fraction(s.interrupted())).isCloseTo(0.5 / 3, within(1e-12));
  }

  @Test
  void billedBeyondTheObservedVmsIsIdleAndAnOverSplitIsScaledToTheBill() {
    Shares observed = new Shares(1.0, 0.5, 0.2, 0.1, 0.1, 0.1);
    Shares more = CostBreakdown.fitTo(observed, 1.5);
    assertThat(more.billed()).isEqualTo(1.5);
    assertThat(more.idle()).isCloseTo(0.6, within(1e-12));
    assertThat(more.tasks()).isEqualTo(0.5);
    Shares halved = CostBreakdown.fitTo(observed, 0.5);
    assertThat(halved.billed()).isEqualTo(0.5);
    assertThat(halved.tasks()).isCloseTo(0.25, within(1e-12));
    assertThat(halved.idle()).isCloseTo(0.05, within(1e-12));
    assertThat(halved.tasks() + halved.boot() + halved.idle() + halved.drain() + halved.interrupted())
        .isCloseTo(0.5, within(1e-12));
    assertThat(CostBreakdown.fitTo(Shares.ZERO, 0.3)).isEqualTo(new Shares(0.3, 0, 0, 0.3, 0, 0));
    assertThat(CostBreakdown.fitTo(observed, 0)).isEqualTo(Shares.ZERO);
  }

  private static Instant at(Double seconds) {
    return seconds == null ? null : T.plusNanos((long) (seconds * 1e9));
  }

  private static Instant at(double seconds) {
    return T.plusNanos((long) (seconds * 1e9));
  }
}
