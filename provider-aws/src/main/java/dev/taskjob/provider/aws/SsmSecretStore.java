package dev.taskjob.provider.aws;

import dev.taskjob.core.cloud.CloudException;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.SecretStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.Parameter;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * A job's secret values as SSM Parameter Store SecureString parameters {@code /taskjob/<scope>/<NAME>},
 * encrypted with the account's {@code aws/ssm} key. The operator's role puts and deletes them; a worker's
 * instance profile reads its job's path (deploy/aws/worker-policy.json). Standard-tier parameters hold
 * 4 KiB.
 */
final class SsmSecretStore implements SecretStore {

  static final String PREFIX = "/taskjob/";
  private static final int STANDARD_TIER_MAX_BYTES = 4096;
  private static final int DELETE_BATCH = 10;

  private final SsmClient ssm;

  SsmSecretStore(ProviderConfig config) {
    this(AwsClients.ssm(config));
  }

  SsmSecretStore(SsmClient ssm) {
    this.ssm = ssm;
  }

  static String path(String scope) {
    return PREFIX + scope;
  }

  @Override
  public int maxValueBytes() {
    return STANDARD_TIER_MAX_BYTES;
  }

  @Override
  public void put(String scope, Map<String, String> values) {
    try {
      for (Map.Entry<String, String> e : values.entrySet()) {
        ssm.putParameter(r -> r.name(path(scope) + "/" + e.getKey()).value(e.getValue())
            .type(ParameterType.SECURE_STRING).overwrite(true));
      }
    } catch (SdkException e) {
      throw failure("store secret values under " + path(scope), e);
    }
  }

  @Override
  public Map<String, String> read(String scope) {
    Map<String, String> values = new TreeMap<>();
    try {
      for (var page : ssm.getParametersByPathPaginator(r -> r.path(path(scope)).withDecryption(true)
          .recursive(false))) {
        for (Parameter p : page.parameters()) {
          values.put(p.name().substring(p.name().lastIndexOf('/') + 1), p.value());
        }
      }
    } catch (SdkException e) {
      throw failure("read secret values under " + path(scope), e);
    }
    return values;
  }

  @Override
  public void delete(String scope) {
    try {
      List<String> names = new ArrayList<>();
      for (var page : ssm.getParametersByPathPaginator(r -> r.path(path(scope)).recursive(false))) {
        page.parameters().forEach(p -> names.add(p.name()));
      }
      for (int i = 0; i < names.size(); i += DELETE_BATCH) {
        List<String> batch = names.subList(i, Math.min(names.size(), i + DELETE_BATCH));
        ssm.deleteParameters(r -> r.names(batch));
      }
    } catch (SdkException e) {
      throw failure("delete secret values under " + path(scope), e);
    }
  }

  @Override
  public void close() {
    ssm.close();
  }

  private static CloudException failure(String what, SdkException e) {
    return new CloudException("cannot " + what + ": " + e.getMessage(), e.retryable(), e);
  }
}
