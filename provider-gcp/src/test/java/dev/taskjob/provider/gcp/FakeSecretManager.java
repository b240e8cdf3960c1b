package dev.taskjob.provider.gcp;

import com.google.cloud.secretmanager.v1.AccessSecretVersionRequest;
import com.google.cloud.secretmanager.v1.AccessSecretVersionResponse;
import com.google.cloud.secretmanager.v1.AddSecretVersionRequest;
import com.google.cloud.secretmanager.v1.CreateSecretRequest;
import com.google.cloud.secretmanager.v1.DeleteSecretRequest;
import com.google.cloud.secretmanager.v1.ListSecretsRequest;
import com.google.cloud.secretmanager.v1.ListSecretsResponse;
import com.google.cloud.secretmanager.v1.Secret;
import com.google.cloud.secretmanager.v1.SecretManagerServiceGrpc;
import com.google.cloud.secretmanager.v1.SecretPayload;
import com.google.cloud.secretmanager.v1.SecretVersion;
import com.google.protobuf.Empty;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Secret Manager has no emulator: this is a hand-written fake of the gRPC calls {@link SecretManagerStore}
 * makes (create, add version, list with a {@code labels.KEY=VALUE} filter, access {@code latest}, delete),
 * served on a loopback port, so that the real client library talks to it over the wire. Keeps secrets in
 * memory; answers ALREADY_EXISTS and NOT_FOUND as the service does. Pages of 2 secrets, to exercise paging.
 */
final class FakeSecretManager implements AutoCloseable {

  private static final Pattern LABEL_FILTER = Pattern.compile("labels\\.([a-z0-9_-]+)=([a-z0-9_-]+)");
  private static final int PAGE_SIZE = 2;

  private final Map<String, Secret> secrets = new TreeMap<>();
  private final Map<String, List<SecretPayload>> versions = new TreeMap<>();
  private final Server server;

  FakeSecretManager() throws IOException {
    server = ServerBuilder.forPort(0).addService(new Service()).build().start();
  }

  String endpoint() {
    return "127.0.0.1:" + server.getPort();
  }

  synchronized List<String> secretNames() {
    return List.copyOf(secrets.keySet());
  }

  synchronized Secret secret(String name) {
    return secrets.get(name);
  }

  synchronized int versions(String name) {
    return versions.getOrDefault(name, List.of()).size();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(10, TimeUnit.SECONDS);
  }

  private final class Service extends SecretManagerServiceGrpc.SecretManagerServiceImplBase {

    @Override
    public void createSecret(CreateSecretRequest request, StreamObserver<Secret> response) {
      String name = request.getParent() + "/secrets/" + request.getSecretId();
      synchronized (FakeSecretManager.this) {
        if (secrets.containsKey(name)) {
          response.onError(Status.ALREADY_EXISTS.withDescription("Secret [" + name + "] already exists.")
              .asRuntimeException());
          return;
        }
        Secret secret = request.getSecret().toBuilder().setName(name).build();
        secrets.put(name, secret);
        response.onNext(secret);
      }
      response.onCompleted();
    }

    @Override
    public void addSecretVersion(AddSecretVersionRequest request, StreamObserver<SecretVersion> response) {
      synchronized (FakeSecretManager.this) {
        if (!secrets.containsKey(request.getParent())) {
          response.onError(Status.NOT_FOUND.withDescription("Secret [" + request.getParent() + "] not found.")
              .asRuntimeException());
          return;
        }
        List<SecretPayload> list = versions.computeIfAbsent(request.getParent(), k -> new ArrayList<>());
        list.add(request.getPayload());
        response.onNext(SecretVersion.newBuilder().setName(request.getParent() + "/versions/" + list.size()).build());
      }
      response.onCompleted();
    }

    @Override
    public void listSecrets(ListSecretsRequest request, StreamObserver<ListSecretsResponse> response) {
      Matcher filter = LABEL_FILTER.matcher(request.getFilter());
      if (!request.getFilter().isEmpty() && !filter.matches()) {
        response.onError(Status.INVALID_ARGUMENT.withDescription("filter not understood by the fake: "
            + request.getFilter()).asRuntimeException());
        return;
      }
      List<Secret> matching = new ArrayList<>();
      synchronized (FakeSecretManager.this) {
        for (Secret s : secrets.values()) {
          if (s.getName().startsWith(request.getParent() + "/secrets/")
              && (request.getFilter().isEmpty() || filter.group(2).equals(s.getLabelsMap().get(filter.group(1))))) {
            matching.add(s);
          }
        }
      }
      int from = request.getPageToken().isEmpty() ? 0 : Integer.parseInt(request.getPageToken());
      int to = Math.min(matching.size(), from + PAGE_SIZE);
      response.onNext(ListSecretsResponse.newBuilder().addAllSecrets(matching.subList(from, to))
          .setNextPageToken(to < matching.size() ? Integer.toString(to) : "").setTotalSize(matching.size()).build());
      response.onCompleted();
    }

    @Override
    public void accessSecretVersion(AccessSecretVersionRequest request,
        StreamObserver<AccessSecretVersionResponse> response) {
      String name = request.getName();
      String secret = name.substring(0, name.lastIndexOf("/versions/"));
      synchronized (FakeSecretManager.this) {
        List<SecretPayload> list = versions.get(secret);
        if (!name.endsWith("/versions/latest") || list == null || list.isEmpty()) {
          response.onError(Status.NOT_FOUND.withDescription("Secret Version [" + name + "] not found.")
              .asRuntimeException());
          return;
        }
        response.onNext(AccessSecretVersionResponse.newBuilder().setName(secret + "/versions/" + list.size())
            .setPayload(list.get(list.size() - 1)).build());
      }
      response.onCompleted();
    }

    @Override
    public void deleteSecret(DeleteSecretRequest request, StreamObserver<Empty> response) {
      synchronized (FakeSecretManager.this) {
        if (secrets.remove(request.getName()) == null) {
          response.onError(Status.NOT_FOUND.withDescription("Secret [" + request.getName() + "] not found.")
              .asRuntimeException());
          return;
        }
        versions.remove(request.getName());
        response.onNext(Empty.getDefaultInstance());
      }
      response.onCompleted();
    }
  }
}
