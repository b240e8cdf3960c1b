package dev.taskjob.core.cloud;

import java.util.Map;

/**
 * Where a job's secret environment values wait for its workers: the cloud's secret store (AWS SSM
 * Parameter Store SecureString parameters) or, for provider local, a file only its owner can read.
 * The operator writes a job's values once, before any VM exists, and deletes them with the job; a
 * worker reads them with its own identity when it starts and hands them to tasks only. Values never
 * travel in user data, instance metadata or a Kubernetes object. Implementations never log values.
 */
public interface SecretStore extends AutoCloseable {

  /** The largest value, in UTF-8 bytes, the store takes. */
  int maxValueBytes();

  /** Stores (or replaces) the job's values, by environment variable name, under {@code scope}. */
  void put(String scope, Map<String, String> values);

  /** The values stored under {@code scope}; empty when there are none. */
  Map<String, String> read(String scope);

  /** Deletes everything under {@code scope}. Nothing stored is not an error. */
  void delete(String scope);

  @Override
  default void close() {}
}
