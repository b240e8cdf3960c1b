package dev.taskjob.core.cloud;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * User prices that replace the fetched or bundled ones: discounts, savings plans, private pricing. The
 * operator passes the entries of a ConfigMap (as {@code price.<key>} properties of {@link ProviderConfig}, see
 * {@link ProviderConfig.Keys#PRICE_OVERRIDE_PREFIX}). Keys, values in USD per hour unless noted:
 *
 * <ul>
 *   <li>{@code <type>}: the on-demand price of one type ({@code m6i.large: "0.081"})
 *   <li>{@code <type>.spot}: the spot price of one type in every zone
 *   <li>{@code <type>.spot.<zone>}: the spot price of one type in one zone
 *   <li>{@code discount}: a fraction (0 to 1) taken off every on-demand price not set explicitly ({@code "0.2"})
 *   <li>{@code spotDiscount}: the same for spot prices
 *   <li>{@code bootDisk}: the boot disk price in USD per GiB-month ({@code "0.064"}); the only way to give the
 *       local provider's disks a price (free otherwise)
 * </ul>
 *
 * Overridden types report {@link PriceSource#OVERRIDE}. A bad entry is refused with its key and the reason.
 */
public final class PriceOverrides {

  private final Map<String, Double> onDemand = new HashMap<>();
  private final Map<String, Double> spotAllZones = new HashMap<>();
  private final Map<String, Map<String, Double>> spotByZone = new HashMap<>();
  private double discount;
  private double spotDiscount;
  private Double bootDiskPerGiBMonth;

  private PriceOverrides() {}

  /** No overrides. */
  public static PriceOverrides none() {
    return new PriceOverrides();
  }

  /** Parses ConfigMap-style entries. */
  public static PriceOverrides parse(Map<String, String> entries) {
    PriceOverrides o = new PriceOverrides();
    for (Map.Entry<String, String> e : entries.entrySet()) {
      String key = e.getKey().trim();
      double value = number(key, e.getValue());
      if (key.equals("discount") || key.equals("spotDiscount")) {
        if (value < 0 || value >= 1) {
          throw new IllegalArgumentException("price override '" + key + "': a discount is a fraction from 0 to below 1, got "
              + e.getValue());
        }
        if (key.equals("discount")) {
          o.discount = value;
        } else {
          o.spotDiscount = value;
        }
        continue;
      }
      if (key.equals("bootDisk")) {
        o.bootDiskPerGiBMonth = value;
        continue;
      }
      int zonePart = key.lastIndexOf(".spot.");
      if (zonePart > 0) {
        o.spotByZone.computeIfAbsent(key.substring(0, zonePart), k -> new HashMap<>())
            .put(key.substring(zonePart + ".spot.".length()), value);
      } else if (key.endsWith(".spot") && key.length() > ".spot".length()) {
        o.spotAllZones.put(key.substring(0, key.length() - ".spot".length()), value);
      } else {
        o.onDemand.put(key, value);
      }
    }
    return o;
  }

  /** The {@code price.*} properties of a provider config, without the prefix. */
  public static PriceOverrides fromConfig(ProviderConfig config) {
    Map<String, String> entries = new LinkedHashMap<>();
    config.properties().forEach((k, v) -> {
      if (k.startsWith(ProviderConfig.Keys.PRICE_OVERRIDE_PREFIX)) {
        entries.put(k.substring(ProviderConfig.Keys.PRICE_OVERRIDE_PREFIX.length()), v);
      }
    });
    return parse(entries);
  }

  public boolean isEmpty() {
    return onDemand.isEmpty() && spotAllZones.isEmpty() && spotByZone.isEmpty() && discount == 0 && spotDiscount == 0
        && bootDiskPerGiBMonth == null;
  }

  /** The catalog with these prices applied. */
  public InstanceCatalog apply(InstanceCatalog catalog) {
    if (isEmpty()) {
      return catalog;
    }
    List<InstanceType> types = catalog.types().stream().map(this::apply).toList();
    DiskPrice disk = bootDiskPerGiBMonth == null ? catalog.bootDisk()
        : catalog.bootDisk().withPerGiBMonth(bootDiskPerGiBMonth, PriceSource.OVERRIDE);
    return new InstanceCatalog(catalog.provider(), catalog.region(), types, catalog.pricesAsOf(), disk);
  }

  private InstanceType apply(InstanceType t) {
    boolean changed = false;
    Double od = t.onDemandPrice();
    if (onDemand.containsKey(t.name())) {
      od = onDemand.get(t.name());
      changed = true;
    } else if (discount > 0 && od != null) {
      od = od * (1 - discount);
      changed = true;
    }
    Map<String, Double> spot = new HashMap<>(t.spotPrices());
    if (spotDiscount > 0 && !spot.isEmpty()) {
      spot.replaceAll((zone, price) -> price * (1 - spotDiscount));
      changed = true;
    }
    if (spotAllZones.containsKey(t.name())) {
      double price = spotAllZones.get(t.name());
      List<String> zones = !t.zones().isEmpty() ? t.zones() : List.copyOf(spot.keySet());
      if (zones.isEmpty()) {
        throw new IllegalArgumentException("price override '" + t.name() + ".spot': the catalog knows no zones for "
            + t.name() + "; give a zone as '" + t.name() + ".spot.<zone>'");
      }
      zones.forEach(z -> spot.put(z, price));
      changed = true;
    }
    if (spotByZone.containsKey(t.name())) {
      spot.putAll(spotByZone.get(t.name()));
      changed = true;
    }
    return changed ? t.withPrices(od, spot, PriceSource.OVERRIDE) : t;
  }

  private static double number(String key, String value) {
    try {
      double d = Double.parseDouble(value == null ? "" : value.trim().toLowerCase(Locale.ROOT).replace("$", ""));
      if (d < 0 || Double.isNaN(d) || Double.isInfinite(d)) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("price override '" + key + "': not a non-negative number: '" + value + "'");
    }
  }
}
