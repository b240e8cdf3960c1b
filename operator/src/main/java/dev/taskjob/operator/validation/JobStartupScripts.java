package dev.taskjob.operator.validation;

import dev.taskjob.core.cloud.StartupScript;
import dev.taskjob.crds.v1alpha1.shared.StartupScriptSource;
import dev.taskjob.operator.tasks.TaskSourceException;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * A job's {@code spec.worker.startupScript}, inline or from a ConfigMap key, as the worker environment entry
 * the VM's startup script runs it from ({@link StartupScript#JOB_STARTUP_SCRIPT_ENV}, base64 of the text).
 */
public final class JobStartupScripts {

  private static final String FIELD = "spec.worker.startupScript";

  private JobStartupScripts() {}

  /**
   * The environment entry for {@code source}, empty when there is none.
   *
   * @throws TaskSourceException naming the field: a ConfigMap or key that is not there (which may appear
   *     later), or a script that cannot run on a VM (too long, a line that would end it)
   */
  public static Map<String, String> environment(KubernetesClient client, String namespace,
      StartupScriptSource source) {
    String text = text(client, namespace, source);
    if (text == null) {
      return Map.of();
    }
    String problem = StartupScript.jobStartupScriptProblem(text);
    if (problem != null) {
      throw new TaskSourceException(Invalid.INVALID_SPEC, FIELD, problem);
    }
    return Map.of(StartupScript.JOB_STARTUP_SCRIPT_ENV,
        Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static String text(KubernetesClient client, String namespace, StartupScriptSource source) {
    if (source == null) {
      return null;
    }
    if (source.getInline() != null) {
      return source.getInline();
    }
    StartupScriptSource.ConfigMapKey ref = source.getConfigMapKeyRef();
    if (ref == null) {
      throw new TaskSourceException(Invalid.INVALID_SPEC, FIELD,
          FIELD + ": needs exactly one of inline or configMapKeyRef");
    }
    String field = FIELD + ".configMapKeyRef";
    ConfigMap cm = client.configMaps().inNamespace(namespace).withName(ref.getName()).get();
    if (cm == null) {
      throw new TaskSourceException(TaskSourceException.CONFIG_MAP_NOT_FOUND, field + ".name",
          field + ".name: ConfigMap '" + ref.getName() + "' not found in namespace '" + namespace + "'");
    }
    String text = cm.getData() == null ? null : cm.getData().get(ref.getKey());
    if (text == null) {
      throw new TaskSourceException(TaskSourceException.CONFIG_MAP_NOT_FOUND, field + ".key",
          field + ".key: ConfigMap '" + ref.getName() + "' has no key '" + ref.getKey() + "' in data");
    }
    return text;
  }
}
