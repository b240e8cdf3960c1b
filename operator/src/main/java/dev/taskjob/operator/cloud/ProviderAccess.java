package dev.taskjob.operator.cloud;

import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.InstanceCatalog;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderModule;
import dev.taskjob.core.cloud.SecretStore;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.queue.TaskQueue;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where reconcilers get clouds, catalogs and queues. Builds a {@link ProviderConfig} from a resource's
 * provider, region, zones, project and credentials Secret (keys become {@code credentials.<key>}
 * properties), keeps one {@link CloudProvider} per config, and caches catalogs for an hour. Remembers
 * every config it built so the orphan sweep can look in the same places. Thread-safe.
 */
public final class ProviderAccess implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ProviderAccess.class);
  private static final Duration CATALOG_TTL = Duration.ofHours(1);

  /** The credentials Secret named by a resource does not exist. */
  public static final class MissingSecretException extends RuntimeException {
    public MissingSecretException(String message) {
      super(message);
    }
  }

  private record CachedCatalog(InstanceCatalog catalog, Instant fetched) {}

  private final Map<String, ProviderModule> modules;
  private final Map<String, String> extraProperties;
  private final KubernetesClient client;
  private final Clock clock;
  private final Map<ProviderConfig, CloudProvider> clouds = new ConcurrentHashMap<>();
  private final Map<ProviderConfig, CachedCatalog> catalogs = new ConcurrentHashMap<>();
  private final Map<ProviderConfig, Optional<SecretStore>> secretStores = new ConcurrentHashMap<>();

  /**
   * @param modules provider modules by name (normally {@link Providers#available()})
   * @param extraProperties properties added to every config (endpoint overrides, local root)
   */
  public ProviderAccess(Map<String, ProviderModule> modules, Map<String, String> extraProperties,
      KubernetesClient client, Clock clock) {
    this.modules = Map.copyOf(modules);
    this.extraProperties = Map.copyOf(extraProperties);
    this.client = client;
    this.clock = clock;
  }

  public static ProviderAccess withInstalledProviders(Map<String, String> extraProperties, KubernetesClient client) {
    return new ProviderAccess(Providers.available(), extraProperties, client, Clock.systemUTC());
  }

  public Optional<ProviderModule> module(String name) {
    return Optional.ofNullable(modules.get(name));
  }

  public Set<String> available() {
    return new java.util.TreeSet<>(modules.keySet());
  }

  /**
   * The provider config for a resource.
   *
   * @param secretName the credentials Secret in {@code namespace}, or null for ambient identity
   * @throws MissingSecretException when the Secret does not exist
   */
  public ProviderConfig config(String namespace, String provider, String region, List<String> zones, String project,
      String secretName) {
    Map<String, String> properties = new TreeMap<>(extraProperties);
    if (project != null) {
      properties.put(ProviderConfig.Keys.PROJECT, project);
    }
    if (secretName != null) {
      Secret secret = client.secrets().inNamespace(namespace).withName(secretName).get();
      if (secret == null) {
        throw new MissingSecretException("Secret '" + secretName + "' not found in namespace '" + namespace + "'");
      }
      properties.putAll(secretProperties(secret));
    }
    return new ProviderConfig(provider, region == null ? "" : region, zones, properties);
  }

  static Map<String, String> secretProperties(Secret secret) {
    Map<String, String> out = new HashMap<>();
    if (secret.getData() != null) {
      secret.getData().forEach((k, v) -> out.put(ProviderConfig.Keys.CREDENTIALS_PREFIX + k,
          new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    if (secret.getStringData() != null) {
      secret.getStringData().forEach((k, v) -> out.put(ProviderConfig.Keys.CREDENTIALS_PREFIX + k, v));
    }
    return out;
  }

  public CloudProvider cloud(ProviderConfig config) {
    return clouds.computeIfAbsent(config, c -> requireModule(c.provider()).cloud(c));
  }

  /** The catalog with prices, fetched at most once an hour per config. */
  public InstanceCatalog catalog(ProviderConfig config) {
    Instant now = clock.instant();
    CachedCatalog cached = catalogs.get(config);
    if (cached == null || cached.fetched().plus(CATALOG_TTL).isBefore(now)) {
      cached = new CachedCatalog(cloud(config).catalog(), now);
      catalogs.put(config, cached);
    }
    return cached.catalog();
  }

  /** A new queue handle; the caller closes it. */
  public TaskQueue queue(ProviderConfig config, QueueSettings settings) {
    return requireModule(config.provider()).queue(config, settings);
  }

  /** The provider's store for secret env values (one per config, kept open), or empty when it has none. */
  public Optional<SecretStore> secrets(ProviderConfig config) {
    return secretStores.computeIfAbsent(config, c -> requireModule(c.provider()).secrets(c));
  }

  /** Every config a cloud was opened for in this process (for the orphan sweep). */
  public Set<ProviderConfig> knownConfigs() {
    return Set.copyOf(clouds.keySet());
  }

  private ProviderModule requireModule(String name) {
    ProviderModule m = modules.get(name);
    if (m == null) {
      throw new IllegalArgumentException("no provider '" + name + "' (available: " + available() + ")");
    }
    return m;
  }

  @Override
  public void close() {
    clouds.values().forEach(c -> {
      try {
        c.close();
      } catch (RuntimeException e) {
        LOG.warn("closing cloud provider {} failed: {}", c.name(), e.toString());
      }
    });
    clouds.clear();
    secretStores.values().forEach(store -> store.ifPresent(SecretStore::close));
    secretStores.clear();
  }
}
