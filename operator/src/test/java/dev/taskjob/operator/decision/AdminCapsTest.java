package dev.taskjob.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.operator.decision.AdminCaps.Caps;
import dev.taskjob.operator.decision.AdminCaps.Limits;
import dev.taskjob.operator.decision.AdminCaps.Resource;
import dev.taskjob.operator.decision.AdminCaps.Scope;
import dev.taskjob.operator.decision.PoolSizing.Spend;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AdminCapsTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      # case                                              | allN | allCpu | allPrice | nsN | nsCpu | nsPrice | vcpus | price | opN | opCpu | opPrice | nsCapN | nsCapCpu | nsCapPrice | scope     | resource
      no caps: anything fits                              | 500  | 2000   | 300.0    | 100 | 400   | 60.0    | 4     | 1.0   | -   | -     | -       | -      | -        | -          | -         | -
      a first VM within every cap                         | 0    | 0      | 0        | 0   | 0     | 0       | 4     | 0.25  | 3   | 12    | 1.0     | 2      | 8        | 0.5        | -         | -
      the last instance the operator allows               | 9    | 36     | 2.25     | 1   | 4     | 0.25    | 4     | 0.25  | 10  | -     | -       | -      | -        | -          | -         | -
      other jobs' VMs fill the operator's instance cap    | 10   | 40     | 2.5      | 1   | 4     | 0.25    | 4     | 0.25  | 10  | -     | -       | -      | -        | -          | OPERATOR  | INSTANCES
      other namespaces do not count for the namespace cap | 40   | 160    | 10.0     | 1   | 4     | 0.25    | 4     | 0.25  | -   | -     | -       | 2      | -        | -          | -         | -
      the namespace's jobs fill its instance cap          | 40   | 160    | 10.0     | 2   | 8     | 0.50    | 4     | 0.25  | -   | -     | -       | 2      | -        | -          | NAMESPACE | INSTANCES
      a large type goes past the operator's vCPU cap      | 3    | 12     | 0.75     | 3   | 12    | 0.75    | 8     | 0.5   | -   | 16    | -       | -      | -        | -          | OPERATOR  | VCPUS
      the namespace vCPU cap exactly filled               | 3    | 12     | 0.75     | 3   | 12    | 0.75    | 4     | 0.25  | -   | -     | -       | -      | 16       | -          | -         | -
      past the namespace vCPU cap by one                  | 3    | 13     | 0.75     | 3   | 13    | 0.75    | 4     | 0.25  | -   | -     | -       | -      | 16       | -          | NAMESPACE | VCPUS
      a dearer zone goes past the operator's price cap    | 3    | 12     | 0.75     | 3   | 12    | 0.75    | 4     | 0.30  | -   | -     | 1.0     | -      | -        | -          | OPERATOR  | PRICE_PER_HOUR
      the price cap tolerates rounding                    | 2    | 2      | 0.2      | 2   | 2     | 0.2     | 1     | 0.1   | -   | -     | 0.3     | -      | -        | 0.3        | -         | -
      past the namespace price cap                        | 2    | 2      | 0.2      | 2   | 2     | 0.2     | 1     | 0.2   | -   | -     | -       | -      | -        | 0.3        | NAMESPACE | PRICE_PER_HOUR
      the operator's cap is named before the namespace's  | 5    | 20     | 1.0      | 5   | 20    | 1.0     | 4     | 0.2   | 5   | -     | -       | 5      | -        | -          | OPERATOR  | INSTANCES
      instances are named before vCPUs and price          | 5    | 20     | 1.0      | 5   | 20    | 1.0     | 4     | 0.2   | 5   | 20    | 1.0     | -      | -        | -          | OPERATOR  | INSTANCES
      a cap of zero allows no VM                          | 0    | 0      | 0        | 0   | 0     | 0       | 2     | 0.1   | -   | -     | -       | 0      | -        | -          | NAMESPACE | INSTANCES
      """)
  void aLaunchGoesPastTheFirstCapItWouldExceed(String name, int allN, int allCpu, double allPrice, int nsN,
      int nsCpu, double nsPrice, int vcpus, double price, Integer opN, Integer opCpu, Double opPrice, Integer nsCapN,
      Integer nsCapCpu, Double nsCapPrice, Scope scope, Resource resource) {
    Caps caps = new Caps(new Limits(opN, opCpu, opPrice), new Limits(nsCapN, nsCapCpu, nsCapPrice));
    var binding = AdminCaps.binding(caps, new Spend(allN, allCpu, allPrice), new Spend(nsN, nsCpu, nsPrice), vcpus,
        price);
    if (scope == null) {
      assertThat(binding).isEmpty();
    } else {
      assertThat(binding).hasValueSatisfying(b -> {
        assertThat(b.scope()).isEqualTo(scope);
        assertThat(b.resource()).isEqualTo(resource);
      });
    }
  }

  @Test
  void theMessageNamesTheCapItsFlagAndItsUse() {
    Caps caps = new Caps(Limits.NONE, new Limits(2, null, null));
    String message = AdminCaps.binding(caps, new Spend(7, 28, 1.75), new Spend(2, 8, 0.5), 4, 0.25).orElseThrow()
        .message("team-a");
    assertThat(message).isEqualTo("the jobs of namespace team-a use 2 of the administrator's cap of 2 instances"
        + " (--namespace-max-instances)");
    Caps price = new Caps(new Limits(null, null, 1.5), Limits.NONE);
    assertThat(AdminCaps.binding(price, new Spend(3, 12, 1.333), Spend.NONE, 4, 0.25).orElseThrow().message("x"))
        .isEqualTo("all jobs of the operator use 1.333 of the administrator's cap of 1.500 USD per hour"
            + " (--max-price-per-hour)");
  }

  /** Defaults: 10 instances, 40 vCPUs, no price cap per namespace; team-a has its own caps, team-b none. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      # case                                               | namespace | nsN | nsCpu | nsPrice | vcpus | price | resource       | cap  | flag
      team-a's own instance cap is above the default       | team-a    | 30  | 36    | 6.0     | 4     | 0.2   | -              | -    | -
      team-a's own instance cap binds                      | team-a    | 50  | 200   | 10.0    | 4     | 0.2   | INSTANCES      | 50   | --namespace-cap team-a:instances
      team-a keeps the default vCPU cap it did not name    | team-a    | 9   | 40    | 2.0     | 4     | 0.2   | VCPUS          | 40   | --namespace-max-vcpus
      team-a's own price cap binds where no default exists | team-a    | 9   | 36    | 19.9    | 4     | 0.2   | PRICE_PER_HOUR | 20.0 | --namespace-cap team-a:pricePerHour
      team-b has the defaults                              | team-b    | 10  | 40    | 2.0     | 4     | 0.2   | INSTANCES      | 10   | --namespace-max-instances
      team-b has no price cap                              | team-b    | 1   | 4     | 500.0   | 4     | 0.2   | -              | -    | -
      a zero of its own stops a namespace                  | frozen    | 0   | 0     | 0       | 1     | 0.01  | INSTANCES      | 0    | --namespace-cap frozen:instances
      """)
  void aNamespacesOwnCapsReplaceTheDefaultsForTheLimitsTheyName(String name, String namespace, int nsN, int nsCpu,
      double nsPrice, int vcpus, double price, Resource resource, Double cap, String flag) {
    Caps caps = new Caps(Limits.NONE, new Limits(10, 40, null),
        Map.of("team-a", new Limits(50, null, 20.0), "frozen", new Limits(0, null, null)));
    var binding = AdminCaps.binding(caps, namespace, Spend.NONE, new Spend(nsN, nsCpu, nsPrice), vcpus, price);
    if (resource == null) {
      assertThat(binding).isEmpty();
    } else {
      assertThat(binding).hasValueSatisfying(b -> {
        assertThat(b.scope()).isEqualTo(Scope.NAMESPACE);
        assertThat(b.resource()).isEqualTo(resource);
        assertThat(b.cap()).isEqualTo(cap);
        assertThat(b.message(namespace)).endsWith("(" + flag + ")");
      });
    }
  }

  @Test
  void describesTheCapsForTheStartLine() {
    assertThat(Caps.NONE.describe()).isEqualTo("none");
    assertThat(new Caps(new Limits(100, null, 25.0), new Limits(10, 40, null)).describe())
        .isEqualTo("operator: 100 instances, $25.0/hour; per namespace: 10 instances, 40 vCPUs");
    assertThat(new Caps(Limits.NONE, Limits.NONE, Map.of("team-b", new Limits(null, 64, null),
        "team-a", new Limits(50, null, 20.0))).describe())
        .isEqualTo("namespace team-a: 50 instances, $20.0/hour; namespace team-b: 64 vCPUs");
  }
}
