package dev.taskjob.core.cloud;

import java.util.Locale;

/** CPU architecture. Parsing accepts the spellings the clouds use (x86_64, amd64, arm64, aarch64) in any case. */
public enum Architecture {
  X86_64,
  ARM64;

  public static Architecture parse(String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("architecture is empty (use x86_64 or arm64)");
    }
    String v = value.trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "x86_64", "x86-64", "amd64", "x64", "x86" -> X86_64;
      case "arm64", "aarch64", "arm" -> ARM64;
      default -> throw new IllegalArgumentException("unknown architecture '" + value + "' (use x86_64 or arm64)");
    };
  }
}
