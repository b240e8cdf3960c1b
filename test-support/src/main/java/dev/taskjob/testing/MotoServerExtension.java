package dev.taskjob.testing;

import java.net.URI;
import java.util.List;

/**
 * A real {@code moto_server} (EC2, SQS and the other AWS APIs moto mocks) on a free loopback port.
 * Credentials are any non-empty values; the region is {@value #REGION}.
 *
 * <pre>{@code @RegisterExtension static final MotoServerExtension MOTO = new MotoServerExtension();
 * ... SqsClient.builder().endpointOverride(MOTO.endpoint()).region(Region.of(MotoServerExtension.REGION)) ...}</pre>
 */
public class MotoServerExtension extends ExternalServerExtension {

  public static final String REGION = "us-east-1";

  @Override
  protected String executable() {
    return "moto_server";
  }

  @Override
  protected String installHint() {
    return "install it with pip install 'moto[server]'";
  }

  @Override
  protected List<String> command(String executablePath, int port) {
    return List.of(executablePath, "-H", "127.0.0.1", "-p", Integer.toString(port));
  }

  public URI endpoint() {
    return URI.create("http://" + hostPort());
  }
}
