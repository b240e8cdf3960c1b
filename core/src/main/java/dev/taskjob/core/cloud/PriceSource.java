package dev.taskjob.core.cloud;

/** Where a price came from, shown next to the selected type so a user can judge it. */
public enum PriceSource {
  /** Fetched from the cloud's pricing API. */
  API,
  /** The snapshot bundled with this release (dated in the catalog). */
  SNAPSHOT,
  /** A user override (ConfigMap of prices: discounts, private pricing). */
  OVERRIDE,
  /** The local provider's built-in nominal prices. */
  BUILTIN
}
