package dev.taskjob.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.core.cloud.InstanceState;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PoolEmptyingTableTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      # case                                          | target | failed | vmsLeft | disksLeft | step
      running pool: its disks are its VMs'            | 3      | false  | 3       | 3         | NOT_EMPTYING
      running pool with a leftover disk: kept for now | 3      | false  | 2       | 3         | NOT_EMPTYING
      scaled to zero, VMs still there                 | 0      | false  | 2       | 2         | WAIT_FOR_VMS
      a stopped VM holds its disk: VMs first          | 0      | false  | 1       | 1         | WAIT_FOR_VMS
      every VM gone, a disk left                      | 0      | false  | 0       | 1         | DELETE_DISKS
      every VM and disk gone                          | 0      | false  | 0       | 0         | EMPTY
      failed pool empties as one scaled to zero       | 4      | true   | 1       | 1         | WAIT_FOR_VMS
      failed pool, only disks left                    | 4      | true   | 0       | 2         | DELETE_DISKS
      failed pool, nothing left                       | 4      | true   | 0       | 0         | EMPTY
      """)
  void vmsGoBeforeDisksAndNothingLeftIsEmpty(String name, int target, boolean failed, int vmsLeft, int disksLeft,
      PoolEmptying.Step step) {
    assertThat(PoolEmptying.decide(target, failed, vmsLeft, disksLeft)).isEqualTo(step);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      # case                                               | state      | endTime              | listed so for (s) | stopping
      GCE preempted, stopping: no end yet                  | PREEMPTED  |                      | 0                 | true
      GCE preempted 40 s ago, no end listed yet            | PREEMPTED  |                      | 40                | true
      GCE preempted and stopped: lastStopTimestamp listed  | PREEMPTED  | 2026-01-01T00:00:30Z | 40                | false
      EC2 reclaimed: its end in the transition reason      | PREEMPTED  | 2026-01-01T00:00:00Z | 0                 | false
      a cloud that never reports the end: still waited for | PREEMPTED  |                      | 299               | true
      a cloud that never reports the end: 5 min are over   | PREEMPTED  |                      | 300               | false
      running VM: counted as running, not here             | RUNNING    |                      | 0                 | false
      terminated VM: gone                                  | TERMINATED | 2026-01-01T00:00:00Z | 0                 | false
      stopping VM: counted as stopping, not here           | STOPPING   |                      | 0                 | false
      """)
  void aReclaimedVmIsWaitedForUntilTheCloudReportsItsEnd(String name, InstanceState state, Instant endTime,
      long listedSoSeconds, boolean stopping) {
    Instant since = Instant.parse("2026-01-01T00:00:00Z");
    assertThat(PoolEmptying.reclaimedStillStopping(state, endTime, since, since.plusSeconds(listedSoSeconds)))
        .isEqualTo(stopping);
  }
}
