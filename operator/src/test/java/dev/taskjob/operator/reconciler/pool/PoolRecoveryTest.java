package dev.taskjob.operator.reconciler.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.CloudException;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolPhase;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolSpec;
import dev.taskjob.crds.v1alpha1.shared.Condition;
import dev.taskjob.crds.v1alpha1.shared.ConditionTypes;
import dev.taskjob.crds.v1alpha1.shared.Conditions;
import dev.taskjob.crds.v1alpha1.shared.InstanceRequirements;
import dev.taskjob.crds.v1alpha1.shared.Provider;
import dev.taskjob.operator.OperatorSettings;
import dev.taskjob.operator.cloud.ProviderAccess;
import dev.taskjob.operator.decision.CreateRefusals;
import dev.taskjob.operator.metrics.OperatorMetrics;
import dev.taskjob.operator.progress.Heartbeats;
import dev.taskjob.operator.reconciler.ControllerPolicy;
import dev.taskjob.operator.reconciler.ErrorReports;
import dev.taskjob.operator.reconciler.KubeEvents;
import dev.taskjob.operator.reconciler.OperatorHarness;
import io.fabric8.kubernetes.api.model.Event;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.retry.RetryExecution;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One reconcile at a time against a cloud whose {@code list} fails, with a clock the test turns: what
 * JOSDK would do between reconciles (retry after the policy's delay) is played out by the test, so no
 * step waits for time to pass.
 */
class PoolRecoveryTest {

  private static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

  private final ManualClock clock = new ManualClock(START);
  private final FlakyCloud cloud = new FlakyCloud(clock);
  private OperatorHarness harness;
  private InstancePoolReconciler reconciler;

  @BeforeEach
  void setUp() {
    OperatorSettings settings = OperatorSettings.defaults("test");
    harness = new OperatorHarness(settings, Map.of("local", cloud.module("local")));
    ProviderAccess providers = new ProviderAccess(Map.of("local", cloud.module("local")), Map.of(), harness.client,
        clock);
    reconciler = new InstancePoolReconciler(harness.client, providers, new KubeEvents(harness.client, clock),
        new Heartbeats(), settings, OperatorMetrics.inMemory(), clock, Runnable::run);
  }

  @AfterEach
  void tearDown() {
    reconciler.shutdown();
    harness.close();
  }

  @Test
  void aPoolWhoseCloudListFails20TimesReplacesItsDeadVmsWithinAMinuteOfTheCloudComingBack() {
    InstancePool pool = harness.client.resource(pool("workers", 3)).create();
    reconciler.reconcile(pool, null);
    assertThat(cloud.inState(InstanceState.RUNNING)).hasSize(3);

    // Two VMs are preempted while the cloud's API throttles every list call 20 times in a row.
    cloud.preempt(cloud.inState(InstanceState.RUNNING).stream().limit(2).map(vm -> vm.id()).toList());
    cloud.failListing(20);
    RetryExecution retry = ControllerPolicy.retry().initExecution();
    Duration longestWait = Duration.ZERO;
    for (int failure = 1; failure <= 20; failure++) {
      InstancePool looked = pool;
      Exception error = catchReconcile(() -> reconciler.reconcile(looked, null));
      ErrorStatusUpdateControl<InstancePool> control = reconciler.updateErrorStatus(pool, null, error);
      assertThat(control.isNoRetry()).as("a throttled list is retried (failure %d)", failure).isFalse();
      Condition degraded = Conditions.find(pool.getStatus().getConditions(), ErrorReports.DEGRADED).orElseThrow();
      assertThat(degraded.getStatus()).isEqualTo(Condition.TRUE);
      assertThat(degraded.getReason()).isEqualTo("CloudError");
      int failures = failure;
      Duration wait = Duration.ofMillis(retry.nextDelay().orElseThrow(
          () -> new AssertionError("the retry gave up after " + failures + " failures")));
      assertThat(wait).isLessThanOrEqualTo(ControllerPolicy.MAX_RETRY_INTERVAL);
      longestWait = wait.compareTo(longestWait) > 0 ? wait : longestWait;
      if (failure < 20) {
        clock.advance(wait);
      } else {
        // The cloud's API answers again from now on; the controller next looks when the retry is due.
        Instant cloudBack = clock.instant();
        clock.advance(wait);
        UpdateControl<InstancePool> recovered = reconciler.reconcile(pool, null);
        assertThat(Duration.between(cloudBack, clock.instant())).isLessThanOrEqualTo(Duration.ofMinutes(1));
        assertThat(recovered.getScheduleDelay()).hasValueSatisfying(
            next -> assertThat(Duration.ofMillis(next)).isLessThanOrEqualTo(ControllerPolicy.MAX_RECONCILIATION_INTERVAL));
      }
    }
    assertThat(cloud.listCalls()).isEqualTo(1 + 20 + 1);
    assertThat(longestWait).isEqualTo(ControllerPolicy.MAX_RETRY_INTERVAL);
    assertThat(cloud.inState(InstanceState.RUNNING)).hasSize(3);
    assertThat(cloud.inState(InstanceState.PREEMPTED)).as("preempted VMs are deleted, not left stopped").isEmpty();
    assertThat(cloud.inState(InstanceState.TERMINATED)).hasSize(2);
    assertThat(pool.getStatus().getReplacements()).isEqualTo(2);
    assertThat(pool.getStatus().getRunning()).isEqualTo(3);
    assertThat(Conditions.find(pool.getStatus().getConditions(), ErrorReports.DEGRADED).orElseThrow().getStatus())
        .isEqualTo(Condition.FALSE);
    List<Event> events = harness.client.v1().events().inNamespace(OperatorHarness.NAMESPACE).list().getItems();
    assertThat(events).extracting(Event::getReason).contains("CloudError", "InstanceLost", "InstancesCreated");
  }

  @Test
  void retriesNeverGiveUpAndWaitAtMostTheCap() {
    RetryExecution retry = ControllerPolicy.retry().initExecution();
    Duration previous = Duration.ZERO;
    for (int attempt = 1; attempt <= 1000; attempt++) {
      Duration wait = Duration.ofMillis(retry.nextDelay().orElseThrow());
      assertThat(wait).isGreaterThanOrEqualTo(previous).isLessThanOrEqualTo(ControllerPolicy.MAX_RETRY_INTERVAL);
      previous = wait;
    }
    assertThat(previous).isEqualTo(ControllerPolicy.MAX_RETRY_INTERVAL);
  }

  @Test
  void aPoolWhoseCreatesTheCloudRefusesFailsWithinAMinuteNamingTheCauseAfterAFewCalls() {
    cloud.refuseCreates(new CloudException("InvalidParameterValue: environment variable name 'A=B' is not valid",
        false));
    InstancePool pool = harness.client.resource(pool("refused", 2)).create();
    Instant start = clock.instant();

    for (int look = 0; look < 20
        && (pool.getStatus() == null || pool.getStatus().getPhase() != InstancePoolPhase.FAILED); look++) {
      UpdateControl<InstancePool> control = reconciler.reconcile(pool, null);
      clock.advance(Duration.ofMillis(control.getScheduleDelay().orElseThrow()));
    }

    assertThat(pool.getStatus().getPhase()).isEqualTo(InstancePoolPhase.FAILED);
    Condition failed = Conditions.find(pool.getStatus().getConditions(), ConditionTypes.FAILED).orElseThrow();
    assertThat(failed.getReason()).isEqualTo("CreateRefused");
    assertThat(failed.getMessage()).contains("environment variable name 'A=B' is not valid");
    assertThat(cloud.createCalls()).as("create calls").isLessThanOrEqualTo(CreateRefusals.LIMIT * 2);
    assertThat(Duration.between(start, clock.instant())).isLessThan(Duration.ofMinutes(1));
    assertThat(cloud.inState(InstanceState.RUNNING)).isEmpty();
    List<Event> events = harness.client.v1().events().inNamespace(OperatorHarness.NAMESPACE).list().getItems();
    assertThat(events).extracting(Event::getReason).contains("CreateFailed", "CreateRefused");
  }

  @Test
  void aFailedPoolLaunchesNothingWhenTheNextLookGetsThePoolAsItWasBeforeTheFailure() {
    cloud.refuseCreates(new CloudException("InvalidParameterValue: image 'missing' does not exist", false));
    InstancePool pool = harness.client.resource(pool("stale", 1)).create();
    InstancePool beforeTheFailure = pool;
    for (int look = 0; look < 20
        && (pool.getStatus() == null || pool.getStatus().getPhase() != InstancePoolPhase.FAILED); look++) {
      beforeTheFailure = copy(pool);
      UpdateControl<InstancePool> control = reconciler.reconcile(pool, null);
      clock.advance(Duration.ofMillis(control.getScheduleDelay().orElseThrow()));
    }
    assertThat(pool.getStatus().getPhase()).isEqualTo(InstancePoolPhase.FAILED);
    assertThat(beforeTheFailure.getStatus().getPhase()).isNotEqualTo(InstancePoolPhase.FAILED);
    int createCalls = cloud.createCalls();

    // The informer has not yet seen the failing write: the next look is handed the pool as it was before it,
    // after the refusals' back-off, with a cloud that would now create.
    cloud.refuseCreates(null);
    clock.advance(Duration.ofHours(1));
    UpdateControl<InstancePool> control = reconciler.reconcile(beforeTheFailure, null);

    assertThat(cloud.createCalls()).as("create calls after the pool failed").isEqualTo(createCalls);
    assertThat(control.isPatchStatus()).isTrue();
    assertThat(beforeTheFailure.getStatus().getPhase()).isEqualTo(InstancePoolPhase.FAILED);
    assertThat(Conditions.find(beforeTheFailure.getStatus().getConditions(), ConditionTypes.FAILED).orElseThrow()
        .getReason()).isEqualTo("CreateRefused");
  }

  @Test
  void aLookHandedThePoolAsItWasBeforeTheLastWriteKeepsWhatThatWriteRecorded() {
    InstancePool pool = harness.client.resource(pool("behind", 2)).create();
    reconciler.reconcile(pool, null);
    assertThat(cloud.inState(InstanceState.RUNNING)).hasSize(2);

    // A VM is preempted; the look that sees it counts it lost, asks its deletion and launches a replacement.
    cloud.preempt(List.of(cloud.inState(InstanceState.RUNNING).get(0).id()));
    clock.advance(Duration.ofSeconds(5));
    InstancePool beforeTheLoss = copy(pool);
    UpdateControl<InstancePool> sawTheLoss = reconciler.reconcile(pool, null);
    assertThat(sawTheLoss.isPatchStatus()).isTrue();
    assertThat(pool.getStatus().getReplacements()).isEqualTo(1);
    assertThat(cloud.inState(InstanceState.RUNNING)).hasSize(2);
    int createCalls = cloud.createCalls();

    // The informer has not yet seen that look's write: the next look is handed the pool as it was before it.
    clock.advance(Duration.ofSeconds(5));
    reconciler.reconcile(beforeTheLoss, null);

    assertThat(beforeTheLoss.getStatus().getReplacements()).as("replacements after the stale look").isEqualTo(1);
    assertThat(cloud.createCalls()).as("create calls after the stale look").isEqualTo(createCalls);
    List<Event> events = harness.client.v1().events().inNamespace(OperatorHarness.NAMESPACE).list().getItems();
    assertThat(events).filteredOn(e -> "InstanceLost".equals(e.getReason())).hasSize(1);
  }

  private static InstancePool copy(InstancePool pool) {
    return dev.taskjob.core.Json.MAPPER.convertValue(pool, InstancePool.class);
  }

  private static Exception catchReconcile(Runnable reconcile) {
    try {
      reconcile.run();
    } catch (RuntimeException e) {
      return e;
    }
    throw new AssertionError("the reconcile succeeded while the cloud's list failed");
  }

  private static InstancePool pool(String name, int count) {
    InstancePool pool = new InstancePool();
    pool.getMetadata().setName(name);
    pool.getMetadata().setNamespace(OperatorHarness.NAMESPACE);
    InstancePoolSpec spec = new InstancePoolSpec();
    spec.setProvider(Provider.LOCAL);
    spec.setRegion("test");
    spec.setInstances(new InstanceRequirements());
    spec.setCount(count);
    pool.setSpec(spec);
    return pool;
  }
}
