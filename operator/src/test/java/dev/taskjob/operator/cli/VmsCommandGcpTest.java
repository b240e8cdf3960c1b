package dev.taskjob.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.CreateInstanceRequest;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.OwnerTags;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.ProviderConfig.Keys;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.testing.FakeComputeApi;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code taskjob vms list|stop} on Compute Engine, against the fake Compute API (test-support). */
class VmsCommandGcpTest {

  private static final String PROJECT = "taskjob-test";
  private static final String REGION = "us-central1";

  private static FakeComputeApi compute;
  private static CloudProvider cloud;
  private static final List<String> frames = new ArrayList<>();
  private static String other;

  record Run(int exitCode, String out, String err) {}

  @BeforeAll
  static void twoJobsWithVms() throws Exception {
    compute = new FakeComputeApi();
    cloud = Providers.get("gcp").cloud(new ProviderConfig("gcp", REGION, List.of(), Map.of(Keys.PROJECT, PROJECT,
        Keys.COMPUTE_ENDPOINT, compute.endpoint(), Keys.BILLING_ENDPOINT, compute.endpoint(),
        Keys.WORKER_IMAGE, "ghcr.io/acme/taskjob-worker:1")));
    for (int i = 0; i < 2; i++) {
      frames.add(create("frames-" + i, "frames").id());
    }
    other = create("other-0", "other").id();
  }

  @AfterAll
  static void stop() {
    cloud.close();
    compute.close();
  }

  private static Instance create(String name, String job) {
    return cloud.create(new CreateInstanceRequest(name, name + "-key", "e2-standard-2", REGION + "-a", false, Map.of(
        OwnerTags.MANAGED_BY, OwnerTags.MANAGED_BY_VALUE, OwnerTags.JOB_NAME, job, OwnerTags.NAMESPACE, "research"),
        null, 10, null, Map.of("TASKJOB_PROVIDER", "gcp"), "#!/bin/sh\n"));
  }

  private static Run taskjob(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--provider", "gcp", "--region", REGION, "--project", PROJECT, "--endpoint", compute.endpoint()));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = TaskjobCli.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(all.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void listsTheVmsOfEveryJobOrOfOne() {
    Run all = taskjob("vms", "list");
    Run one = taskjob("vms", "list", "--job", "frames", "-n", "research");

    assertThat(all.exitCode()).as(all.err()).isZero();
    assertThat(all.out()).contains("ID", "STATE", "JOB", frames.get(0), frames.get(1), other, "research/frames",
        "research/other", "e2-standard-2", REGION + "-a");
    assertThat(one.exitCode()).as(one.err()).isZero();
    assertThat(one.out()).contains(frames.get(0), frames.get(1)).doesNotContain(other);
  }

  @Test
  void stopTerminatesOnlyTheJobsVms() {
    create("doomed-0", "doomed");
    create("doomed-1", "doomed");

    Run stop = taskjob("vms", "stop", "--job", "doomed", "--force");

    assertThat(stop.exitCode()).as(stop.err()).isZero();
    assertThat(stop.out()).contains("Terminating 2 VMs of job doomed");
    assertThat(cloud.list(Map.of(OwnerTags.JOB_NAME, "doomed"))).allSatisfy(i -> assertThat(i.state().isAlive()).isFalse());
    assertThat(cloud.list(Map.of(OwnerTags.JOB_NAME, "frames"))).hasSize(2)
        .allSatisfy(i -> assertThat(i.state().isAlive()).isTrue());
    assertThat(taskjob("vms", "list", "--job", "doomed").err()).contains("No pending or running VMs");
  }
}
