package dev.taskjob.operator.reconciler.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.Architecture;
import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.CreateInstanceRequest;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.InstanceState;
import dev.taskjob.core.cloud.InstanceType;
import dev.taskjob.core.cloud.PriceSource;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderModule;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskQueue;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePool;
import dev.taskjob.crds.v1alpha1.instancepool.InstancePoolSpec;
import dev.taskjob.crds.v1alpha1.shared.InstanceRequirements;
import dev.taskjob.crds.v1alpha1.shared.Provider;
import dev.taskjob.operator.cloud.ProviderAccess;
import dev.taskjob.operator.selection.UnavailableOfferings;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Prices belong to an offering in one region: the same type name may cost differently elsewhere. */
@io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient(crud = true)
class PoolSelectionsTest {

  /** Where the interruption record ConfigMap is looked up (none: the ranking starts from the placement scores). */
  io.fabric8.kubernetes.client.KubernetesClient client;

  private static final Map<String, Double> PRICE_BY_REGION = Map.of("us-east-1", 0.10, "eu-west-1", 0.50);

  @Test
  void twoRegionsWithTheSameTypeNameKeepTheirOwnPrices() {
    ProviderAccess providers = new ProviderAccess(Map.of("local", new RegionalPrices()), Map.of(), null,
        Clock.systemUTC());
    PoolSelections selections = new PoolSelections(providers, new UnavailableOfferings(),
        new InterruptionRecords(null));
    ProviderConfig east = providers.config("default", "local", "us-east-1", List.of(), null, null);
    ProviderConfig west = providers.config("default", "local", "eu-west-1", List.of(), null, null);
    selections.selection(pool("east", "us-east-1"), east);
    selections.selection(pool("west", "eu-west-1"), west);

    Instance vm = new Instance("vm-1", "vm-1", "small", "zone-a", false, InstanceState.RUNNING, Instant.EPOCH, Map.of());
    assertThat(selections.priceOf(vm, east)).hasValue(0.10);
    assertThat(selections.priceOf(vm, west)).hasValue(0.50);
    Instance unknownType = new Instance("vm-2", "vm-2", "large", "zone-a", false, InstanceState.RUNNING,
        Instant.EPOCH, Map.of());
    assertThat(selections.priceOf(unknownType, west)).isEmpty();
  }

  /** The status line of a spot pool names the placement score its choice read, and the cloud was asked once. */
  @Test
  void aSpotPoolRanksZonesByTheCloudsPlacementScores() {
    ScoredSpot module = new ScoredSpot();
    ProviderAccess providers = new ProviderAccess(Map.of("local", module), Map.of(), null, Clock.systemUTC());
    PoolSelections selections = new PoolSelections(providers, new UnavailableOfferings(),
        new InterruptionRecords(client));
    ProviderConfig config = providers.config("default", "local", "us-east-1", List.of(), null, null);
    InstancePool pool = pool("scored", "us-east-1");
    pool.getSpec().setSpot(true);
    pool.getSpec().setCount(3);
    pool.getSpec().setTaskDuration("3h");

    PoolSelections.Choice choice = selections.choose(pool, config, Instant.EPOCH);

    assertThat(choice.offering()).endsWith("spot in zone-b");
    assertThat(choice.why()).contains("2.0%/h from 9/10 placement score");
    assertThat(module.asked).hasSize(1);
    assertThat(module.asked.get(0)).endsWith(" x 3").contains("small", "medium", "large");
  }

  private static InstancePool pool(String name, String region) {
    InstancePool pool = new InstancePool();
    pool.getMetadata().setName(name);
    pool.getMetadata().setNamespace("default");
    pool.getMetadata().setUid("uid-" + name);
    pool.getMetadata().setGeneration(1L);
    InstancePoolSpec spec = new InstancePoolSpec();
    spec.setProvider(Provider.LOCAL);
    spec.setRegion(region);
    spec.setInstances(new InstanceRequirements());
    spec.setCount(1);
    pool.setSpec(spec);
    return pool;
  }

  /**
   * A spot catalog of three types whose zone-a prices are 5% below zone-b's, and placement scores (as EC2 would
   * give them for the set) of 2/10 in zone-a and 9/10 in zone-b; records what it was asked.
   */
  private static final class ScoredSpot extends RegionalPrices {

    final List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public CloudProvider cloud(ProviderConfig config) {
      CloudProvider regional = super.cloud(config);
      return new CloudProvider() {
        @Override
        public String name() {
          return "scored";
        }

        @Override
        public InstanceCatalog catalog() {
          return new InstanceCatalog("scored", config.region(), List.of(spot("small", 2, 0.10),
              spot("medium", 4, 0.20), spot("large", 8, 0.40)), Instant.EPOCH);
        }

        @Override
        public dev.taskjob.core.cloud.PlacementScores placementScores(List<String> spotTypes, int targetInstances) {
          asked.add(spotTypes + " x " + targetInstances);
          return new dev.taskjob.core.cloud.PlacementScores(java.util.Set.copyOf(spotTypes),
              Map.of("zone-a", 2, "zone-b", 9), Instant.EPOCH);
        }

        @Override
        public Instance create(CreateInstanceRequest request) {
          return regional.create(request);
        }

        @Override
        public List<Instance> list(Map<String, String> tags) {
          return regional.list(tags);
        }

        @Override
        public void terminate(Collection<String> instanceIds) {
          regional.terminate(instanceIds);
        }
      };
    }

    private static InstanceType spot(String name, int vcpus, double zoneA) {
      return new InstanceType(name, vcpus, vcpus * 2.0, Architecture.X86_64, 0, 0, null, false, true, List.of(),
          zoneA * 3, Map.of("zone-a", zoneA, "zone-b", zoneA * 1.05), PriceSource.OVERRIDE);
    }
  }

  /** A provider whose one type, "small", is priced by region. */
  private static class RegionalPrices implements ProviderModule {

    @Override
    public String name() {
      return "local";
    }

    @Override
    public CloudProvider cloud(ProviderConfig config) {
      return new CloudProvider() {
        @Override
        public String name() {
          return "regional";
        }

        @Override
        public InstanceCatalog catalog() {
          return new InstanceCatalog("regional", config.region(), List.of(new InstanceType("small", 2, 4.0,
              Architecture.X86_64, 0, 0, null, false, false, List.of(), PRICE_BY_REGION.get(config.region()),
              Map.of(), PriceSource.OVERRIDE)), Instant.EPOCH);
        }

        @Override
        public Instance create(CreateInstanceRequest request) {
          throw new UnsupportedOperationException("only prices are read");
        }

        @Override
        public List<Instance> list(Map<String, String> tags) {
          return List.of();
        }

        @Override
        public void terminate(Collection<String> instanceIds) {
        }
      };
    }

    @Override
    public TaskQueue queue(ProviderConfig config, QueueSettings settings) {
      throw new UnsupportedOperationException("only prices are read");
    }
  }
}
