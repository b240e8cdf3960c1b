package dev.taskjob.core.task;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * A parameter sweep expanded into tasks without storing them: task {@code i} is computed from
 * {@code i}, so a list of a million tasks costs nothing and loading can resume at any offset.
 *
 * <p>With no parameters, task {@code i} has data {@code {"n": i}}. With parameters, tasks are the
 * cartesian product of the ranges (the last parameter varies fastest), optionally capped by
 * {@code count}. Ids are {@code idPrefix} plus the index, zero-padded to the width of the last index
 * ({@code task-000001}).
 */
public final class TaskGenerator implements Iterable<Task> {

  /**
   * Inclusive range {@code from, from+step, ..., <= to}. Its values are JSON integers when from, to
   * and step are all whole numbers, else JSON decimals for every value (1.0, not 1), so a task
   * program sees one type per parameter.
   */
  public record Range(BigDecimal from, BigDecimal to, BigDecimal step) {
    public Range {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      step = step == null ? BigDecimal.ONE : step;
      if (step.signum() <= 0) {
        throw new IllegalArgumentException("step must be > 0, was " + step);
      }
      if (to.compareTo(from) < 0) {
        throw new IllegalArgumentException("to (" + to + ") must be >= from (" + from + ")");
      }
    }

    public static Range of(long from, long to) {
      return new Range(BigDecimal.valueOf(from), BigDecimal.valueOf(to), BigDecimal.ONE);
    }

    /** Number of values in the range. */
    public long size() {
      try {
        return Math.addExact(to.subtract(from).divideToIntegralValue(step).longValueExact(), 1);
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException("range " + from + ".." + to + " step " + step + " has too many values", e);
      }
    }

    /** True when every value is a whole number. */
    public boolean integral() {
      return isWhole(from) && isWhole(to) && isWhole(step);
    }

    BigDecimal value(long i) {
      return from.add(step.multiply(BigDecimal.valueOf(i)));
    }

    private static boolean isWhole(BigDecimal v) {
      return v.signum() == 0 || v.stripTrailingZeros().scale() <= 0;
    }
  }

  private final String idPrefix;
  private final long count;
  private final List<Map.Entry<String, Range>> parameters;
  private final int idWidth;

  /**
   * @param idPrefix prefix of every id
   * @param count number of tasks; with parameters, a cap on the product (null or <= 0: the whole product)
   * @param parameters named ranges, in order (the last varies fastest); empty for a plain count
   */
  public TaskGenerator(String idPrefix, Long count, Map<String, Range> parameters) {
    this.idPrefix = idPrefix == null ? "task-" : idPrefix;
    String prefixProblem = TaskListReader.idProblem(this.idPrefix + "1");
    if (prefixProblem != null) {
      throw new IllegalArgumentException("idPrefix: " + prefixProblem);
    }
    this.parameters = new ArrayList<>(new LinkedHashMap<>(parameters == null ? Map.of() : parameters).entrySet());
    long product = 1;
    for (Map.Entry<String, Range> p : this.parameters) {
      try {
        product = Math.multiplyExact(product, p.getValue().size());
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException("the parameter ranges give more than " + Long.MAX_VALUE + " tasks", e);
      }
    }
    if (this.parameters.isEmpty()) {
      if (count == null || count <= 0) {
        throw new IllegalArgumentException("count must be > 0 when no parameters are given");
      }
      this.count = count;
    } else {
      this.count = count == null || count <= 0 ? product : Math.min(count, product);
    }
    this.idWidth = Long.toString(Math.max(1, this.count)).length();
  }

  public static TaskGenerator ofCount(long count) {
    return new TaskGenerator("task-", count, Map.of());
  }

  public long size() {
    return count;
  }

  /** Task {@code index} (0-based). */
  public Task task(long index) {
    if (index < 0 || index >= count) {
      throw new IndexOutOfBoundsException("task index " + index + " outside 0.." + (count - 1));
    }
    ObjectNode data = JsonNodeFactory.instance.objectNode();
    if (parameters.isEmpty()) {
      data.put("n", index);
    } else {
      long rest = index;
      BigDecimal[] values = new BigDecimal[parameters.size()];
      for (int p = parameters.size() - 1; p >= 0; p--) {
        long size = parameters.get(p).getValue().size();
        values[p] = parameters.get(p).getValue().value(rest % size);
        rest /= size;
      }
      for (int p = 0; p < parameters.size(); p++) {
        Map.Entry<String, Range> parameter = parameters.get(p);
        if (parameter.getValue().integral()) {
          data.put(parameter.getKey(), values[p].longValueExact());
        } else {
          // Computed exactly, then the nearest double: 0.1 + 2 * 0.1 is written 0.3, and 1 as 1.0.
          data.put(parameter.getKey(), values[p].doubleValue());
        }
      }
    }
    String number = Long.toString(index + 1);
    String id = idPrefix + "0".repeat(Math.max(0, idWidth - number.length())) + number;
    return new Task(id, data, index);
  }

  /** Tasks from {@code start} (0-based) to the end. */
  public Iterator<Task> iterator(long start) {
    return new Iterator<>() {
      long next = start;

      @Override
      public boolean hasNext() {
        return next < count;
      }

      @Override
      public Task next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return task(next++);
      }
    };
  }

  @Override
  public Iterator<Task> iterator() {
    return iterator(0);
  }
}
