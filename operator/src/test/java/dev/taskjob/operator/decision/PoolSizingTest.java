package dev.taskjob.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.operator.decision.PoolSizing.Budget;
import dev.taskjob.operator.decision.PoolSizing.LimitedBy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PoolSizingTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      # case                                   | remaining | slots | vcpus | price | min | max | maxCpus | maxPrice | instances | limitedBy
      nothing left means no instances          | 0         | 4     | 4     | 0.2   | 0   | 10  | -       | -        | 0         | NO_TASKS
      enough slots for the remaining tasks     | 100       | 4     | 4     | 0.2   | 0   | 50  | -       | -        | 25        | TASKS
      rounds up a partly used instance         | 101       | 4     | 4     | 0.2   | 0   | 50  | -       | -        | 26        | TASKS
      capped by maxInstances                   | 1000      | 4     | 4     | 0.2   | 0   | 10  | -       | -        | 10        | MAX_INSTANCES
      three tasks left do not fill to the cap  | 3         | 4     | 4     | 0.2   | 0   | 10  | -       | -        | 1         | TASKS
      three tasks, one slot each: three VMs    | 3         | 1     | 1     | 0.2   | 0   | 10  | -       | -        | 3         | TASKS
      minInstances raises the count            | 10        | 4     | 4     | 0.2   | 5   | 10  | -       | -        | 5         | MIN_INSTANCES
      minInstances never exceeds the tasks     | 3         | 4     | 4     | 0.2   | 5   | 10  | -       | -        | 3         | TASKS
      capped by maxTotalCpus                   | 1000      | 4     | 8     | 0.2   | 0   | 100 | 60      | -        | 7         | MAX_TOTAL_CPUS
      capped by maxPricePerHour                | 1000      | 4     | 4     | 0.25  | 0   | 100 | -       | 1.0      | 4         | MAX_PRICE_PER_HOUR
      price cap tolerates rounding             | 1000      | 4     | 4     | 0.1   | 0   | 100 | -       | 0.3      | 3         | MAX_PRICE_PER_HOUR
      budget allowing none gives none          | 1000      | 4     | 4     | 2.0   | 0   | 100 | -       | 1.0      | 0         | MAX_PRICE_PER_HOUR
      no maxInstances: tasks decide            | 1000      | 10    | 4     | 0.2   | 0   | -   | -       | -        | 100       | TASKS
      """)
  void sizesThePool(String name, long remaining, int slots, int vcpus, double price, int min, Integer max,
      Integer maxCpus, Double maxPrice, int instances, LimitedBy limitedBy) {
    PoolSizing.Sizing sizing = PoolSizing.size(remaining, slots, vcpus, price, new Budget(min, max, maxCpus, maxPrice));
    assertThat(sizing).isEqualTo(new PoolSizing.Sizing(instances, limitedBy));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      # case                                                  | aliveCount | aliveCpus | alivePrice | vcpus | price | max | maxCpus | maxPrice | fits
      no caps: anything fits                                  | 50         | 200       | 30.0       | 4     | 1.0   | -   | -       | -        | true
      a first VM within every cap                             | 0          | 0         | 0          | 4     | 0.25  | 3   | 12      | 1.0      | true
      the cheapest zone fills the price cap exactly           | 3          | 12        | 0.75       | 4     | 0.25  | 10  | -       | 1.0      | true
      the same launch in a dearer zone goes past it           | 3          | 12        | 0.75       | 4     | 0.30  | 10  | -       | 1.0      | false
      a dearer zone fits while the cap has room for it        | 2          | 8         | 0.50       | 4     | 0.30  | 10  | -       | 1.0      | true
      price cap tolerates rounding                            | 2          | 2         | 0.2        | 1     | 0.1   | -   | -       | 0.3      | true
      a fallback type with more vCPUs goes past maxTotalCpus  | 2          | 8         | 0.50       | 8     | 0.25  | 10  | 12      | -        | false
      the preferred type still fits maxTotalCpus              | 2          | 8         | 0.50       | 4     | 0.25  | 10  | 12      | -        | true
      a VM still terminating counts against maxInstances      | 3          | 12        | 0.75       | 4     | 0.25  | 3   | -       | -        | false
      """)
  void everyLaunchStaysWithinTheCapsWhateverItsZoneOrType(String name, int aliveCount, int aliveCpus,
      double alivePrice, int vcpus, double price, Integer max, Integer maxCpus, Double maxPrice, boolean fits) {
    PoolSizing.Spend alive = new PoolSizing.Spend(aliveCount, aliveCpus, alivePrice);
    assertThat(PoolSizing.fits(alive, vcpus, price, new Budget(0, max, maxCpus, maxPrice))).isEqualTo(fits);
  }
}
