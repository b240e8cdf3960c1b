package dev.taskjob.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TaskCommandTest {

  @Test
  void runsArgumentListsWithoutAShell() {
    TaskCommand c = TaskCommand.ofArguments(List.of("python3", "task.py", "--fast"));
    assertThat(c.viaShell()).isFalse();
    assertThat(c.argv()).containsExactly("python3", "task.py", "--fast");
  }

  @Test
  void runsASingleShellLineThroughSh() {
    TaskCommand c = TaskCommand.ofArguments(List.of("echo $TASK_ID > out.txt"));
    assertThat(c.viaShell()).isTrue();
    assertThat(c.argv()).containsExactly("/bin/sh", "-c", "echo $TASK_ID > out.txt");
  }

  @Test
  void readsJsonArraysFromTheEnvironmentForm() {
    assertThat(TaskCommand.parse("[\"python3\", \"task.py\"]").argv()).containsExactly("python3", "task.py");
    assertThat(TaskCommand.parse("./addition.sh").argv()).containsExactly("./addition.sh");
    assertThat(TaskCommand.parse("sleep 1; true").viaShell()).isTrue();
  }

  @Test
  void refusesMalformedJson() {
    assertThatThrownBy(() -> TaskCommand.parse("[\"a\", 3]")).hasMessageContaining("element 2 is not a string");
    assertThatThrownBy(() -> TaskCommand.parse("[]")).hasMessageContaining("empty");
    assertThatThrownBy(() -> TaskCommand.parse("[\"a\"")).hasMessageContaining("not a JSON array");
  }

  @Test
  void resolvesTheProgramToAnAbsolutePath() {
    TaskCommand c = TaskCommand.ofArguments(List.of("sh", "-c", "true")).resolved();
    assertThat(c.argv().get(0)).startsWith("/").endsWith("/sh");
    assertThatThrownBy(() -> TaskCommand.ofArguments(List.of("no-such-program-xyz")).resolved())
        .hasMessageContaining("'no-such-program-xyz' is not an executable file on PATH");
  }
}
