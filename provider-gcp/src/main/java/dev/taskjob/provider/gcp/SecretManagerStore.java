package dev.taskjob.provider.gcp;

import com.google.api.gax.core.FixedCredentialsProvider;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.AlreadyExistsException;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.api.gax.rpc.NotFoundException;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.secretmanager.v1.ProjectName;
import com.google.cloud.secretmanager.v1.Replication;
import com.google.cloud.secretmanager.v1.Secret;
import com.google.cloud.secretmanager.v1.SecretManagerServiceClient;
import com.google.cloud.secretmanager.v1.SecretManagerServiceSettings;
import com.google.cloud.secretmanager.v1.SecretName;
import com.google.cloud.secretmanager.v1.SecretPayload;
import com.google.cloud.secretmanager.v1.SecretVersionName;
import com.google.protobuf.ByteString;
import dev.taskjob.core.cloud.CloudException;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.SecretStore;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A job's secret values in GCP Secret Manager: one secret per variable, id {@code <scope>__<NAME>}
 * (the scope is the job's queue name), labelled {@code taskjob-secret-scope=<hash of the scope>} so that a
 * job's secrets are listed by one filter, replicated automatically. The operator's identity creates and
 * deletes them ({@code roles/secretmanager.admin}); a worker reads its job's with the VM's service account
 * ({@code roles/secretmanager.secretAccessor}, docs/install.md). A version holds 64 KiB.
 *
 * <p>{@link GcpKeys#SECRET_MANAGER_ENDPOINT} points the client at a plain-gRPC endpoint without
 * credentials (a local fake: Secret Manager has no emulator).
 */
final class SecretManagerStore implements SecretStore {

  static final String SCOPE_LABEL = "taskjob-secret-scope";
  private static final String SEPARATOR = "__";
  private static final int MAX_PAYLOAD_BYTES = 65_536;
  private static final List<String> SCOPES = List.of("https://www.googleapis.com/auth/cloud-platform");

  private final SecretManagerServiceClient client;
  private final ManagedChannel plainChannel;
  private final String project;

  private SecretManagerStore(SecretManagerServiceClient client, ManagedChannel plainChannel, String project) {
    this.client = client;
    this.plainChannel = plainChannel;
    this.project = project;
  }

  static SecretManagerStore open(ProviderConfig config) {
    String project = GcpClients.project(config);
    String endpoint = config.property(GcpKeys.SECRET_MANAGER_ENDPOINT);
    try {
      if (endpoint != null && !endpoint.isBlank()) {
        ManagedChannel channel = ManagedChannelBuilder.forTarget(endpoint.trim()).usePlaintext().build();
        SecretManagerServiceSettings settings = SecretManagerServiceSettings.newBuilder()
            .setTransportChannelProvider(FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel)))
            .setCredentialsProvider(NoCredentialsProvider.create()).build();
        return new SecretManagerStore(SecretManagerServiceClient.create(settings), channel, project);
      }
      SecretManagerServiceSettings.Builder settings = SecretManagerServiceSettings.newBuilder();
      String json = config.property(GcpClients.SERVICE_ACCOUNT_JSON);
      if (json != null && !json.isBlank()) {
        settings.setCredentialsProvider(FixedCredentialsProvider.create(GoogleCredentials
            .fromStream(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))).createScoped(SCOPES)));
      }
      return new SecretManagerStore(SecretManagerServiceClient.create(settings.build()), null, project);
    } catch (IOException e) {
      throw new CloudException("cannot connect to Secret Manager: " + e.getMessage(), true, e);
    }
  }

  /** The label value naming a scope: a hash, since label values allow only 63 lower-case characters. */
  static String scopeLabel(String scope) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(scope.getBytes(StandardCharsets.UTF_8));
      return "s" + HexFormat.of().formatHex(digest).substring(0, 40);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String secretId(String scope, String variable) {
    return scope + SEPARATOR + variable;
  }

  @Override
  public int maxValueBytes() {
    return MAX_PAYLOAD_BYTES;
  }

  @Override
  public void put(String scope, Map<String, String> values) {
    try {
      for (Map.Entry<String, String> e : values.entrySet()) {
        String id = secretId(scope, e.getKey());
        try {
          client.createSecret(ProjectName.of(project), id, Secret.newBuilder()
              .setReplication(Replication.newBuilder().setAutomatic(Replication.Automatic.getDefaultInstance()))
              .putLabels(SCOPE_LABEL, scopeLabel(scope)).build());
        } catch (AlreadyExistsException replaced) {
          // a retried start: the new version below replaces the value
        }
        client.addSecretVersion(SecretName.of(project, id), SecretPayload.newBuilder()
            .setData(ByteString.copyFrom(e.getValue(), StandardCharsets.UTF_8)).build());
      }
    } catch (ApiException e) {
      throw failure("store secret values under " + scope, e);
    }
  }

  @Override
  public Map<String, String> read(String scope) {
    Map<String, String> values = new TreeMap<>();
    try {
      for (String id : secretIds(scope)) {
        String value = client.accessSecretVersion(SecretVersionName.of(project, id, "latest")).getPayload().getData()
            .toStringUtf8();
        values.put(id.substring(scope.length() + SEPARATOR.length()), value);
      }
    } catch (ApiException e) {
      throw failure("read secret values under " + scope, e);
    }
    return values;
  }

  @Override
  public void delete(String scope) {
    try {
      for (String id : secretIds(scope)) {
        try {
          client.deleteSecret(SecretName.of(project, id));
        } catch (NotFoundException gone) {
          // deleted by a parallel cleanup
        }
      }
    } catch (ApiException e) {
      throw failure("delete secret values under " + scope, e);
    }
  }

  /** The scope's secrets: those with its label whose id starts with it (a hash collision cannot mix jobs). */
  private List<String> secretIds(String scope) {
    List<String> ids = new ArrayList<>();
    String filter = "labels." + SCOPE_LABEL + "=" + scopeLabel(scope);
    for (Secret secret : client.listSecrets(com.google.cloud.secretmanager.v1.ListSecretsRequest.newBuilder()
        .setParent(ProjectName.of(project).toString()).setFilter(filter).build()).iterateAll()) {
      String id = SecretName.parse(secret.getName()).getSecret();
      if (id.startsWith(scope + SEPARATOR)) {
        ids.add(id);
      }
    }
    return ids;
  }

  @Override
  public void close() {
    client.close();
    if (plainChannel != null) {
      plainChannel.shutdownNow();
      try {
        plainChannel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static CloudException failure(String what, ApiException e) {
    return new CloudException("cannot " + what + " in Secret Manager: " + e.getMessage(), e.isRetryable(), e);
  }
}
