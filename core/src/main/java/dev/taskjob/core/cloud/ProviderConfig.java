package dev.taskjob.core.cloud;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where and as whom a provider works.
 *
 * @param provider "aws", "gcp" or "local"
 * @param region the region (AWS region, GCP region); for local, ignored
 * @param zones zones to use, empty for all zones of the region
 * @param properties provider settings; the keys are in {@link Keys}
 */
public record ProviderConfig(String provider, String region, List<String> zones, Map<String, String> properties) {

  public ProviderConfig {
    Objects.requireNonNull(provider, "provider");
    zones = zones == null ? List.of() : List.copyOf(zones);
    properties = properties == null ? Map.of() : Map.copyOf(properties);
  }

  public String property(String key) {
    return properties.get(key);
  }

  public String property(String key, String fallback) {
    return properties.getOrDefault(key, fallback);
  }

  /** Property keys shared by the providers. Each provider README lists the ones it reads. */
  public static final class Keys {
    /** GCP project id. */
    public static final String PROJECT = "project";
    /**
     * The taskjob worker image (e.g. {@code 111122223333.dkr.ecr.us-east-1.amazonaws.com/taskjob-worker:0.1.0}):
     * VMs copy its {@code /opt/taskjob} (the worker and its Java runtime) into the job's own image.
     */
    public static final String WORKER_IMAGE = "worker.image";
    /** Endpoint override for AWS services (else AWS_ENDPOINT_URL). */
    public static final String AWS_ENDPOINT = "aws.endpoint";
    /** Endpoint override for the Pub/Sub API, host:port, plain text (else PUBSUB_EMULATOR_HOST). */
    public static final String PUBSUB_ENDPOINT = "pubsub.endpoint";
    /** Endpoint override for the Compute Engine REST API (base URL). */
    public static final String COMPUTE_ENDPOINT = "compute.endpoint";
    /** Endpoint override for the Cloud Billing Catalog REST API (base URL). */
    public static final String BILLING_ENDPOINT = "billing.endpoint";
    /** Endpoint override for the Cloud Storage JSON API (base URL, e.g. {@code http://127.0.0.1:4443}). */
    public static final String STORAGE_ENDPOINT = "storage.endpoint";
    /** Credentials: keys of the referenced Secret are passed as {@code credentials.<key>}. */
    public static final String CREDENTIALS_PREFIX = "credentials.";
    /** Local provider: the directory holding queues and instance work dirs. */
    public static final String LOCAL_ROOT = "local.root";
    /** Local provider: the command that starts a worker (else the bundled worker jar). */
    public static final String LOCAL_WORKER_COMMAND = "local.workerCommand";
    /**
     * Local provider: seconds a received event stays invisible before it is delivered again (default 60); tests
     * of an operator killed before its ack shorten it instead of waiting a minute.
     */
    public static final String LOCAL_EVENT_LEASE_SECONDS = "local.eventLeaseSeconds";
    /** Prefix of user price overrides: {@code price.<key>} = a ConfigMap entry, see {@link PriceOverrides}. */
    public static final String PRICE_OVERRIDE_PREFIX = "price.";
    /** {@code auto} (default: the cloud's APIs, the bundled snapshot when they cannot be reached) or {@code snapshot}. */
    public static final String CATALOG_SOURCE = "catalog.source";
    /** How often the catalog's prices are refreshed, in seconds (default 3600). */
    public static final String CATALOG_REFRESH_SECONDS = "catalog.refreshSeconds";

    private Keys() {}
  }
}
