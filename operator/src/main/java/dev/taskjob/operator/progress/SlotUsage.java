package dev.taskjob.operator.progress;

import dev.taskjob.core.Json;
import dev.taskjob.core.event.EventType;
import dev.taskjob.core.event.TaskEvent;
import dev.taskjob.operator.decision.CostBreakdown;
import dev.taskjob.operator.decision.CostMeter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * What each VM's task slots did, from the workers' task events (each names its instance, its slot, its
 * end and how long it ran; {@code task_started} its start), joined with the VMs' bills as the pool lists
 * them, for {@link CostBreakdown}. An attempt still running when its VM ended is interrupted work. A VM
 * the pool stops listing has its split folded into a closed sum, so memory follows the live VMs.
 *
 * <p>Its state is saved with the ledger ({@link #KEY}), so an operator restart continues the split.
 *
 * <p>Events can arrive twice or late: on one slot attempts follow each other, so an end no later than the
 * slot's last recorded end is a copy, and a start before it is stale; both are left out. Not thread-safe;
 * {@link JobProgress} serialises access.
 */
public final class SlotUsage {

  /** Where the state is saved in the ledger ConfigMap's {@code binaryData} (gzip JSON). */
  public static final String KEY = "slot-usage.json.gz";

  /** One VM's bill as its pool lists it. */
  public record Bill(String instanceId, CostMeter.VmLife life) {}

  /** One VM as saved. */
  record SavedVm(CostMeter.VmLife life, int slotsSeen, Instant firstStart, Instant lastEnd, double taskSeconds,
      double lostSeconds, Map<String, Instant> running, Map<String, Instant> lastEndOf) {}

  /** The whole state as saved. */
  record Saved(Map<String, SavedVm> vms, List<String> closedIds, CostBreakdown.Shares closed, int slotsPerInstance,
      double pricePerSlotHour) {}

  private static final class Vm {
    CostMeter.VmLife life;
    int slotsSeen;
    Instant firstStart;
    Instant lastEnd;
    double taskSeconds;
    double lostSeconds;
    /** Attempts started and not yet ended, by slot (or task when an event names no slot): their start. */
    final Map<String, Instant> running = new HashMap<>();
    final Map<String, Instant> lastEndOf = new HashMap<>();
  }

  private final Map<String, Vm> vms = new LinkedHashMap<>();
  private final Set<String> closedIds = new HashSet<>();
  private CostBreakdown.Shares closed = CostBreakdown.Shares.ZERO;
  private int slotsPerInstance = 1;
  private double pricePerSlotHour;

  /**
   * Records one task event; returns the USD its attempt's slot-seconds cost at its VM's price per slot
   * (the pool's price before the VM's own is known), or 0 for events that end no attempt or are copies.
   */
  public double record(TaskEvent e) {
    EventType type = e.eventType();
    if (type == null || !type.isTaskEvent() || e.instanceId() == null || e.timestamp() == null
        || closedIds.contains(e.instanceId())) {
      return 0;
    }
    Vm vm = vms.computeIfAbsent(e.instanceId(), id -> new Vm());
    if (e.slot() != null) {
      vm.slotsSeen = Math.max(vm.slotsSeen, e.slot() + 1);
    }
    String key = e.slot() != null ? "s" + e.slot() : "t" + e.taskIndex();
    Instant lastEnd = vm.lastEndOf.get(key);
    if (type == EventType.TASK_STARTED) {
      if (lastEnd == null || !e.timestamp().isBefore(lastEnd)) {
        vm.running.put(key, e.timestamp());
        vm.firstStart = earlier(vm.firstStart, e.timestamp());
      }
      return 0;
    }
    Instant end = e.timestamp();
    if (lastEnd != null && !end.isAfter(lastEnd)) {
      return 0;
    }
    vm.lastEndOf.put(key, end);
    Instant started = vm.running.remove(key);
    Instant start = e.elapsedTime() != null ? end.minusNanos((long) (Math.max(0, e.elapsedTime()) * 1e9))
        : started != null ? started : end;
    double seconds = Math.max(0, Duration.between(start, end).toNanos() / 1e9);
    if (type == EventType.TASK_RETRIED) {
      vm.lostSeconds += seconds;
    } else {
      vm.taskSeconds += seconds;
    }
    vm.firstStart = earlier(vm.firstStart, start);
    vm.lastEnd = vm.lastEnd == null || end.isAfter(vm.lastEnd) ? end : vm.lastEnd;
    return seconds / 3600 * pricePerSlotHour(vm);
  }

  /**
   * Takes one look at the pool's bills: each listed VM's life and price, the slots each runs and the
   * pool's price per slot. A VM listed before and not now is closed: its split is folded in.
   */
  public void observe(Collection<Bill> listed, int slotsPerInstance, double pricePerSlotHour,
      CostMeter.Billing billing, Instant now) {
    this.slotsPerInstance = Math.max(1, slotsPerInstance);
    this.pricePerSlotHour = Math.max(0, pricePerSlotHour);
    Set<String> seen = new HashSet<>();
    for (Bill bill : listed) {
      if (closedIds.contains(bill.instanceId())) {
        continue;
      }
      vms.computeIfAbsent(bill.instanceId(), id -> new Vm()).life = bill.life();
      seen.add(bill.instanceId());
    }
    for (Iterator<Map.Entry<String, Vm>> it = vms.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Vm> e = it.next();
      Vm vm = e.getValue();
      if (vm.life != null && !seen.contains(e.getKey())) {
        CostMeter.VmLife life = vm.life.ended() == null
            ? new CostMeter.VmLife(vm.life.launched(), now, vm.life.pricePerHour()) : vm.life;
        closed = closed.plus(CostBreakdown.of(work(vm, life, now), billing, now));
        closedIds.add(e.getKey());
        it.remove();
      }
    }
  }

  /**
   * The split of the bills of every VM seen so far until {@code now}; {@link CostBreakdown#fitTo} makes it
   * add up to the pool's own account, which also holds VMs that came and went unobserved.
   */
  public CostBreakdown.Shares shares(CostMeter.Billing billing, Instant now) {
    List<CostBreakdown.VmWork> open = new ArrayList<>();
    for (Vm vm : vms.values()) {
      if (vm.life != null) {
        open.add(work(vm, vm.life, now));
      }
    }
    return closed.plus(CostBreakdown.of(open, billing, now));
  }

  private CostBreakdown.VmWork work(Vm vm, CostMeter.VmLife life, Instant now) {
    double task = vm.taskSeconds;
    double lost = vm.lostSeconds;
    Instant lastEnd = vm.lastEnd;
    Instant firstStart = vm.firstStart;
    boolean ended = life.ended() != null && !life.ended().isAfter(now);
    Instant end = ended ? life.ended() : now;
    for (Instant start : vm.running.values()) {
      double seconds = start.isBefore(end) ? Duration.between(start, end).toNanos() / 1e9 : 0;
      if (ended) {
        // it ran until its VM went and reported no end: lost with the VM
        lost += seconds;
        lastEnd = lastEnd == null || end.isAfter(lastEnd) ? end : lastEnd;
      } else {
        task += seconds;
      }
      firstStart = earlier(firstStart, start);
    }
    return new CostBreakdown.VmWork(life, Math.max(slotsPerInstance, vm.slotsSeen), firstStart, lastEnd, task, lost);
  }

  private double pricePerSlotHour(Vm vm) {
    if (vm.life == null) {
      return pricePerSlotHour;
    }
    return vm.life.pricePerHour() / Math.max(slotsPerInstance, Math.max(1, vm.slotsSeen));
  }

  /** The state to save with the ledger (gzip JSON). */
  public byte[] encode() {
    Map<String, SavedVm> saved = new LinkedHashMap<>();
    vms.forEach((id, vm) -> saved.put(id, new SavedVm(vm.life, vm.slotsSeen, vm.firstStart, vm.lastEnd,
        vm.taskSeconds, vm.lostSeconds, vm.running, vm.lastEndOf)));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(bytes)) {
      Json.MAPPER.writeValue(out, new Saved(saved, List.copyOf(closedIds), closed, slotsPerInstance,
          pricePerSlotHour));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Restores what {@link #encode} saved; an unreadable entry gives an empty usage (the split restarts). */
  public static SlotUsage decode(byte[] entry) {
    SlotUsage usage = new SlotUsage();
    if (entry == null) {
      return usage;
    }
    Saved saved;
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(entry))) {
      saved = Json.MAPPER.readValue(in, Saved.class);
    } catch (IOException | RuntimeException e) {
      return usage;
    }
    if (saved.vms() != null) {
      saved.vms().forEach((id, s) -> {
        Vm vm = new Vm();
        vm.life = s.life();
        vm.slotsSeen = s.slotsSeen();
        vm.firstStart = s.firstStart();
        vm.lastEnd = s.lastEnd();
        vm.taskSeconds = s.taskSeconds();
        vm.lostSeconds = s.lostSeconds();
        if (s.running() != null) {
          vm.running.putAll(s.running());
        }
        if (s.lastEndOf() != null) {
          vm.lastEndOf.putAll(s.lastEndOf());
        }
        usage.vms.put(id, vm);
      });
    }
    if (saved.closedIds() != null) {
      usage.closedIds.addAll(saved.closedIds());
    }
    if (saved.closed() != null) {
      usage.closed = saved.closed();
    }
    usage.slotsPerInstance = Math.max(1, saved.slotsPerInstance());
    usage.pricePerSlotHour = saved.pricePerSlotHour();
    return usage;
  }

  private static Instant earlier(Instant a, Instant b) {
    return a == null || b.isBefore(a) ? b : a;
  }
}
