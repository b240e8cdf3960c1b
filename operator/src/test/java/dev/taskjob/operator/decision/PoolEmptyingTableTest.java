package dev.taskjob.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;

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
}
