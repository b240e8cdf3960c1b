package dev.taskjob.crds.v1alpha1.shared;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * A task list in one key of a ConfigMap in the job's namespace: a JSON array, JSON Lines or YAML
 * list of {@code {"id": ..., "data": {...}}}, in {@code data} or, gzip-compressed, in
 * {@code binaryData}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ConfigMapTaskRef {

  @Required
  @Size(min = 1, max = 253)
  @Pattern(Patterns.DNS_SUBDOMAIN)
  @JsonPropertyDescription("Name of the ConfigMap, in the TaskJob's namespace.")
  private String name;

  @Required
  @Size(min = 1, max = 253)
  @Pattern(Patterns.CONFIG_MAP_KEY)
  @JsonPropertyDescription(
      "Key holding the task list, in data (JSON, JSON Lines or YAML) or binaryData (the same, gzip-compressed).")
  private String key;

  public ConfigMapTaskRef() {}

  public ConfigMapTaskRef(String name, String key) {
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
