package dev.taskjob.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.testing.MotoServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.WebIdentityTokenFileCredentialsProvider;

/**
 * The ambient identities docs/install.md offers work with the operator's class path. IRSA needs more
 * than the SDK core: without the STS module the SDK's default chain skips the projected web identity
 * token and silently falls back to the node's role. Here the token is exchanged at a real moto STS.
 */
class AmbientCloudIdentityTest {

  @RegisterExtension
  static final MotoServerExtension MOTO = new MotoServerExtension();

  private static final String STS_ENDPOINT_PROPERTY = "aws.endpointUrlSts";

  @AfterEach
  void clearEndpoint() {
    System.clearProperty(STS_ENDPOINT_PROPERTY);
  }

  @Test
  void irsaWebIdentityTokenIsExchangedForRoleCredentials(@TempDir Path tmp) throws Exception {
    // What the EKS pod identity webhook projects into the pod for IRSA.
    Path token = Files.writeString(tmp.resolve("token"), "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2ln");
    System.setProperty(STS_ENDPOINT_PROPERTY, MOTO.endpoint().toString());

    AwsCredentials credentials;
    try (WebIdentityTokenFileCredentialsProvider irsa = WebIdentityTokenFileCredentialsProvider.builder()
        .roleArn("arn:aws:iam::111122223333:role/taskjob-operator")
        .roleSessionName("taskjob-operator")
        .webIdentityTokenFile(token)
        .build()) {
      credentials = irsa.resolveCredentials();
    }

    assertThat(credentials).isInstanceOf(AwsSessionCredentials.class);
    assertThat(((AwsSessionCredentials) credentials).sessionToken()).isNotBlank();
  }
}
