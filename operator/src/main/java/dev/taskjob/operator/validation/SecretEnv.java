package dev.taskjob.operator.validation;

import dev.taskjob.crds.v1alpha1.shared.EnvVar;
import dev.taskjob.crds.v1alpha1.shared.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The values of a job's {@code env[].valueFrom.secretKeyRef} entries, read from the Secrets they name in
 * the job's namespace: only those Secrets, each with one get, never a list, and only Secrets labelled
 * {@value #TASK_ENV_LABEL}{@code =true}. The label is the consent of someone who may write the Secret:
 * without it, anyone allowed to create TaskJobs (taskjob-edit, which does not include reading Secrets)
 * could have a task print any Secret of the namespace. Problems are reported by field and reason, never
 * with a value.
 */
public final class SecretEnv {

  /** The label a Secret needs before its values may be given to tasks. */
  public static final String TASK_ENV_LABEL = "taskjob.dev/task-env";

  private SecretEnv() {}

  /** A referenced Secret or key that is missing, or a value the job's secret store cannot hold. */
  static final class Unresolved extends RuntimeException {
    final transient Invalid invalid;

    Unresolved(Invalid invalid) {
      super(invalid.message());
      this.invalid = invalid;
    }
  }

  /** Whether any entry takes its value from a Secret. */
  public static boolean any(List<EnvVar> env) {
    return env != null && env.stream().anyMatch(v -> v != null && v.secretKeyRef() != null);
  }

  /**
   * The values by variable name.
   *
   * @param maxValueBytes the largest value the job's secret store takes
   * @throws Unresolved when a Secret or key is missing (may resolve itself), or a value is too large or holds a NUL
   */
  static Map<String, String> resolve(KubernetesClient client, String namespace, List<EnvVar> env, int maxValueBytes) {
    Map<String, Secret> secrets = new HashMap<>();
    Map<String, String> values = new TreeMap<>();
    for (int i = 0; env != null && i < env.size(); i++) {
      SecretKeySelector ref = env.get(i).secretKeyRef();
      if (ref == null) {
        continue;
      }
      String field = "spec.worker.env[" + i + "].valueFrom.secretKeyRef";
      Secret secret = secrets.computeIfAbsent(ref.getName(),
          name -> client.secrets().inNamespace(namespace).withName(name).get());
      if (secret == null) {
        throw new Unresolved(new Invalid(Invalid.SECRET_NOT_FOUND, field + ".name", field + ".name: Secret '"
            + ref.getName() + "' not found in namespace '" + namespace + "'", true));
      }
      java.util.Map<String, String> labels = secret.getMetadata() == null ? null : secret.getMetadata().getLabels();
      if (labels == null || !"true".equals(labels.get(TASK_ENV_LABEL))) {
        throw new Unresolved(new Invalid(Invalid.SECRET_NOT_ALLOWED, field + ".name", field + ".name: Forbidden: "
            + "Secret '" + ref.getName() + "' is not labelled " + TASK_ENV_LABEL + "=true; someone who may write the "
            + "Secret allows tasks to read it with: kubectl label secret " + ref.getName() + " " + TASK_ENV_LABEL
            + "=true", true));
      }
      String value = value(secret, ref.getKey());
      if (value == null) {
        throw new Unresolved(new Invalid(Invalid.SECRET_NOT_FOUND, field + ".key", field + ".key: Secret '"
            + ref.getName() + "' has no key '" + ref.getKey() + "'", true));
      }
      if (value.indexOf('\0') >= 0) {
        throw new Unresolved(new Invalid(Invalid.INVALID_SPEC, field, field + ": Invalid value: the value of key '"
            + ref.getKey() + "' in Secret '" + ref.getName() + "' holds a NUL character, which no process "
            + "environment can hold", true));
      }
      int bytes = value.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > maxValueBytes) {
        throw new Unresolved(new Invalid(Invalid.INVALID_SPEC, field, field + ": Invalid value: the value of key '"
            + ref.getKey() + "' in Secret '" + ref.getName() + "' takes " + bytes + " bytes, over the "
            + maxValueBytes + " this provider's secret store holds", true));
      }
      values.put(env.get(i).getName(), value);
    }
    return values;
  }

  private static String value(Secret secret, String key) {
    if (secret.getStringData() != null && secret.getStringData().containsKey(key)) {
      return secret.getStringData().get(key);
    }
    if (secret.getData() != null && secret.getData().containsKey(key)) {
      return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }
    return null;
  }
}
