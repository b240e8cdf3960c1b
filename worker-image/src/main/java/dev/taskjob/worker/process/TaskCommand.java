package dev.taskjob.worker.process;

import com.fasterxml.jackson.databind.JsonNode;
import dev.taskjob.core.Json;
import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * The program each task runs. Given as an argument list ({@code -- python3 task.py}) or as
 * {@code TASKJOB_COMMAND}, a JSON array of strings. A single string that needs a shell (it contains
 * spaces, pipes, redirections or {@code $} expansions) runs under {@code /bin/sh -c}; anything else
 * is executed directly, without a shell.
 *
 * @param argv what is executed
 * @param viaShell true when {@code argv} is {@code /bin/sh -c <text>}
 */
public record TaskCommand(List<String> argv, boolean viaShell) {

  private static final String SHELL_CHARACTERS = " \t\n|&;<>()$`\\\"'*?[]#~=%{}";

  public TaskCommand {
    argv = List.copyOf(argv);
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("the task command is empty");
    }
  }

  /** From command-line arguments. */
  public static TaskCommand ofArguments(List<String> args) {
    if (args.size() == 1 && needsShell(args.get(0))) {
      return new TaskCommand(List.of("/bin/sh", "-c", args.get(0)), true);
    }
    return new TaskCommand(args, false);
  }

  /**
   * From {@code TASKJOB_COMMAND}: a JSON array of strings, or a plain string treated like a single argument.
   *
   * @throws IllegalArgumentException saying what is wrong with the text
   */
  public static TaskCommand parse(String text) {
    String t = text.trim();
    if (!t.startsWith("[")) {
      return ofArguments(List.of(t));
    }
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(t);
    } catch (Exception e) {
      throw new IllegalArgumentException("not a JSON array of strings: " + e.getMessage());
    }
    List<String> args = new ArrayList<>();
    for (JsonNode n : node) {
      if (!n.isTextual()) {
        throw new IllegalArgumentException("element " + (args.size() + 1) + " is not a string: " + n);
      }
      args.add(n.asText());
    }
    if (args.isEmpty()) {
      throw new IllegalArgumentException("the JSON array is empty");
    }
    return ofArguments(args);
  }

  static boolean needsShell(String arg) {
    for (int i = 0; i < arg.length(); i++) {
      if (SHELL_CHARACTERS.indexOf(arg.charAt(i)) >= 0) {
        return !new File(arg).isFile();
      }
    }
    return false;
  }

  /** The executable's path (looked up on PATH when it has no '/'), or null when it cannot be found. */
  public String resolveExecutable() {
    return which(argv.get(0));
  }

  /**
   * This command with the program replaced by its absolute path, so starting a task does not search
   * PATH again (each miss is a failed exec).
   *
   * @throws IllegalArgumentException when the program cannot be found
   */
  public TaskCommand resolved() {
    String path = resolveExecutable();
    if (path == null) {
      throw new IllegalArgumentException("'" + argv.get(0) + "' is not an executable file"
          + (argv.get(0).contains("/") ? "" : " on PATH"));
    }
    List<String> args = new ArrayList<>(argv);
    args.set(0, path);
    return new TaskCommand(args, viaShell);
  }

  /** An executable on PATH (or the given path when it contains '/'), or null. */
  public static String which(String program) {
    if (program.contains("/")) {
      File f = new File(program);
      return f.isFile() && f.canExecute() ? f.getAbsolutePath() : null;
    }
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      File f = new File(dir.isEmpty() ? "." : dir, program);
      if (f.isFile() && f.canExecute()) {
        return f.getAbsolutePath();
      }
    }
    return null;
  }

  @Override
  public String toString() {
    if (viaShell) {
      return argv.get(2);
    }
    StringBuilder sb = new StringBuilder();
    for (String a : argv) {
      if (!sb.isEmpty()) {
        sb.append(' ');
      }
      boolean plain = !a.isEmpty() && a.chars().allMatch(c -> Character.isLetterOrDigit(c) || "-_./=:,+@%".indexOf(c) >= 0);
      sb.append(plain ? a : "'" + a.replace("'", "'\\''") + "'");
    }
    return sb.toString();
  }
}
