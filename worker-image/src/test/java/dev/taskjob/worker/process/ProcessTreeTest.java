package dev.taskjob.worker.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProcessTreeTest {

  @Test
  void readsTheSessionOfALiveProcessAsTheFullParserDoes() {
    String self = Long.toString(ProcessHandle.current().pid());
    long expected = ProcessTree.readStat(Path.of("/proc", self, "stat")).session();

    assertThat(ProcessTree.sessionOfLiveProcess(self, new byte[512])).isEqualTo(expected);
  }

  @Test
  void aProcessThatIsGoneHasNoSession() throws Exception {
    Process done = new ProcessBuilder("true").start();
    done.waitFor();

    assertThat(ProcessTree.sessionOfLiveProcess(Long.toString(done.pid()), new byte[512])).isEqualTo(-1);
  }
}
