package dev.taskjob.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.taskjob.core.cloud.StartupScript;
import dev.taskjob.crds.v1alpha1.shared.StartupScriptSource;
import dev.taskjob.operator.tasks.TaskSourceException;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** A job's own start-up step, inline or from a ConfigMap key, on its way to the VMs, and its refusals. */
@EnableKubernetesMockClient(crud = true)
class JobStartupScriptsTest {

  KubernetesClient client;

  private static StartupScriptSource inline(String text) {
    StartupScriptSource source = new StartupScriptSource();
    source.setInline(text);
    return source;
  }

  private static StartupScriptSource fromConfigMap(String name, String key) {
    StartupScriptSource source = new StartupScriptSource();
    source.setConfigMapKeyRef(new StartupScriptSource.ConfigMapKey(name, key));
    return source;
  }

  private static String decoded(java.util.Map<String, String> env) {
    return new String(Base64.getDecoder().decode(env.get(StartupScript.JOB_STARTUP_SCRIPT_ENV)),
        StandardCharsets.UTF_8);
  }

  @Test
  void anInlineScriptOrAConfigMapKeyBecomesTheVmsStartupStep() {
    client.configMaps().inNamespace("ns").resource(new ConfigMapBuilder().withNewMetadata().withName("boot")
        .endMetadata().addToData("setup.sh", "apt-get install -y libgdal32\n").build()).create();

    assertThat(decoded(JobStartupScripts.environment(client, "ns", inline("pip install numpy\n"))))
        .isEqualTo("pip install numpy\n");
    assertThat(decoded(JobStartupScripts.environment(client, "ns", fromConfigMap("boot", "setup.sh"))))
        .isEqualTo("apt-get install -y libgdal32\n");
    assertThat(JobStartupScripts.environment(client, "ns", null)).isEmpty();
  }

  @Test
  void aMissingConfigMapOrKeyNamesTheFieldAndMayResolveItself() {
    client.configMaps().inNamespace("ns").resource(new ConfigMapBuilder().withNewMetadata().withName("boot")
        .endMetadata().addToData("other.sh", "true").build()).create();

    assertThatThrownBy(() -> JobStartupScripts.environment(client, "ns", fromConfigMap("nope", "setup.sh")))
        .isInstanceOfSatisfying(TaskSourceException.class, e -> {
          assertThat(e.field()).isEqualTo("spec.worker.startupScript.configMapKeyRef.name");
          assertThat(e.mayResolveItself()).isTrue();
        })
        .hasMessage("spec.worker.startupScript.configMapKeyRef.name: ConfigMap 'nope' not found in namespace 'ns'");
    assertThatThrownBy(() -> JobStartupScripts.environment(client, "ns", fromConfigMap("boot", "setup.sh")))
        .hasMessage("spec.worker.startupScript.configMapKeyRef.key: ConfigMap 'boot' has no key 'setup.sh' in data");
  }

  @Test
  void aScriptTooLongForUserDataIsRefusedBeforeAnyVmExists() {
    client.configMaps().inNamespace("ns").resource(new ConfigMapBuilder().withNewMetadata().withName("big")
        .endMetadata().addToData("setup.sh", "echo é\n".repeat(600)).build()).create();

    assertThatThrownBy(() -> JobStartupScripts.environment(client, "ns", fromConfigMap("big", "setup.sh")))
        .isInstanceOfSatisfying(TaskSourceException.class, e -> {
          assertThat(e.field()).isEqualTo("spec.worker.startupScript");
          assertThat(e.mayResolveItself()).isFalse();
        })
        .hasMessageStartingWith("spec.worker.startupScript: 4800 bytes, more than the 4096 that fit in a VM's user data");
  }
}
