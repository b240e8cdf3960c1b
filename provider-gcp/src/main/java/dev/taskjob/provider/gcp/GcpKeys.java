package dev.taskjob.provider.gcp;

/** {@link dev.taskjob.core.cloud.ProviderConfig} properties only the gcp cloud provider reads. */
public final class GcpKeys {
  /** VPC network for new VMs (default {@code global/networks/default}). */
  public static final String NETWORK = "gcp.network";
  /** Subnetwork for new VMs ({@code regions/<region>/subnetworks/<name>}); default: the network's auto subnet. */
  public static final String SUBNETWORK = "gcp.subnetwork";
  /** {@code true} (default) gives VMs an ephemeral external IP, needed to pull images without Cloud NAT. */
  public static final String EXTERNAL_IP = "gcp.externalIp";
  /** Secret Manager at {@code host:port} over plain gRPC without credentials (a local fake); default: Google's. */
  public static final String SECRET_MANAGER_ENDPOINT = "gcp.secretManagerEndpoint";

  private GcpKeys() {}
}
