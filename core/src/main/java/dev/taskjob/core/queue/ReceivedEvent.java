package dev.taskjob.core.queue;

import dev.taskjob.core.event.TaskEvent;

/** An event received from the event queue, with the handle to ack it. */
public record ReceivedEvent(TaskEvent event, String receipt) {}
