package dev.taskjob.operator.reconciler.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.CreateInstanceRequest;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pool's VM listing kept off the reconcile thread, with a clock and an executor the test turns. */
class VmStatesTest {

  private static final Duration PERIOD = Duration.ofSeconds(2);

  private final ManualClock clock = new ManualClock(Instant.parse("2025-01-01T00:00:00Z"));
  private final FlakyCloud cloud = new FlakyCloud(clock);
  private final QueuedExecutor lists = new QueuedExecutor();
  private final List<ResourceID> wakes = new ArrayList<>();
  private final VmStates states = new VmStates(lists, clock, PERIOD, wakes::add);
  private final InstancePool pool = pool();
  private final ResourceID id = ResourceID.fromResource(pool);

  @Test
  void theListRunsOffTheCallersThreadAndItsAnswerWakesThePool() {
    create("vm-1");
    assertThat(states.observe(pool, cloud, Map.of())).as("nothing listed yet").isEmpty();
    assertThat(cloud.listCalls()).as("observe never lists on its own thread").isZero();

    lists.runAll();
    assertThat(cloud.listCalls()).isOne();
    assertThat(wakes).containsExactly(id);
    assertThat(states.observe(pool, cloud, Map.of()).orElseThrow().vms()).extracting(Instance::id)
        .containsExactly("vm-1");
    assertThat(lists.size()).as("a fresh listing is not asked for again").isZero();
  }

  @Test
  void anUnchangedListingDoesNotWakeThePoolAndAChangedOneDoes() {
    create("vm-1");
    states.observe(pool, cloud, Map.of());
    lists.runAll();
    wakes.clear();

    states.refreshAll();
    lists.runAll();
    assertThat(wakes).as("same VMs in the same states").isEmpty();

    cloud.preempt(List.of("vm-1"));
    states.refreshAll();
    lists.runAll();
    assertThat(wakes).containsExactly(id);
    assertThat(states.cached(pool).orElseThrow().vms().get(0).state()).isEqualTo(InstanceState.PREEMPTED);
  }

  @Test
  void aFailedListKeepsTheLastGoodAnswerWithItsAgeAndTheNextLookListsAgain() {
    create("vm-1");
    states.observe(pool, cloud, Map.of());
    lists.runAll();
    wakes.clear();

    clock.advance(Duration.ofSeconds(30));
    cloud.failListing(1);
    states.refreshAll();
    lists.runAll();
    VmStates.Listing failed = states.cached(pool).orElseThrow();
    assertThat(failed.failure()).isNotNull();
    assertThat(failed.vms()).extracting(Instance::id).containsExactly("vm-1");
    assertThat(failed.age(clock.instant())).isEqualTo(Duration.ofSeconds(30));
    assertThat(wakes).as("the list began failing").containsExactly(id);

    states.observe(pool, cloud, Map.of());
    assertThat(lists.size()).as("a failed listing is asked for again at once").isOne();
    lists.runAll();
    assertThat(states.cached(pool).orElseThrow().failure()).isNull();
    assertThat(states.cached(pool).orElseThrow().age(clock.instant())).isZero();
    assertThat(wakes).as("the list answers again").containsExactly(id, id);
  }

  @Test
  void createdVmsCountAtOnceAndUntilAListStartedAfterTheirCreateAnswers() {
    states.observe(pool, cloud, Map.of());
    lists.runAll();
    // a list starts, then a create answers before the list does: its VM stays
    states.refreshAll();
    Instance made = create("vm-1");
    states.created(id, List.of(made));
    assertThat(states.cached(pool).orElseThrow().vms()).extracting(Instance::id).containsExactly("vm-1");
    cloud.forget(List.of("vm-1")); // stands for a cloud whose list does not show the VM yet
    lists.runAll();
    assertThat(states.cached(pool).orElseThrow().vms()).extracting(Instance::id).containsExactly("vm-1");

    // the pool acted: its next look lists again, and that list, started after the create, is the truth
    states.observe(pool, cloud, Map.of());
    assertThat(lists.size()).isOne();
    lists.runAll();
    assertThat(states.cached(pool).orElseThrow().vms()).isEmpty();
  }

  @Test
  void aVmIsTracedToItsPoolByIdOrName() {
    Instance vm = create("vm-1");
    states.observe(pool, cloud, Map.of());
    lists.runAll();
    assertThat(states.poolOf(vm.id())).contains(id);
    assertThat(states.poolOf(vm.name())).contains(id);
    assertThat(states.poolOf("someone-else")).isEmpty();
  }

  private Instance create(String name) {
    return cloud.create(new CreateInstanceRequest(name, name, FlakyCloud.TYPE, null, false, Map.of(), null, 10, null,
        Map.of(), null));
  }

  private static InstancePool pool() {
    InstancePool pool = new InstancePool();
    pool.getMetadata().setName("workers");
    pool.getMetadata().setNamespace("default");
    return pool;
  }
}
