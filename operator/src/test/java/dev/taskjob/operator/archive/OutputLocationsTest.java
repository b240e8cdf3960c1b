package dev.taskjob.operator.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.operator.validation.Invalid;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OutputLocationsTest {

  @ParameterizedTest(name = "{0} {1}: {2}")
  @CsvSource(delimiter = '|', textBlock = """
      aws   | s3://my-results/runs/2026     | ok
      aws   | s3://my-results               | ok
      local | /var/tmp/results              | ok
      local | file:///var/tmp/results       | ok
      aws   | s3://My_Bucket/x              | valid bucket name
      aws   | s3:///no-bucket               | valid bucket name
      local | s3://my-results/x             | s3:// needs provider aws
      aws   | /var/tmp/results              | only for provider local
      gcp   | gs://my-results/x             | ok
      gcp   | gs://my_results                | ok
      gcp   | gs://My-Results/x             | valid bucket name
      aws   | gs://my-results/x             | gs:// needs provider gcp
      gcp   | s3://my-results/x             | s3:// needs provider aws
      gcp   | /var/tmp/results              | takes gs://bucket/prefix
      local | results                       | must be absolute
      local | file:results                  | must be absolute
      aws   | https://example.com/x         | unknown scheme 'https' (expected s3://, gs://
      aws   | s3://bad bucket               | not a valid URI
      """)
  void acceptsOrRefusesNamingTheField(String provider, String uri, String expected) {
    Optional<Invalid> problem = OutputLocations.check(provider, uri);
    if (expected.equals("ok")) {
      assertThat(problem).isEmpty();
    } else {
      assertThat(problem).hasValueSatisfying(p -> {
        assertThat(p.field()).isEqualTo("spec.output.uri");
        assertThat(p.reason()).isEqualTo(Invalid.INVALID_SPEC);
        assertThat(p.message()).startsWith("spec.output.uri").contains(expected);
        assertThat(p.mayResolveItself()).isFalse();
      });
    }
  }

  @org.junit.jupiter.api.Test
  void noOutputIsFine() {
    assertThat(OutputLocations.check("aws", null)).isEmpty();
    assertThat(OutputLocations.check("aws", " ")).hasValueSatisfying(p -> assertThat(p.message()).contains("empty"));
  }
}
