package dev.taskjob.provider.aws;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for the AWS Pricing API's {@code GetProducts} (JSON 1.1 over HTTP): no emulator exists for it
 * (moto does not mock the Pricing API), so it answers with recorded-style responses from
 * {@code src/test/resources/pricing/}, two pages joined by a NextToken, and the gp3 volume price to a request
 * that filters on it. It records each request body so a test
 * can check the filters sent.
 */
final class FakePricingApi implements AutoCloseable {

  private final HttpServer server;
  final List<String> requests = new CopyOnWriteArrayList<>();

  FakePricingApi() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      requests.add(body);
      String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
      byte[] response;
      int status = 200;
      if (!"AWSPriceListService.GetProducts".equals(target)) {
        status = 400;
        response = ("{\"__type\":\"InvalidParameterException\",\"message\":\"unexpected " + target + "\"}")
            .getBytes(StandardCharsets.UTF_8);
      } else {
        response = resource(body.contains("\"Value\":\"gp3\"") ? "get-products-gp3.json"
            : body.contains("\"NextToken\":\"page-2\"") ? "get-products-page-2.json" : "get-products-page-1.json");
      }
      exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
      exchange.sendResponseHeaders(status, response.length);
      exchange.getResponseBody().write(response);
      exchange.close();
    });
    server.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private static byte[] resource(String name) {
    try (InputStream in = FakePricingApi.class.getResourceAsStream("/pricing/" + name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
