package dev.taskjob.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.crds.v1alpha1.taskjob.BudgetSpec;
import dev.taskjob.crds.v1alpha1.taskjob.CostShares;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJob;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobPhase;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobSpec;
import dev.taskjob.crds.v1alpha1.taskjob.TaskJobStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

/** What a Prometheus scrape of the operator's own metrics shows. */
class OperatorMetricsTest {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final OperatorMetrics metrics = new OperatorMetrics(registry);

  @Test
  void labelsJobSeriesWithNamespaceAndTaskjobNeverJob() {
    metrics.job("team-a", "render", new OperatorMetrics.JobFigures(10, 10, 4, 1, 2, 0, 3, 0.5, 1.25, 3.5));

    String scrape = registry.scrape();

    assertThat(scrape).contains("taskjob_job_tasks{namespace=\"team-a\",state=\"succeeded\",taskjob=\"render\"} 4.0")
        .contains("taskjob_job_cost_per_hour_usd{namespace=\"team-a\",taskjob=\"render\"} 1.25")
        .doesNotContainPattern("[{,]job=");
  }

  @Test
  void showsEachJobsCurrentPhaseAsOneAndEveryOtherAsZero() {
    List<TaskJob> cluster = new ArrayList<>(List.of(job("team-a", "render", TaskJobPhase.FAILED),
        job("team-b", "render", null)));
    metrics.fromJobsAtScrape(cluster::stream);

    String scrape = registry.scrape();

    assertThat(scrape).contains("taskjob_job_phase{namespace=\"team-a\",phase=\"Failed\",taskjob=\"render\"} 1.0")
        .contains("taskjob_job_phase{namespace=\"team-a\",phase=\"Running\",taskjob=\"render\"} 0.0")
        .contains("taskjob_job_phase{namespace=\"team-b\",phase=\"Pending\",taskjob=\"render\"} 1.0");
  }

  @Test
  void readsPhasesAtEachScrapeSoADeletedJobsSeriesGo() {
    List<TaskJob> cluster = new ArrayList<>(List.of(job("team-a", "render", TaskJobPhase.RUNNING)));
    metrics.fromJobsAtScrape(cluster::stream);
    registry.scrape();

    cluster.get(0).getStatus().setPhase(TaskJobPhase.SUCCEEDED);
    assertThat(registry.scrape())
        .contains("taskjob_job_phase{namespace=\"team-a\",phase=\"Succeeded\",taskjob=\"render\"} 1.0");
    cluster.clear();
    assertThat(registry.scrape()).doesNotContain("taskjob_job_phase{");
  }

  @Test
  void dropsAGoneJobsSeriesAndKeepsOthers() {
    metrics.job("team-a", "render", new OperatorMetrics.JobFigures(1, 1, 0, 0, 0, 0, 1, 0, 0, 0));
    metrics.job("team-b", "render", new OperatorMetrics.JobFigures(1, 1, 0, 0, 0, 0, 1, 0, 0, 0));

    metrics.jobGone("team-a", "render");

    assertThat(registry.scrape()).doesNotContain("namespace=\"team-a\"")
        .contains("taskjob_job_tasks{namespace=\"team-b\",state=\"total\",taskjob=\"render\"} 1.0");
  }

  @Test
  void showsABudgetOnlyForJobsWithOneAndWhereEachJobsCostWent() {
    TaskJob budgeted = job("team-a", "render", TaskJobPhase.RUNNING);
    budgeted.setSpec(new TaskJobSpec());
    budgeted.getSpec().setBudget(new BudgetSpec());
    budgeted.getSpec().getBudget().setMaxCost(25.0);
    budgeted.getStatus().setCostShares(new CostShares(3.0, 0.25, 0.5, 0.125, 1.0, 38));
    TaskJob open = job("team-b", "render", TaskJobPhase.RUNNING);
    metrics.fromJobsAtScrape(() -> Stream.of(budgeted, open));

    String scrape = registry.scrape();

    assertThat(scrape).contains("taskjob_job_budget_usd{namespace=\"team-a\",taskjob=\"render\"} 25.0")
        .doesNotContain("taskjob_job_budget_usd{namespace=\"team-b\"")
        .contains("taskjob_job_cost_share_usd{namespace=\"team-a\",share=\"tasks\",taskjob=\"render\"} 3.0")
        .contains("taskjob_job_cost_share_usd{namespace=\"team-a\",share=\"boot\",taskjob=\"render\"} 0.25")
        .contains("taskjob_job_cost_share_usd{namespace=\"team-a\",share=\"idle\",taskjob=\"render\"} 0.5")
        .contains("taskjob_job_cost_share_usd{namespace=\"team-a\",share=\"drain\",taskjob=\"render\"} 0.125")
        .contains("taskjob_job_cost_share_usd{namespace=\"team-a\",share=\"interrupted\",taskjob=\"render\"} 1.0")
        .doesNotContain("taskjob_job_cost_share_usd{namespace=\"team-b\"");
  }

  static TaskJob job(String namespace, String name, TaskJobPhase phase) {
    TaskJob job = new TaskJob();
    job.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
    if (phase != null) {
      job.setStatus(new TaskJobStatus());
      job.getStatus().setPhase(phase);
    }
    return job;
  }

  @Test
  void namesTheRunningBuild() {
    assertThat(registry.scrape()).containsPattern(
        "taskjob_build_info\\{java_version=\"" + java.util.regex.Pattern.quote(Runtime.version().toString())
            + "\",version=\"\\d+\\.\\d+\\.\\d+[^\"$]*\"} 1(\\.0)?\n");
  }
}
