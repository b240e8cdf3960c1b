package dev.taskjob.worker.spot;

import java.time.Instant;

/**
 * The cloud announced that this VM will be stopped.
 *
 * @param terminationTime when the cloud will stop the VM
 * @param detail what the metadata service said (e.g. {@code {"action":"terminate","time":...}})
 */
public record PreemptionNotice(Instant terminationTime, String detail) {}
