package dev.taskjob.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.jse.JseBaseLib;
import org.luaj.vm2.lib.jse.JseMathLib;

/**
 * The Argo CD health scripts in deploy/argocd, run with luaj on the sample objects in
 * deploy/argocd/testdata (the same table documents what Argo CD shows).
 */
class ArgoCdHealthTest {

  private static final Path ARGOCD = Kustomize.repoRoot().resolve("deploy/argocd");
  private static final Set<String> ARGO_HEALTH_STATUSES =
      Set.of("Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown");
  private static final Map<String, String> SCRIPT_BY_KIND = Map.of(
      "TaskJob", "health-taskjob.lua",
      "InstancePool", "health-instancepool.lua");

  static List<Arguments> taskJobCases() throws IOException {
    return cases("TaskJob", "taskjob.yaml");
  }

  static List<Arguments> instancePoolCases() throws IOException {
    return cases("InstancePool", "instancepool.yaml");
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("taskJobCases")
  void taskJobHealth(String kind, String name, JsonNode object, String status, String message) throws IOException {
    assertHealth(kind, object, status, message);
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("instancePoolCases")
  void instancePoolHealth(String kind, String name, JsonNode object, String status, String message)
      throws IOException {
    assertHealth(kind, object, status, message);
  }

  @Test
  void argoCdSettingsSnippetCarriesTheSameScripts() throws IOException {
    JsonNode configMap = Kustomize.YAML.readTree(ARGOCD.resolve("argocd-cm.yaml").toFile());

    for (Map.Entry<String, String> script : SCRIPT_BY_KIND.entrySet()) {
      String key = "resource.customizations.health.taskjob.dev_" + script.getKey();
      assertThat(configMap.path("data").path(key).asText())
          .as("%s in argocd-cm.yaml must equal %s", key, script.getValue())
          .isEqualTo(Files.readString(ARGOCD.resolve(script.getValue())));
    }
  }

  private static void assertHealth(String kind, JsonNode object, String status, String message) throws IOException {
    LuaTable health = run(SCRIPT_BY_KIND.get(kind), object);

    assertThat(health.get("status").tojstring()).isIn(ARGO_HEALTH_STATUSES).isEqualTo(status);
    assertThat(health.get("message").tojstring()).isEqualTo(message);
  }

  /** Runs a health script as Argo CD does: {@code obj} is the live object, the script returns {status, message}. */
  static LuaTable run(String script, JsonNode object) throws IOException {
    Globals globals = argoCdGlobals();
    globals.set("obj", toLua(object));
    LuaValue result = globals.load(Files.readString(ARGOCD.resolve(script)), script).call();
    assertThat(result.istable()).as("%s returns a table", script).isTrue();
    return result.checktable();
  }

  /** Only the libraries Argo CD opens for health scripts: no os, no io. */
  private static Globals argoCdGlobals() {
    Globals globals = new Globals();
    globals.load(new JseBaseLib());
    globals.load(new PackageLib());
    globals.load(new TableLib());
    globals.load(new StringLib());
    globals.load(new JseMathLib());
    LoadState.install(globals);
    LuaC.install(globals);
    return globals;
  }

  /** JSON as Argo CD hands it to Lua: objects and arrays become tables, every number a Lua number. */
  static LuaValue toLua(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return LuaValue.NIL;
    }
    if (node.isObject()) {
      LuaTable table = new LuaTable();
      node.fields().forEachRemaining(field -> table.set(field.getKey(), toLua(field.getValue())));
      return table;
    }
    if (node.isArray()) {
      LuaTable table = new LuaTable();
      for (int i = 0; i < node.size(); i++) {
        table.set(i + 1, toLua(node.get(i)));
      }
      return table;
    }
    if (node.isNumber()) {
      return LuaValue.valueOf(node.asDouble());
    }
    if (node.isBoolean()) {
      return LuaValue.valueOf(node.asBoolean());
    }
    return LuaValue.valueOf(node.asText());
  }

  private static List<Arguments> cases(String kind, String file) throws IOException {
    List<Arguments> cases = new ArrayList<>();
    for (JsonNode c : Kustomize.YAML.readTree(ARGOCD.resolve("testdata").resolve(file).toFile())) {
      cases.add(Arguments.of(kind, c.path("name").asText(), c.path("object"),
          c.path("expect").path("status").asText(), c.path("expect").path("message").asText()));
    }
    assertThat(cases).as("cases in testdata/" + file).isNotEmpty();
    return cases;
  }
}
