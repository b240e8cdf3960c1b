package dev.taskjob.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.operator.OperatorSettings;
import dev.taskjob.operator.reconciler.OperatorHarness;
import dev.taskjob.operator.reconciler.TaskJobs;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The phase metric as a running operator reports it, read from its informer cache at scrape time. */
class PhaseMetricTest {

  @Test
  void reportsTheJobsPhaseFromTheRunningOperator(@TempDir Path root) {
    OperatorSettings settings = OperatorSettings.defaults("test-cluster").fast()
        .withProviderProperties(Map.of(ProviderConfig.Keys.LOCAL_ROOT, root.toString()));
    try (OperatorHarness harness = new OperatorHarness(settings)) {
      harness.configMap("tasks", "tasks.json", TaskJobs.additionTasks(2));
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      OperatorMetrics metrics = new OperatorMetrics(registry);
      metrics.fromJobsAtScrape(InformerCaches.taskJobs(harness.start().josdk()));
      TaskJob job = TaskJobs.fromConfigMap("bad-runtime", "tasks", "tasks.json", List.of("true"));
      job.getSpec().getWorker().setMaxRuntime("ten minutes");

      harness.apply(job);
      harness.awaitJob("bad-runtime", OperatorHarness.PATIENCE,
          j -> j.getStatus() != null && j.getStatus().getPhase() == TaskJobPhase.FAILED);

      // The informer sees the status the operator wrote; the scrape follows it.
      String failed = "taskjob_job_phase{namespace=\"" + OperatorHarness.NAMESPACE
          + "\",phase=\"Failed\",taskjob=\"bad-runtime\"} 1.0";
      String scrape = OperatorHarness.<String>await(OperatorHarness.PATIENCE, registry::scrape,
          s -> s.contains(failed), failed);
      assertThat(scrape).contains("taskjob_job_phase{namespace=\"" + OperatorHarness.NAMESPACE
              + "\",phase=\"Running\",taskjob=\"bad-runtime\"} 0.0");
    }
  }
}
