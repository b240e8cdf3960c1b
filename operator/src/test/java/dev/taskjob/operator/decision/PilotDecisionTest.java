package dev.taskjob.operator.decision;

import static org.assertj.core.api.Assertions.assertThat;

import dev.taskjob.operator.decision.PilotDecision.Decision;
import dev.taskjob.operator.decision.PilotDecision.Inputs;
import dev.taskjob.operator.decision.PilotDecision.Stage;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Whether the pilot runs, has finished, and which instance cap applies. */
class PilotDecisionTest {

  record Case(String name, Inputs in, Decision expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() {
    return Stream.of(
        new Case("no pilot asked for", new Inputs(null, 1000, 0, false), new Decision(Stage.NONE, 0, null, false)),
        new Case("pilot of zero tasks is none", new Inputs(0, 1000, 0, false),
            new Decision(Stage.NONE, 0, null, false)),
        new Case("nothing finished yet: one instance", new Inputs(50, 10_000, 0, false),
            new Decision(Stage.RUNNING, 50, 1, false)),
        new Case("one short of the pilot: still one instance", new Inputs(50, 10_000, 49, false),
            new Decision(Stage.RUNNING, 50, 1, false)),
        new Case("pilot's tasks finished: ends now, no cap", new Inputs(50, 10_000, 50, false),
            new Decision(Stage.FINISHED, 50, null, true)),
        new Case("more finished than the pilot at the first look (slots ran ahead)", new Inputs(50, 10_000, 57, false),
            new Decision(Stage.FINISHED, 50, null, true)),
        new Case("finished before: stays finished, said once", new Inputs(50, 10_000, 80, true),
            new Decision(Stage.FINISHED, 50, null, false)),
        new Case("finished before, fewer counted after a restart: never back to one instance",
            new Inputs(50, 10_000, 10, true), new Decision(Stage.FINISHED, 50, null, false)),
        new Case("pilot larger than the job: the whole job is the pilot", new Inputs(500, 20, 3, false),
            new Decision(Stage.RUNNING, 20, 1, false)),
        new Case("pilot larger than the job, all finished", new Inputs(500, 20, 20, false),
            new Decision(Stage.FINISHED, 20, null, true)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void decidesStageAndCap(Case c) {
    assertThat(PilotDecision.decide(c.in())).isEqualTo(c.expected());
  }
}
