package dev.taskjob.core.task;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Remembers which task ids were seen, in 8 bytes per id (an open-addressing table of 64-bit hashes),
 * so duplicate detection over a million ids costs ~16 MiB rather than the ids themselves.
 * Two different ids collide with probability about n^2 / 2^65 (10^-7 for a million ids); a collision
 * reports a duplicate that is not one, never the reverse.
 */
public final class TaskIdSet {

  private static final long EMPTY = 0L;
  private long[] table;
  private int size;
  private boolean containsZeroHash;

  public TaskIdSet() {
    table = new long[1024];
  }

  /** Adds the id; returns false when it (or an id with the same 64-bit hash) was already present. */
  public boolean add(String id) {
    long h = hash(id);
    if (h == EMPTY) {
      if (containsZeroHash) {
        return false;
      }
      containsZeroHash = true;
      size++;
      return true;
    }
    if ((size + 1) * 2L > table.length) {
      grow();
    }
    if (!insert(table, h)) {
      return false;
    }
    size++;
    return true;
  }

  public int size() {
    return size;
  }

  private static boolean insert(long[] t, long h) {
    int mask = t.length - 1;
    int i = (int) (h ^ (h >>> 32)) & mask;
    while (true) {
      long v = t[i];
      if (v == EMPTY) {
        t[i] = h;
        return true;
      }
      if (v == h) {
        return false;
      }
      i = (i + 1) & mask;
    }
  }

  private void grow() {
    long[] bigger = new long[table.length * 2];
    Arrays.stream(table).filter(v -> v != EMPTY).forEach(v -> insert(bigger, v));
    table = bigger;
  }

  /** FNV-1a over UTF-8 bytes, then the splitmix64 finaliser to spread the bits. */
  static long hash(String id) {
    long h = 0xcbf29ce484222325L;
    for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 30;
    h *= 0xbf58476d1ce4e5b9L;
    h ^= h >>> 27;
    h *= 0x94d049bb133111ebL;
    h ^= h >>> 31;
    return h;
  }
}
