package dev.taskjob.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.taskjob.operator.decision.CostMeter.Account;
import dev.taskjob.operator.decision.CostMeter.Billing;
import dev.taskjob.operator.decision.CostMeter.Seen;
import dev.taskjob.operator.decision.CostMeter.VmLife;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CostMeterTest {

  private static final Instant T = Instant.parse("2025-01-01T00:00:00Z");

  /** One VM's bill: {@code launched} and {@code ended} in seconds after T (ended empty: still running). */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      # case                                           | provider | launched | ended | now   | perHour | usd
      an hour at a dollar                              | aws      | 0        | 3600  | 7200  | 1.0     | 1.0
      running: billed until now                        | aws      | 0        | -     | 1800  | 2.0     | 1.0
      EC2 minimum: 10 s billed as 60 s                 | aws      | 0        | 10    | 100   | 3.6     | 0.06
      EC2 minimum while running                        | aws      | 0        | -     | 5     | 3.6     | 0.06
      EC2 just over the minimum: per second            | aws      | 0        | 61    | 100   | 3.6     | 0.061
      EC2 started second billed whole                  | aws      | 0        | 60.2  | 100   | 3.6     | 0.061
      GCE minimum: 30 s billed as a minute             | gcp      | 0        | 30    | 100   | 3.6     | 0.06
      local: no minimum, no rounding                   | local    | 0        | 0.5   | 100   | 3.6     | 0.0005
      launched before the look is billed from launch   | aws      | -3600    | -     | 0     | 0.5     | 0.5
      spot price of its zone                           | aws      | 0        | 3600  | 3600  | 0.0312  | 0.0312
      on-demand price of the same type                 | aws      | 0        | 3600  | 3600  | 0.096   | 0.096
      ended after now: billed until now                | aws      | 0        | 7200  | 3600  | 1.0     | 1.0
      no price, no cost                                | aws      | 0        | 3600  | 3600  | 0       | 0
      """)
  void billsOneVmFromLaunchToEnd(String name, String provider, double launched, Double ended, double now,
      double perHour, double usd) {
    VmLife vm = new VmLife(at(launched), ended == null ? null : at(ended), perHour);
    assertThat(CostMeter.billed(vm, Billing.of(provider), at(now))).isCloseTo(usd, within(1e-12));
  }

  @Test
  void zonesAndMarketsAreBilledAtTheirOwnPrices() {
    // the same type for an hour: spot in two zones at different prices, and on demand
    List<VmLife> vms = List.of(new VmLife(T, at(3600), 0.030), new VmLife(T, at(3600), 0.036),
        new VmLife(T, at(3600), 0.096));
    assertThat(CostMeter.billed(vms, Billing.EC2, at(3600))).isCloseTo(0.162, within(1e-12));
  }

  @Test
  void aVmKeepsCountingAfterTheCloudStopsListingIt() {
    Account a = CostMeter.update(Account.EMPTY, List.of(new Seen("i-1", T, true, null, 1.0)), Billing.EC2, at(10));
    a = CostMeter.update(a, List.of(new Seen("i-1", T, false, at(1800), 1.0)), Billing.EC2, at(1810));
    assertThat(a.total(Billing.EC2, at(1810))).isCloseTo(0.5, within(1e-12));
    // the cloud forgets it: its bill is closed, and stays 0.5 however much later we look
    a = CostMeter.update(a, List.of(), Billing.EC2, at(5000));
    assertThat(a.open()).isEmpty();
    assertThat(a.closedUsd()).isCloseTo(0.5, within(1e-12));
    assertThat(a.total(Billing.EC2, at(99_999))).isCloseTo(0.5, within(1e-12));
  }

  @Test
  void aVmSeenEndedWithoutAnEndTimeEndsAtTheLookThatSawIt() {
    Account a = CostMeter.update(Account.EMPTY, List.of(new Seen("vm", T, true, null, 3.6)), Billing.GCE, at(100));
    a = CostMeter.update(a, List.of(new Seen("vm", T, false, null, 3.6)), Billing.GCE, at(200));
    a = CostMeter.update(a, List.of(new Seen("vm", T, false, null, 3.6)), Billing.GCE, at(300));
    assertThat(a.total(Billing.GCE, at(400))).isCloseTo(0.2, within(1e-12));
  }

  /**
   * A VM looked at running at 100 s, then seen ended at {@code firstEnded} s (with the cloud's end, or none),
   * then at {@code secondLook} s with the end the cloud reports then (or none), at $3.6/hour on GCE: its end is
   * the cloud's once any look reports it, else the first look that saw it ended.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      # case                                                   | firstEnded | firstEnd | secondLook | secondEnd | usd
      preempted, the end reported at once                      | 200        | 150      | 300        | 150       | 0.15
      lists failed after the interruption: the cloud's end     | 400        | 150      | 500        | 150       | 0.15
      end unknown at first, reported by the next look          | 200        | -        | 300        | 150       | 0.15
      stopping at the first look, stopped after it (GCE)       | 200        | -        | 300        | 230       | 0.23
      end never reported: the first look that saw it ended     | 200        | -        | 300        | -         | 0.20
      reported end after the look: billed until the look       | 200        | -        | 300        | 900       | 0.30
      reported end before launch: the minimum                  | 200        | -        | 300        | -50       | 0.06
      """)
  void aVmIsBilledToTheCloudsEndOnceALookReportsIt(String name, double firstEnded, Double firstEnd,
      double secondLook, Double secondEnd, double usd) {
    Account a = CostMeter.update(Account.EMPTY, List.of(new Seen("vm", T, true, null, 3.6)), Billing.GCE, at(100));
    a = CostMeter.update(a, List.of(new Seen("vm", T, false, firstEnd == null ? null : at(firstEnd), 3.6)),
        Billing.GCE, at(firstEnded));
    a = CostMeter.update(a, List.of(new Seen("vm", T, false, secondEnd == null ? null : at(secondEnd), 3.6)),
        Billing.GCE, at(secondLook));
    assertThat(a.total(Billing.GCE, at(5000))).isCloseTo(usd, within(1e-12));
    // the cloud stops listing it: the bill is closed at that end
    a = CostMeter.update(a, List.of(), Billing.GCE, at(6000));
    assertThat(a.closedUsd()).isCloseTo(usd, within(1e-12));
  }

  @Test
  void aVmThatVanishesWhileRunningIsBilledUntilTheLookThatMissedIt() {
    Account a = CostMeter.update(Account.EMPTY, List.of(new Seen("vm", T, true, null, 3.6)), Billing.GCE, at(100));
    a = CostMeter.update(a, List.of(), Billing.GCE, at(120));
    assertThat(a.total(Billing.GCE, at(1000))).isCloseTo(0.12, within(1e-12));
  }

  @Test
  void repeatedLooksAndDuplicateListingsNeverBillTwice() {
    Seen vm = new Seen("i-1", T, true, null, 3.6);
    Account a = Account.EMPTY;
    for (int look = 1; look <= 100; look++) {
      a = CostMeter.update(a, List.of(vm, vm), Billing.EC2, at(look * 10));
    }
    assertThat(a.total(Billing.EC2, at(1000))).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void aStoppedVmStartedAgainIsBilledForBothLivesOnly() {
    Account a = CostMeter.update(Account.EMPTY, List.of(new Seen("vm", T, true, null, 3.6)), Billing.CONTINUOUS,
        at(10));
    a = CostMeter.update(a, List.of(new Seen("vm", T, false, at(100), 3.6)), Billing.CONTINUOUS, at(150));
    a = CostMeter.update(a, List.of(new Seen("vm", T, true, null, 3.6)), Billing.CONTINUOUS, at(1000));
    assertThat(a.total(Billing.CONTINUOUS, at(1100))).isCloseTo(0.1 + 0.1, within(1e-12));
  }

  /**
   * The status shows the bill within 1%, however often the job is looked at, and a steady job's figure
   * changes far less often than it is looked at.
   */
  @ParameterizedTest(name = "${0}/h looked at every {1} s for {2} s")
  @CsvSource(textBlock = """
      2.0,    1, 3600
      2.0,    5, 3600
      0.01,   1, 60
      0.0116, 2, 30
      """)
  void showsTheBillWithoutRewritingEveryLook(double perHour, long lookEvery, long seconds) {
    Account account = Account.EMPTY;
    double shown = -1;
    int changes = 0;
    for (long t = lookEvery; t <= seconds; t += lookEvery) {
      account = CostMeter.update(account, List.of(new Seen("vm", T, true, null, perHour)), Billing.CONTINUOUS,
          at(t));
      double now = CostMeter.forStatus(account.total(Billing.CONTINUOUS, at(t)));
      if (now != shown) {
        changes++;
        shown = now;
      }
    }
    double bill = perHour * seconds / 3600.0;
    assertThat(shown).isPositive().isCloseTo(bill, within(bill * 0.01));
    long looks = seconds / lookEvery;
    if (looks >= 3000) {
      assertThat(changes).isLessThan((int) (looks / 2));
    }
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(textBlock = """
      0,            0
      -1,           0
      0.0000833333, 0.0000833
      1.23456,      1.23
      1234.567,     1230
      """)
  void showsThreeSignificantDigits(double usd, double shown) {
    assertThat(CostMeter.forStatus(usd)).isEqualTo(shown);
  }

  private static Instant at(double seconds) {
    return T.plusNanos((long) (seconds * 1e9));
  }
}
