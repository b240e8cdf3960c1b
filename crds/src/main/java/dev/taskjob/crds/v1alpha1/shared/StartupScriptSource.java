package dev.taskjob.crds.v1alpha1.shared;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * A shell script each instance runs as root before the worker starts (install a package, mount a bucket):
 * written here, or read from a key of a ConfigMap in the job's namespace when the job starts.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.inline) != has(self.configMapKeyRef)",
    message = "startupScript needs exactly one of inline or configMapKeyRef")
public class StartupScriptSource {

  /** The most a script may hold: with the worker's own start-up it must fit EC2's 16 KiB of user data. */
  public static final int MAX_BYTES = 4096;

  @Size(max = MAX_BYTES)
  @JsonPropertyDescription("The script, run with bash as root on each instance (not in the task container).")
  private String inline;

  @JsonPropertyDescription("A ConfigMap key in the job's namespace holding the script (read once, when the job starts).")
  private ConfigMapKey configMapKeyRef;

  public String getInline() {
    return inline;
  }

  public void setInline(String inline) {
    this.inline = inline;
  }

  public ConfigMapKey getConfigMapKeyRef() {
    return configMapKeyRef;
  }

  public void setConfigMapKeyRef(ConfigMapKey configMapKeyRef) {
    this.configMapKeyRef = configMapKeyRef;
  }

  /** One key of a ConfigMap in the job's namespace. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ConfigMapKey {

    @Required
    @Size(min = 1, max = 253)
    @Pattern(Patterns.DNS_SUBDOMAIN)
    @JsonPropertyDescription("Name of the ConfigMap, in the TaskJob's namespace.")
    private String name;

    @Required
    @Size(min = 1, max = 253)
    @Pattern(Patterns.CONFIG_MAP_KEY)
    @JsonPropertyDescription("Key of its data holding the script.")
    private String key;

    public ConfigMapKey() {}

    public ConfigMapKey(String name, String key) {
      this.name = name;
      this.key = key;
    }

    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }

    public String getKey() {
      return key;
    }

    public void setKey(String key) {
      this.key = key;
    }
  }
}
