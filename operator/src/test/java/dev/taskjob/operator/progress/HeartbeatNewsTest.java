package dev.taskjob.operator.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which worker reports wake the VM's pool: only those that may change what the pool does. */
class HeartbeatNewsTest {

  private static final Instant T = Instant.parse("2025-01-01T00:00:00Z");

  @Test
  void firstReportsStartupFailuresAndWorkersGoingIdleAreNewsSteadyHeartbeatsAreNot() {
    Heartbeats heartbeats = new Heartbeats();
    List<String> news = new ArrayList<>();
    heartbeats.onNews(news::add);

    heartbeats.record("vm-1", T, 2);
    heartbeats.record("vm-1", T.plusSeconds(30), 2);
    heartbeats.record("vm-1", T.plusSeconds(60), 1);
    assertThat(news).as("only the first report").containsExactly("vm-1");

    heartbeats.record("vm-1", T.plusSeconds(90), 0);
    heartbeats.record("vm-1", T.plusSeconds(120), 0);
    assertThat(news).as("the worker ran out of tasks once").containsExactly("vm-1", "vm-1");

    heartbeats.recordStartupFailure("vm-2", "exec format error");
    assertThat(news).containsExactly("vm-1", "vm-1", "vm-2");
  }
}
