package dev.taskjob.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.Providers;
import dev.taskjob.operator.metrics.OperatorMetrics;
import dev.taskjob.operator.reconciler.OperatorHarness;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The orphan sweep runs only on the leader; with leader election off, the one process leads. */
class LeaderOnlySweepTest {

  @Test
  void withoutLeaderElectionTheProcessLeads() {
    try (OperatorHarness harness = new OperatorHarness(OperatorSettings.defaults("test"))) {
      TaskjobOperator operator = new TaskjobOperator(harness.client, OperatorSettings.defaults("test"),
          Providers.available(), OperatorMetrics.inMemory(), o -> { });
      assertThat(operator.leading()).isTrue();
      operator.close();
    }
  }

  @Test
  void withLeaderElectionTheProcessLeadsOnlyOnceItHoldsTheLease() {
    AtomicBoolean callerToldOfLeading = new AtomicBoolean();
    try (OperatorHarness harness = new OperatorHarness(OperatorSettings.defaults("test"))) {
      TaskjobOperator operator = new TaskjobOperator(harness.client, OperatorSettings.defaults("test"),
          Providers.available(), OperatorMetrics.inMemory(), o -> o.withLeaderElectionConfiguration(
              new LeaderElectionConfiguration("taskjob-operator", OperatorHarness.NAMESPACE,
                  LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
                  LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
                  LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE, null,
                  new LeaderCallbacks(() -> callerToldOfLeading.set(true), () -> { }, leader -> { }), false)));
      assertThat(operator.leading()).isFalse();
      LeaderCallbacks installed = operator.josdk().getConfigurationService().getLeaderElectionConfiguration()
          .orElseThrow().getLeaderCallbacks().orElseThrow();
      installed.onStartLeading();
      assertThat(operator.leading()).isTrue();
      assertThat(callerToldOfLeading).isTrue();
      installed.onStopLeading();
      assertThat(operator.leading()).isFalse();
      operator.close();
    }
  }
}
