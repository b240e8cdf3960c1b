package dev.taskjob.core.cloud;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A catalog fetched from a cloud's APIs, refreshed periodically, that never goes without prices: the first
 * call fetches (and falls back to the bundled snapshot when the APIs cannot be reached); later calls answer
 * at once from the last good catalog and, once it is older than the refresh interval, start one background
 * refresh. A failed refresh keeps the last good data and is retried after a minute. User overrides are
 * applied on top of whatever the source. Thread-safe.
 */
public final class RefreshingCatalog implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RefreshingCatalog.class);
  private static final Duration RETRY_AFTER_FAILURE = Duration.ofMinutes(1);

  private final String what;
  private final Supplier<InstanceCatalog> live;
  private final Supplier<InstanceCatalog> snapshot;
  private final PriceOverrides overrides;
  private final Duration refreshInterval;
  private final Clock clock;
  private final AtomicBoolean refreshing = new AtomicBoolean();
  private final ExecutorService refresher = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "catalog-refresh");
    t.setDaemon(true);
    return t;
  });

  private volatile InstanceCatalog current;
  private volatile Instant nextRefresh = Instant.MIN;
  private volatile boolean fromSnapshot;

  /**
   * @param what for log lines, e.g. "aws us-east-1"
   * @param live fetches from the cloud's APIs, or null to use only the snapshot
   * @param snapshot the bundled snapshot
   */
  public RefreshingCatalog(String what, Supplier<InstanceCatalog> live, Supplier<InstanceCatalog> snapshot,
      PriceOverrides overrides, Duration refreshInterval, Clock clock) {
    this.what = what;
    this.live = live;
    this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
    this.overrides = overrides == null ? PriceOverrides.none() : overrides;
    this.refreshInterval = refreshInterval;
    this.clock = clock;
  }

  /** The current catalog with overrides applied. */
  public InstanceCatalog get() {
    InstanceCatalog catalog = current;
    if (catalog == null) {
      synchronized (this) {
        if (current == null) {
          refreshNow();
        }
        catalog = current;
      }
    } else if (live != null && !clock.instant().isBefore(nextRefresh) && refreshing.compareAndSet(false, true)) {
      refresher.execute(() -> {
        try {
          refreshNow();
        } finally {
          refreshing.set(false);
        }
      });
    }
    return catalog;
  }

  /** True when the catalog in use is the bundled snapshot (the APIs have not answered yet). */
  public boolean isFromSnapshot() {
    get();
    return fromSnapshot;
  }

  /** Fetches now; on failure keeps the last good catalog (or the snapshot when there is none). */
  public synchronized void refreshNow() {
    if (live != null) {
      try {
        InstanceCatalog fetched = live.get();
        current = overrides.apply(fetched);
        fromSnapshot = false;
        nextRefresh = clock.instant().plus(refreshInterval);
        return;
      } catch (RuntimeException e) {
        log.warn("cannot fetch the {} instance catalog ({}); {}", what, e.getMessage(),
            current == null || fromSnapshot ? "using the bundled price snapshot" : "keeping the last good one");
        nextRefresh = clock.instant().plus(RETRY_AFTER_FAILURE);
      }
    }
    if (current == null) {
      current = overrides.apply(snapshot.get());
      fromSnapshot = true;
    }
  }

  @Override
  public void close() {
    refresher.shutdownNow();
  }
}
