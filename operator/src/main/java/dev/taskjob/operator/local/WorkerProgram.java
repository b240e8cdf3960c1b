package dev.taskjob.operator.local;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a local TaskJob's program ({@code spec.worker.command[0]}) is, decided before the run starts. Local
 * instances, and each task, run in their own working directories, so a relative path must be made absolute
 * here: it is read against the directory of the manifest that names it, which works from whatever directory
 * {@code taskjob local} runs in. A program that cannot run is refused up front with the reason, instead of
 * surfacing later as workers that never start.
 */
final class WorkerProgram {

  /** The program to run (absolute when it names a path), or why it cannot run. */
  record Resolution(String program, String problem) {
    boolean ok() {
      return problem == null;
    }
  }

  private WorkerProgram() {}

  /**
   * @param program {@code spec.worker.command[0]}
   * @param manifestDir the directory of the manifest that holds the TaskJob
   * @param pathVariable the PATH programs without a '/' are looked up in
   */
  static Resolution resolve(String program, Path manifestDir, String pathVariable) {
    String field = "spec.worker.command[0] '" + program + "'";
    if (program.isBlank()) {
      return new Resolution(program, field + " is empty");
    }
    if (!program.contains("/")) {
      for (String dir : (pathVariable == null ? "" : pathVariable).split(File.pathSeparator)) {
        if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program)) && !Files.isDirectory(Path.of(dir, program))) {
          return new Resolution(program, null);
        }
      }
      return new Resolution(program, field + " is not on the PATH of this machine");
    }
    Path path = Path.of(program);
    Path resolved = (path.isAbsolute() ? path : manifestDir.resolve(path)).toAbsolutePath().normalize();
    String where = path.isAbsolute() ? "" : " (relative paths are read against the manifest's directory "
        + manifestDir.toAbsolutePath().normalize() + ")";
    if (!Files.exists(resolved)) {
      return new Resolution(program, field + ": " + resolved + " does not exist" + where);
    }
    if (Files.isDirectory(resolved)) {
      return new Resolution(program, field + ": " + resolved + " is a directory" + where);
    }
    if (!Files.isExecutable(resolved)) {
      return new Resolution(program, field + ": " + resolved + " is not executable (chmod +x " + resolved + ")");
    }
    return new Resolution(resolved.toString(), null);
  }
}
