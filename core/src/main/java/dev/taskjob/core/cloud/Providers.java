package dev.taskjob.core.cloud;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds provider modules on the class path. */
public final class Providers {

  private Providers() {}

  /** All provider modules on the class path, by name. */
  public static Map<String, ProviderModule> available() {
    Map<String, ProviderModule> modules = new TreeMap<>();
    for (ProviderModule module : ServiceLoader.load(ProviderModule.class)) {
      modules.put(module.name(), module);
    }
    return modules;
  }

  /** The named provider, or an error naming the ones that exist. */
  public static ProviderModule get(String name) {
    Map<String, ProviderModule> modules = available();
    ProviderModule module = modules.get(name);
    if (module == null) {
      String available = modules.isEmpty() ? "none (no provider module on the class path)" : String.join(", ", modules.keySet());
      throw new IllegalArgumentException("unknown provider '" + name + "'; available: " + available);
    }
    return module;
  }
}
