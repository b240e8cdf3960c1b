package dev.taskjob.core.queue;

import java.util.Locale;

/**
 * Queue base names derived from a TaskJob's namespace, name and uid, so two jobs never share a queue.
 * The result is lower-case letters, digits and '-', starts with a letter and is at most 60 characters:
 * valid as an SQS queue name, a Pub/Sub topic id and a directory name once a suffix is added.
 */
public final class QueueNames {

  public static final int MAX_BASE_LENGTH = 60;

  private QueueNames() {}

  public static String derive(String namespace, String name, String uid) {
    String uidPart = sanitize(uid == null ? "" : uid).replace("-", "");
    uidPart = uidPart.substring(0, Math.min(8, uidPart.length()));
    String head = "tj-" + sanitize(namespace) + "-" + sanitize(name);
    int room = MAX_BASE_LENGTH - (uidPart.isEmpty() ? 0 : uidPart.length() + 1);
    if (head.length() > room) {
      head = head.substring(0, room);
    }
    head = head.replaceAll("-+$", "");
    return uidPart.isEmpty() ? head : head + "-" + uidPart;
  }

  private static String sanitize(String s) {
    return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
  }
}
