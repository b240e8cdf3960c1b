package dev.taskjob.worker.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What Linux's {@code execve} accepts, so that a task whose data cannot become its environment fails
 * alone with a reason instead of failing the exec (E2BIG) in a way that looks like a broken worker.
 *
 * <p>The kernel (fs/exec.c) allows argument and environment strings, NULs included, up to a quarter of
 * the stack size limit (at most 6 MiB, at least 128 KiB) minus one pointer per string, and each single
 * string up to 32 pages (128 KiB).
 *
 * @param stackLimitBytes the soft stack size limit the task inherits
 */
public record ExecLimits(long stackLimitBytes) {

  /** One argument or {@code NAME=value} string, its NUL included. */
  public static final int MAX_STRING_BYTES = 32 * 4096;
  private static final long DEFAULT_STACK = 8L << 20;
  private static final long MAX_SPACE = (8L << 20) / 4 * 3;
  private static final long MIN_SPACE = 128L << 10;
  private static final int POINTER_BYTES = 8;

  /** The limits of this process, from {@code /proc/self/limits} (8 MiB of stack when unreadable). */
  public static ExecLimits current() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"), StandardCharsets.US_ASCII)) {
        if (line.startsWith("Max stack size")) {
          String soft = line.substring("Max stack size".length()).trim().split("\\s+")[0];
          return new ExecLimits(soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft));
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or an unexpected format: assume the usual default
    }
    return new ExecLimits(DEFAULT_STACK);
  }

  /** Bytes available for argument and environment strings before pointers are taken off. */
  public long stringSpace() {
    return Math.max(Math.min(MAX_SPACE, stackLimitBytes / 4), MIN_SPACE);
  }

  /**
   * Why a program with these arguments and environment cannot be started, or null when it can.
   * The reason names the largest variables, since those are what to move into a file.
   */
  public String problem(List<String> argv, Map<String, String> env) {
    long total = 0;
    List<Map.Entry<String, Long>> sizes = new ArrayList<>(env.size());
    for (String arg : argv) {
      long bytes = utf8Length(arg) + 1;
      if (arg.indexOf('\0') >= 0) {
        return "a command argument holds a NUL character, which no program argument can";
      }
      if (bytes > MAX_STRING_BYTES) {
        return "a command argument is " + bytes + " bytes, over the " + MAX_STRING_BYTES + " Linux allows for one";
      }
      total += bytes;
    }
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (e.getValue().indexOf('\0') >= 0) {
        return "environment variable " + e.getKey() + " holds a NUL character, which no environment variable can";
      }
      long bytes = utf8Length(e.getKey()) + 1 + utf8Length(e.getValue()) + 1;
      if (bytes > MAX_STRING_BYTES) {
        return "environment variable " + e.getKey() + " is " + bytes + " bytes, over the " + MAX_STRING_BYTES
            + " Linux allows for one";
      }
      total += bytes;
      sizes.add(Map.entry(e.getKey(), bytes));
    }
    long space = stringSpace() - (long) POINTER_BYTES * (Math.max(argv.size(), 1) + env.size());
    if (total <= space) {
      return null;
    }
    sizes.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()));
    StringBuilder largest = new StringBuilder();
    for (int i = 0; i < Math.min(3, sizes.size()); i++) {
      largest.append(i == 0 ? "" : ", ").append(sizes.get(i).getKey()).append(" (").append(sizes.get(i).getValue())
          .append(" bytes)");
    }
    return "its environment and arguments take " + total + " bytes, over the " + space
        + " Linux allows for starting a program (E2BIG); largest: " + largest;
  }

  private static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
