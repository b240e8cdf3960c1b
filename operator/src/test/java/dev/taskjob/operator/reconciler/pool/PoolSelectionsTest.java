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
class PoolSelectionsTest {

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

  /** A provider whose one type, "small", is priced by region. */
  private static final class RegionalPrices implements ProviderModule {

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
