package dev.taskjob.provider.local;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The JSON state file {@code <root>/instances/<name>/instance.json} of one local instance: enough for a
 * restarted operator to find its instances by tags and to tell a live worker from a reused pid.
 *
 * @param name the instance name (also its id)
 * @param idempotencyKey the create request's key; a second create with it returns this instance
 * @param instanceType the local type (local-N)
 * @param spot whether it was asked for as spot
 * @param tags owner tags
 * @param command the worker command line
 * @param pid the worker's process id
 * @param processStart the worker's start time as the OS reports it (guards against pid reuse)
 * @param launchTime when it was created
 * @param terminatedAt when terminate was called, or null
 * @param shutdownGracePeriod how long the worker may take to stop after SIGTERM (its
 *     {@code TASKJOB_SHUTDOWN_GRACE_PERIOD}), or null for the worker's default
 */
record LocalInstanceRecord(
    String name,
    String idempotencyKey,
    String instanceType,
    boolean spot,
    Map<String, String> tags,
    List<String> command,
    long pid,
    Instant processStart,
    Instant launchTime,
    Instant terminatedAt,
    java.time.Duration shutdownGracePeriod) {

  LocalInstanceRecord {
    tags = tags == null ? Map.of() : Map.copyOf(tags);
    command = command == null ? List.of() : List.copyOf(command);
  }

  LocalInstanceRecord terminated(Instant at) {
    return new LocalInstanceRecord(name, idempotencyKey, instanceType, spot, tags, command, pid, processStart,
        launchTime, at, shutdownGracePeriod);
  }
}
