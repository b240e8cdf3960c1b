package dev.taskjob.operator.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.InstanceState;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end-to-end wrapper must pass every call on: a {@link CloudProvider} method it inherits as the interface's
 * default (disks, stop notices) would answer for the wrapped cloud, which never hears of it. A method added to the
 * interface later fails this test until the wrapper forwards it.
 */
class BootingCloudTest {

  @Test
  void everyCloudProviderMethodReachesTheWrappedCloud(@TempDir Path vmRoot) throws Exception {
    Set<String> called = new ConcurrentSkipListSet<>();
    // A stand-in for the wrapped cloud that records each call; its VMs are terminated, so none boots.
    CloudProvider wrapped = (CloudProvider) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {CloudProvider.class}, (proxy, method, args) -> {
          called.add(signature(method));
          return answerOf(method.getReturnType());
        });
    try (WorkerVms vms = new WorkerVms(vmRoot)) {
      BootingCloud booting = new BootingCloud(wrapped, vms, vm -> "", Map.of());
      Set<String> expected = new TreeSet<>();
      for (Method method : CloudProvider.class.getMethods()) {
        if (Modifier.isStatic(method.getModifiers())) {
          continue;
        }
        expected.add(signature(method));
        Object[] args = Arrays.stream(method.getParameterTypes()).map(BootingCloudTest::argumentOf).toArray();
        BootingCloud.class.getMethod(method.getName(), method.getParameterTypes()).invoke(booting, args);
      }
      assertThat(called).containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  private static String signature(Method method) {
    return method.getName() + Arrays.toString(method.getParameterTypes());
  }

  private static Object argumentOf(Class<?> type) {
    if (type == Collection.class || type == List.class) {
      return List.of("vm-1");
    }
    if (type == int.class) {
      return 1;
    }
    return type == Map.class ? Map.of("taskjob.dev/job", "j") : null;
  }

  private static Object answerOf(Class<?> type) {
    if (type == List.class) {
      return List.of();
    }
    if (type == Instance.class) {
      return new Instance("vm-1", "vm-1", "t", "z", true, InstanceState.TERMINATED, null, Map.of());
    }
    return type == String.class ? "stand-in" : null;
  }
}
