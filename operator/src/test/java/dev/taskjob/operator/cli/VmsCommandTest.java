package dev.taskjob.operator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.CloudProvider;
import dev.taskjob.core.cloud.CreateInstanceRequest;
import dev.taskjob.core.cloud.Instance;
import dev.taskjob.core.cloud.OwnerTags;
import dev.taskjob.core.cloud.ProviderConfig;
import dev.taskjob.core.cloud.Providers;
import dev.taskjob.testing.MotoServerExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Filter;

/** {@code taskjob vms list|stop} (rms-cloud-tasks' list_running_instances and stop) against EC2 on moto. */
class VmsCommandTest {

  @RegisterExtension static final MotoServerExtension MOTO = new MotoServerExtension();

  private static CloudProvider cloud;
  private static final List<String> frames = new ArrayList<>();
  private static String other;
  private static String image;

  record Run(int exitCode, String out, String err) {}

  @BeforeAll
  static void twoJobsWithVms() {
    cloud = Providers.get("aws").cloud(new ProviderConfig("aws", MotoServerExtension.REGION, null, Map.of(
        ProviderConfig.Keys.AWS_ENDPOINT, MOTO.endpoint().toString(), ProviderConfig.Keys.CATALOG_SOURCE, "snapshot")));
    try (Ec2Client ec2 = Ec2Client.builder().endpointOverride(MOTO.endpoint()).region(Region.of(MotoServerExtension.REGION))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
      image = ec2.describeImages(r -> r.filters(Filter.builder().name("architecture").values("x86_64").build()))
          .images().stream().filter(i -> "/dev/sda1".equals(i.rootDeviceName())).findFirst().orElseThrow().imageId();
    }
    for (int i = 0; i < 2; i++) {
      frames.add(create("frames-" + i, "frames", image).id());
    }
    other = create("other-0", "other", image).id();
  }

  private static Instance create(String name, String job, String image) {
    return cloud.create(new CreateInstanceRequest(name, name + "-key", "m5.large", null, false, Map.of(
        OwnerTags.MANAGED_BY, OwnerTags.MANAGED_BY_VALUE, OwnerTags.JOB_NAME, job, OwnerTags.NAMESPACE, "research"),
        image, 10, null, Map.of(), "#!/bin/sh\n"));
  }

  private static Run taskjob(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--provider", "aws", "--region", MotoServerExtension.REGION, "--endpoint", MOTO.endpoint().toString()));
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
        "research/other", "m5.large");
    assertThat(one.out()).contains(frames.get(0), frames.get(1)).doesNotContain(other);
  }

  @Test
  void stopNeedsAJobAndTerminatesOnlyItsVms() {
    create("doomed-0", "doomed", image);
    create("doomed-1", "doomed", image);
    Run refused = taskjob("vms", "stop", "--force");
    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(refused.err()).contains("--job is required");

    Run stop = taskjob("vms", "stop", "--job", "doomed", "--force");

    assertThat(stop.exitCode()).as(stop.err()).isZero();
    assertThat(stop.out()).contains("Terminating 2 VMs of job doomed");
    assertThat(cloud.list(Map.of(OwnerTags.JOB_NAME, "doomed"))).hasSize(2)
        .allSatisfy(i -> assertThat(i.state().isAlive()).isFalse());
    assertThat(cloud.list(Map.of(OwnerTags.JOB_NAME, "frames"))).hasSize(2)
        .allSatisfy(i -> assertThat(i.state().isAlive()).isTrue());
    assertThat(taskjob("vms", "list", "--job", "doomed").err()).contains("No pending or running VMs");
  }
}
