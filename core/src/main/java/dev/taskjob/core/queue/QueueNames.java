package dev.taskjob.core.queue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Queue base names derived from a TaskJob's namespace, name and uid, so two jobs never share a queue.
 *
 * <p>The result is {@code tj-<namespace>-<name>-<hash>}: lower-case letters, digits and '-', starting
 * with a letter, at most {@value #MAX_BASE_LENGTH} characters, so that with a suffix such as
 * {@code -events} or {@code -dlq} it is a valid SQS queue name, Pub/Sub topic or subscription id and
 * directory name. Namespace and name are truncated when long; the hash is the first
 * {@value #HASH_LENGTH} hex digits of SHA-256 over namespace, name and the whole uid, so names stay
 * distinct for different uids (a deleted and recreated job gets new queues) and for long names that
 * truncate alike.
 */
public final class QueueNames {

  public static final int MAX_BASE_LENGTH = 60;
  static final int HASH_LENGTH = 10;

  private QueueNames() {}

  public static String derive(String namespace, String name, String uid) {
    String hash = hash(String.valueOf(namespace) + "/" + name + "/" + uid);
    StringBuilder head = new StringBuilder("tj");
    for (String part : new String[] {namespace, name}) {
      String clean = sanitize(part);
      if (!clean.isEmpty()) {
        head.append('-').append(clean);
      }
    }
    int room = MAX_BASE_LENGTH - HASH_LENGTH - 1;
    String truncated = head.length() > room ? head.substring(0, room) : head.toString();
    return truncated.replaceAll("-+$", "") + "-" + hash;
  }

  private static String sanitize(String s) {
    if (s == null) {
      return "";
    }
    return s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
  }

  private static String hash(String s) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, HASH_LENGTH);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
