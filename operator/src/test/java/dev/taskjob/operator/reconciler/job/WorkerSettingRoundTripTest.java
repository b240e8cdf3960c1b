package dev.taskjob.operator.reconciler.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.queue.QueueSettings;
import dev.taskjob.core.worker.WorkerSetting;
import dev.taskjob.crds.v1alpha1.shared.RetrySpec;
import dev.taskjob.crds.v1alpha1.shared.WorkerSpec;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.operator.reconciler.TaskJobs;
import dev.taskjob.worker.WorkerMain;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The {@code TASKJOB_*} variables the operator writes and those the worker reads are the same set, the
 * {@link WorkerSetting} catalogue, and every value the operator writes for a job parses as the worker's
 * option of that name.
 */
class WorkerSettingRoundTripTest {

  private static final Pattern ENV_DEFAULT = Pattern.compile("\\$\\{env:([A-Z0-9_]+)");

  /** A job that sets every worker field the operator turns into a variable. */
  private static Map<String, String> everythingSet() {
    TaskJob job = TaskJobs.generated("sweep", 12, List.of("python3", "run.py", "--fast"));
    job.getMetadata().setNamespace("team-a");
    job.getSpec().setRegion("us-east-1");
    job.getSpec().setProject("my-project");
    WorkerSpec worker = job.getSpec().getWorker();
    worker.setImage("registry.example/sweep:1");
    worker.setMaxMemoryPerTask("2Gi");
    dev.taskjob.crds.v1alpha1.shared.EnvVar password = new dev.taskjob.crds.v1alpha1.shared.EnvVar();
    password.setName("DB_PASSWORD");
    password.setValueFrom(new dev.taskjob.crds.v1alpha1.shared.EnvVarSource(
        new dev.taskjob.crds.v1alpha1.shared.SecretKeySelector("db", "password")));
    worker.setEnv(List.of(password));
    worker.setSimultaneousTasks(3);
    worker.setCpusPerTask(1.5);
    worker.setMaxRuntime("20m");
    worker.setShutdownGracePeriod("45s");
    RetrySpec retry = new RetrySpec();
    retry.setMaxAttempts(2);
    retry.setOnFailure(true);
    retry.setOnTimeout(true);
    retry.setRetryExitCodes(List.of(75, 143));
    worker.setRetry(retry);
    QueueSettings queue = WorkerEnvironment.queueSettings("tj-team-a-sweep", worker);
    return WorkerEnvironment.of(job, job.getSpec(), queue, Duration.ofSeconds(30));
  }

  /** The worker's options (their first name), by the variable each takes its default from. */
  private static Map<String, String> workerOptionsByVariable() {
    Map<String, String> byVariable = new LinkedHashMap<>();
    for (Field field : WorkerMain.class.getDeclaredFields()) {
      CommandLine.Option option = field.getAnnotation(CommandLine.Option.class);
      if (option == null) {
        continue;
      }
      Matcher m = ENV_DEFAULT.matcher(option.defaultValue());
      while (m.find()) {
        byVariable.putIfAbsent(m.group(1), option.names()[0]);
      }
    }
    return byVariable;
  }

  @Test
  void theOperatorWritesExactlyTheCataloguesJobVariables() {
    assertThat(everythingSet().keySet()).containsExactlyInAnyOrderElementsOf(
        WorkerSetting.writtenBy(WorkerSetting.Writer.OPERATOR));
  }

  @Test
  void theWorkerReadsEveryCatalogueVariableMeantForIt() {
    Map<String, String> options = workerOptionsByVariable();
    for (WorkerSetting setting : WorkerSetting.values()) {
      if (!setting.readByWorker()) {
        assertThat(options).as(setting.variable() + " is for the startup script").doesNotContainKey(setting.variable());
      } else if (setting.writer() == WorkerSetting.Writer.MACHINE) {
        // not options: the worker passes them on to each task's environment
        assertThat(options).doesNotContainKey(setting.variable());
      } else {
        assertThat(options).as(setting.variable() + " is an option of the worker").containsKey(setting.variable());
      }
    }
  }

  @Test
  void everyValueTheOperatorWritesParsesAsTheWorkersOption() {
    Map<String, String> options = workerOptionsByVariable();
    List<String> args = new ArrayList<>();
    everythingSet().forEach((variable, value) -> {
      String option = options.get(variable);
      if (option != null) {
        args.add(option + "=" + value);
      }
    });
    assertThat(args).hasSize(WorkerSetting.writtenBy(WorkerSetting.Writer.OPERATOR).size() - 1); // less the image

    CommandLine.ParseResult parsed = new CommandLine(new WorkerMain()).parseArgs(args.toArray(String[]::new));

    assertThat(parsed.matchedOptions()).hasSameSizeAs(args);
    assertThat(parsed.errors()).isEmpty();
    for (String arg : args) {
      String option = arg.substring(0, arg.indexOf('='));
      assertThat((Object) parsed.matchedOption(option).getValue()).as(arg).isNotNull();
    }
    assertThat((Integer) parsed.matchedOption("--max-attempts").getValue()).isEqualTo(2);
  }
}
