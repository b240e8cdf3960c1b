package dev.taskjob.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ScaleInTableTest {

  private static final Instant T = Instant.parse("2025-01-01T00:00:00Z");
  private static final Duration GRACE = Duration.ofSeconds(30);

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      # case                                     | running | chosenSecondsAgo | target | terminated | heldSince | noticed
      idle: terminated at once                   | 0       | -                | 2      | true       | -         | false
      busy, just chosen: kept, told to stop      | 2       | -                | 2      | false      | 0         | true
      busy, chosen 10 s ago: kept, told once     | 1       | 10               | 2      | false      | -10       | false
      busy, grace passed: terminated             | 1       | 30               | 2      | true       | -         | false
      became idle while kept: terminated         | 0       | 10               | 2      | true       | -         | false
      busy, pool asked for none: SIGTERM at once | 2       | -                | 0      | true       | -         | false
      busy and kept, then pool to none           | 1       | 10               | 0      | true       | -         | false
      """)
  void aBusyVmIsKeptUntilIdleOrItsGracePeriodPassed(String name, int running, Long chosenAgo, int target,
      boolean terminated, Long heldSince, boolean noticed) {
    Map<String, Instant> before = chosenAgo == null ? Map.of() : Map.of("vm", T.minusSeconds(chosenAgo));

    ScaleIn.Result r = ScaleIn.decide(Map.of("vm", running), before, GRACE, target, T);

    assertThat(r.terminate()).isEqualTo(terminated ? List.of("vm") : List.of());
    assertThat(r.held()).isEqualTo(heldSince == null ? Map.of() : Map.of("vm", T.plusSeconds(heldSince)));
    assertThat(r.stopNotice()).isEqualTo(noticed ? List.of("vm") : List.of());
  }

  @org.junit.jupiter.api.Test
  void aVmNoLongerChosenIsForgotten() {
    Map<String, Integer> chosen = new LinkedHashMap<>();
    chosen.put("idle", 0);
    chosen.put("busy", 3);

    ScaleIn.Result r = ScaleIn.decide(chosen, Map.of("gone", T.minusSeconds(5), "busy", T.minusSeconds(5)), GRACE, 1, T);

    assertThat(r.terminate()).containsExactly("idle");
    assertThat(r.held()).containsOnlyKeys("busy").containsEntry("busy", T.minusSeconds(5));
  }
}
