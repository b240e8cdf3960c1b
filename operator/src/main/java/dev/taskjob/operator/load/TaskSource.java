package dev.taskjob.operator.load;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A task list that can be opened more than once (the loader reads it twice: once to validate, once
 * to send). The content is a JSON array, JSON Lines or YAML list, optionally gzip-compressed.
 */
public interface TaskSource {

  /** Shown in error messages and progress: a file path, {@code configmap/NAME/KEY}. */
  String name();

  /** A fresh stream over the whole list; the caller closes it. */
  InputStream open() throws IOException;

  static TaskSource file(Path path) {
    return new TaskSource() {
      @Override
      public String name() {
        return path.toString();
      }

      @Override
      public InputStream open() throws IOException {
        try {
          return Files.newInputStream(path);
        } catch (NoSuchFileException e) {
          throw new NoSuchFileException(path.toString(), null, "task file not found");
        }
      }
    };
  }

  static TaskSource bytes(String name, byte[] content) {
    return new TaskSource() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public InputStream open() {
        return new ByteArrayInputStream(content);
      }
    };
  }
}
