package dev.taskjob.deploy;

import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the parts of a PromQL expression the monitoring checks need: the series selectors (metric name
 * and label matchers), the labels it groups or matches by, and the functions it calls. It tokenizes the
 * whole expression and fails on what PromQL would refuse at this level: an unknown function, unbalanced
 * brackets, an unterminated string, a matcher without a quoted value. Grafana's {@code $variables} and
 * {@code label_values(...)} are accepted.
 */
final class PromQl {

  /** One series selector, e.g. {@code taskjob_job_tasks{state="total"}}. */
  record Selector(String metric, Map<String, Matcher> matchers) {}

  /** A label matcher: {@code =}, {@code !=}, {@code =~} or {@code !~} and its value. */
  record Matcher(String op, String value) {}

  record Parsed(List<Selector> selectors, Set<String> groupingLabels, Set<String> functions) {}

  private static final Set<String> AGGREGATIONS = Set.of("sum", "min", "max", "avg", "group", "stddev", "stdvar",
      "count", "count_values", "bottomk", "topk", "quantile");
  private static final Set<String> FUNCTIONS = Set.of("abs", "absent", "absent_over_time", "ceil", "changes",
      "clamp", "clamp_max", "clamp_min", "delta", "deriv", "exp", "floor", "histogram_quantile", "idelta",
      "increase", "irate", "label_join", "label_replace", "ln", "predict_linear", "rate", "resets", "round",
      "scalar", "sort", "sort_desc", "sqrt", "time", "timestamp", "vector", "avg_over_time", "min_over_time",
      "max_over_time", "sum_over_time", "count_over_time", "last_over_time", "present_over_time",
      // Grafana template query
      "label_values");
  private static final Set<String> GROUPING = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");
  private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "atan2", "inf", "nan");

  private PromQl() {}

  static Parsed parse(String expr) {
    List<String> tokens = tokenize(expr);
    List<Selector> selectors = new ArrayList<>();
    Set<String> grouping = new LinkedHashSet<>();
    Set<String> functions = new LinkedHashSet<>();
    Deque<String> open = new ArrayDeque<>();
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i);
      String next = i + 1 < tokens.size() ? tokens.get(i + 1) : "";
      switch (t) {
        case "(", "{", "[" -> open.push(t);
        case ")", "}", "]" -> {
          String expected = t.equals(")") ? "(" : t.equals("}") ? "{" : "[";
          if (open.isEmpty() || !open.pop().equals(expected)) {
            throw new IllegalArgumentException("unbalanced '" + t + "' in: " + expr);
          }
        }
        default -> { }
      }
      if (t.equals("[")) {
        int depth = 0;
        while (i < tokens.size() && !(tokens.get(i).equals("]") && depth == 1)) {
          depth += tokens.get(i).equals("[") ? 1 : tokens.get(i).equals("]") ? -1 : 0;
          i++;
        }
        if (i == tokens.size()) {
          throw new IllegalArgumentException("unclosed range in: " + expr);
        }
        open.pop();
        continue;
      }
      if (!isIdentifier(t)) {
        continue;
      }
      if (GROUPING.contains(t)) {
        if (next.equals("(")) {
          int j = i + 2;
          while (j < tokens.size() && !tokens.get(j).equals(")")) {
            if (isIdentifier(tokens.get(j))) {
              grouping.add(tokens.get(j));
            }
            j++;
          }
          i = j;
        }
      } else if (KEYWORDS.contains(t)) {
        continue;
      } else if (AGGREGATIONS.contains(t) || next.equals("(")) {
        if (!AGGREGATIONS.contains(t) && !FUNCTIONS.contains(t)) {
          throw new IllegalArgumentException("unknown function " + t + " in: " + expr);
        }
        functions.add(t);
      } else if (i > 0 && tokens.get(i - 1).equals(",") && functions.contains("label_values") && next.equals(")")) {
        grouping.add(t); // label_values(selector, LABEL)
      } else {
        Map<String, Matcher> matchers = new LinkedHashMap<>();
        if (next.equals("{")) {
          open.push("{");
          int j = i + 2;
          while (j < tokens.size() && !tokens.get(j).equals("}")) {
            if (tokens.get(j).equals(",")) {
              j++;
              continue;
            }
            if (j + 2 >= tokens.size() || !isIdentifier(tokens.get(j)) || !isString(tokens.get(j + 2))) {
              throw new IllegalArgumentException("malformed matcher after " + t + "{ in: " + expr);
            }
            matchers.put(tokens.get(j), new Matcher(tokens.get(j + 1), unquote(tokens.get(j + 2))));
            j += 3;
          }
          if (j == tokens.size()) {
            throw new IllegalArgumentException("unclosed selector " + t + "{ in: " + expr);
          }
          open.pop();
          i = j;
        }
        selectors.add(new Selector(t, matchers));
      }
    }
    if (!open.isEmpty()) {
      throw new IllegalArgumentException("unclosed '" + open.peek() + "' in: " + expr);
    }
    return new Parsed(selectors, grouping, functions);
  }

  private static List<String> tokenize(String expr) {
    List<String> tokens = new ArrayList<>();
    int i = 0;
    while (i < expr.length()) {
      char c = expr.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '"' || c == '\'' || c == '`') {
        int j = i + 1;
        while (j < expr.length() && expr.charAt(j) != c) {
          j += expr.charAt(j) == '\\' && c != '`' ? 2 : 1;
        }
        if (j >= expr.length()) {
          throw new IllegalArgumentException("unterminated string in: " + expr);
        }
        tokens.add(expr.substring(i, j + 1));
        i = j + 1;
      } else if (Character.isLetter(c) || c == '_' || c == ':') {
        int j = i;
        while (j < expr.length() && (Character.isLetterOrDigit(expr.charAt(j)) || "_:".indexOf(expr.charAt(j)) >= 0)) {
          j++;
        }
        tokens.add(expr.substring(i, j));
        i = j;
      } else if (c == '$') {
        int j = i + 1;
        while (j < expr.length() && (Character.isLetterOrDigit(expr.charAt(j)) || "_{}".indexOf(expr.charAt(j)) >= 0)) {
          j++;
        }
        tokens.add(expr.substring(i, j));
        i = j;
      } else if (Character.isDigit(c) || c == '.') {
        int j = i;
        while (j < expr.length() && (Character.isLetterOrDigit(expr.charAt(j)) || expr.charAt(j) == '.')) {
          j++;
        }
        tokens.add(expr.substring(i, j));
        i = j;
      } else if (i + 1 < expr.length() && Set.of("=~", "!~", "!=", "==", ">=", "<=").contains(expr.substring(i, i + 2))) {
        tokens.add(expr.substring(i, i + 2));
        i += 2;
      } else if ("(){}[],=+-*/%^<>".indexOf(c) >= 0) {
        tokens.add(String.valueOf(c));
        i++;
      } else {
        throw new IllegalArgumentException("unexpected '" + c + "' in: " + expr);
      }
    }
    return tokens;
  }

  private static boolean isIdentifier(String t) {
    return !t.isEmpty() && (Character.isLetter(t.charAt(0)) || t.charAt(0) == '_' || t.charAt(0) == ':');
  }

  private static boolean isString(String t) {
    return t.length() >= 2 && "\"'`".indexOf(t.charAt(0)) >= 0;
  }

  private static String unquote(String t) {
    return t.substring(1, t.length() - 1);
  }
}
