package dev.taskjob.operator.load;

import dev.taskjob.core.task.TaskGenerator;
import dev.taskjob.crds.v1alpha1.shared.GenerateSpec;
import dev.taskjob.crds.v1alpha1.shared.ParameterRange;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Where a job's tasks come from: task lists (files, ConfigMaps) read in order, or a generated sweep. */
public sealed interface TaskInput {

  /** Task lists forming one job; indexes continue from one list to the next and ids are unique across all. */
  record Lists(List<TaskSource> sources) implements TaskInput {
    public Lists {
      if (sources == null || sources.isEmpty()) {
        throw new IllegalArgumentException("at least one task list is needed");
      }
      sources = List.copyOf(sources);
    }
  }

  /** A parameter sweep computed per index. */
  record Generated(TaskGenerator generator) implements TaskInput {}

  static TaskInput lists(List<TaskSource> sources) {
    return new Lists(sources);
  }

  static TaskInput generated(TaskGenerator generator) {
    return new Generated(generator);
  }

  /** The sweep a TaskJob's {@code spec.tasks.generate} describes. */
  static TaskInput generated(GenerateSpec spec) {
    Map<String, TaskGenerator.Range> ranges = new LinkedHashMap<>();
    if (spec.getParameters() != null) {
      spec.getParameters().forEach((name, range) -> ranges.put(name, toRange(name, range)));
    }
    return new Generated(new TaskGenerator(spec.getIdPrefix(), spec.getCount(), ranges));
  }

  private static TaskGenerator.Range toRange(String name, ParameterRange range) {
    if (range.getFrom() == null || range.getTo() == null) {
      throw new IllegalArgumentException("generate.parameters." + name + ": from and to are required");
    }
    try {
      return new TaskGenerator.Range(BigDecimal.valueOf(range.getFrom()), BigDecimal.valueOf(range.getTo()),
          range.getStep() == null ? null : BigDecimal.valueOf(range.getStep()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("generate.parameters." + name + ": " + e.getMessage(), e);
    }
  }
}
