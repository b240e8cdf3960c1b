package dev.taskjob.core.store;

import java.util.List;
import java.util.Optional;

/**
 * A place whole objects are written to and read from by key: a job's output location (an S3 bucket
 * prefix, a local directory). Keys are relative, {@code /}-separated paths. Writing a key again replaces
 * its object, so a writer may rewrite a growing object until it is complete.
 */
public interface ObjectStore extends AutoCloseable {

  /** Writes (or replaces) the object at {@code key}. */
  void put(String key, byte[] content);

  /** The object at {@code key}, or empty when there is none. */
  Optional<byte[]> get(String key);

  /** Keys under {@code prefix} (relative to the store), in ascending order. */
  List<String> list(String prefix);

  /** Deletes every object under {@code prefix}; deleting nothing is not an error. */
  void deleteAll(String prefix);

  /** Where the store writes, as the user named it (for messages). */
  String location();

  @Override
  default void close() {}
}
