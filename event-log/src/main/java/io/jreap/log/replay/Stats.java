package io.jreap.log.replay;

import io.jreap.event.EventType;
import io.jreap.log.format.LogEvent;
import io.jreap.log.format.Snapshot;
import io.jreap.log.replay.LogRecord.DroppedRecord;
import io.jreap.log.replay.LogRecord.SnapshotRecord;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Figures over a set of logs: events per type and per sandbox, the fork rate (mean over the span
 * and the busiest one-second window), kill latencies, and dropped events.
 *
 * <p>An event belongs to the sandbox of its subject pid (known from SANDBOX events, snapshots and
 * the FORK chain); a kill belongs to the sandbox of its target, and events with no sandbox (init,
 * the host) count as {@value #HOST}. Durations use the writer's nano times, never wall clocks.
 */
public final class Stats {
    /** The name events outside any sandbox are counted under. */
    public static final String HOST = "(host)";

    /** Per-sandbox counts. */
    public static final class SandboxCounts {
        public long events;
        public long forks;
        public long exits;
        public long kills;
    }

    private final Map<String, Long> byType = new TreeMap<>();
    private final Map<String, SandboxCounts> bySandbox = new TreeMap<>();
    private final List<Kill> kills = new ArrayList<>();
    private final List<Long> killNanos = new ArrayList<>();
    private final List<Long> exitNanos = new ArrayList<>();
    private long events;
    private long forks;
    private long peakForks;
    private long peakAtNanos;
    private long spanNanos;
    private long startNanos;
    private long dropped;
    private long droppedRecords;
    private int killsUnfinished;
    private final LogSet set;

    private Stats(LogSet set) {
        this.set = set;
    }

    /** Computes the figures of every log in the set. */
    public static Stats of(LogSet set) {
        Stats s = new Stats(set);
        s.compute();
        return s;
    }

    private void compute() {
        startNanos = set.startNanos();
        spanNanos = Math.max(0, set.endNanos() - startNanos);
        Map<Long, Long> forksPerSecond = new HashMap<>();
        for (WriterLog log : set.logs()) {
            Map<Long, String> sandboxOf = new HashMap<>();
            for (Item it : log.items()) {
                if (it.record() instanceof SnapshotRecord s) {
                    for (Snapshot.Node n : s.snapshot().nodes()) {
                        if (n.sandbox() != null) {
                            sandboxOf.put(n.pid(), n.sandbox());
                        }
                    }
                    continue;
                }
                if (it.record() instanceof DroppedRecord d) {
                    dropped += d.count();
                    droppedRecords++;
                    continue;
                }
                LogEvent e = it.event();
                if (e == null) {
                    continue;
                }
                events++;
                byType.merge(e.typeName(), 1L, Long::sum);
                if (e.type() == EventType.SANDBOX && !"closed".equals(e.detail())) {
                    sandboxOf.put(e.pid(), e.detail());
                } else if (e.type() == EventType.FORK) {
                    String sb = sandboxOf.get(e.ppid());
                    if (sb != null) {
                        sandboxOf.put(e.pid(), sb);
                    }
                    forks++;
                    forksPerSecond.merge((it.epochNanos() - startNanos) / 1_000_000_000L, 1L, Long::sum);
                }
                long subject = e.type() == EventType.KILL_BEGIN ? e.other()
                        : e.type() == EventType.KILL_END ? killEndTarget(e) : e.pid();
                SandboxCounts c = bySandbox.computeIfAbsent(sandboxOf.getOrDefault(subject, HOST), k -> new SandboxCounts());
                c.events++;
                if (e.type() == EventType.FORK) c.forks++;
                if (e.type() == EventType.EXIT) c.exits++;
                if (e.type() == EventType.KILL_BEGIN) c.kills++;
            }
            kills.addAll(Kill.find(log));
        }
        for (Map.Entry<Long, Long> e : forksPerSecond.entrySet()) {
            if (e.getValue() > peakForks || e.getValue() == peakForks && e.getKey() * 1_000_000_000L < peakAtNanos) {
                peakForks = e.getValue();
                peakAtNanos = e.getKey() * 1_000_000_000L;
            }
        }
        for (Kill k : kills) {
            if (k.durationNanos() >= 0) {
                killNanos.add(k.durationNanos());
            }
            if (k.exitLatencyNanos() >= 0) {
                exitNanos.add(k.exitLatencyNanos());
            } else if (k.unexited() > 0) {
                killsUnfinished++;
            }
        }
        Collections.sort(killNanos);
        Collections.sort(exitNanos);
    }

    /** KILL_END's detail is "kind target" (killpg 5, reap-kill 2); its pid is the sender. */
    private static long killEndTarget(LogEvent e) {
        String d = e.detail();
        if (d != null) {
            try {
                return Long.parseLong(d.substring(d.lastIndexOf(' ') + 1));
            } catch (NumberFormatException notThere) {
                // fall back to the sender
            }
        }
        return e.pid();
    }

    /** Events per type name. */
    public Map<String, Long> byType() {
        return Collections.unmodifiableMap(byType);
    }

    /** Counts per sandbox name ({@value #HOST} for none). */
    public Map<String, SandboxCounts> bySandbox() {
        return Collections.unmodifiableMap(bySandbox);
    }

    /** Every kill found. */
    public List<Kill> kills() {
        return Collections.unmodifiableList(kills);
    }

    public long events() {
        return events;
    }

    public long forks() {
        return forks;
    }

    /** The most forks in one second-long window counted from the log's start. */
    public long peakForksPerSecond() {
        return peakForks;
    }

    /** Events dropped, as DROPPED records count them. */
    public long dropped() {
        return dropped;
    }

    /** Nearest-rank percentile of sorted values; -1 if there are none. */
    public static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.min(sorted.size() - 1, Math.max(0, rank - 1)));
    }

    /** Prints the figures for people. */
    public void print(PrintWriter out) {
        for (WriterLog l : set.logs()) {
            Item f = l.firstEvent();
            Item z = l.lastEvent();
            out.println("log " + l.label() + ": jvm pid " + l.header().jvmPid() + " (" + l.header().jvm() + "), "
                    + l.eventCount() + " events" + (f == null ? "" : " #" + f.event().seq() + "..#" + z.event().seq())
                    + (l.close() != null ? ", closed cleanly" : ", no CLOSE record (cut short)"));
        }
        out.println("span: " + Times.duration(spanNanos) + " from " + Times.localDay(startNanos) + " to "
                + Times.localDay(startNanos + spanNanos));
        out.println("events by type (" + events + " in all):");
        for (Map.Entry<String, Long> e : byType.entrySet()) {
            out.printf(Locale.ROOT, "  %-16s %10d%n", e.getKey(), e.getValue());
        }
        out.println("events by sandbox:");
        out.printf(Locale.ROOT, "  %-16s %10s %8s %8s %6s%n", "sandbox", "events", "forks", "exits", "kills");
        for (Map.Entry<String, SandboxCounts> e : bySandbox.entrySet()) {
            SandboxCounts c = e.getValue();
            out.printf(Locale.ROOT, "  %-16s %10d %8d %8d %6d%n", e.getKey(), c.events, c.forks, c.exits, c.kills);
        }
        String rate = spanNanos > 0 ? String.format(Locale.ROOT, "%.1f forks/s over the span", forks * 1e9 / spanNanos)
                : "no span to measure a rate over";
        out.println("fork rate: " + forks + " forks, " + rate + ", peak " + peakForks + " in one second"
                + (peakForks > 0 ? " (the second from +" + peakAtNanos / 1_000_000_000L + " s)" : ""));
        out.println("kills: " + kills.size() + (killsUnfinished > 0 ? " (" + killsUnfinished
                + " with a target that never exited in the log)" : ""));
        if (!kills.isEmpty()) {
            latency(out, "KILL_BEGIN -> KILL_END", killNanos);
            latency(out, "KILL_BEGIN -> last target EXIT", exitNanos);
        }
        out.println("dropped: " + dropped + " events in " + droppedRecords + " DROPPED record"
                + (droppedRecords == 1 ? "" : "s"));
    }

    private static void latency(PrintWriter out, String what, List<Long> sorted) {
        if (sorted.isEmpty()) {
            out.printf(Locale.ROOT, "  %-32s none measured%n", what);
            return;
        }
        out.printf(Locale.ROOT, "  %-32s p50 %s  p99 %s  max %s  (n=%d)%n", what, Times.duration(percentile(sorted, 50)),
                Times.duration(percentile(sorted, 99)), Times.duration(sorted.get(sorted.size() - 1)), sorted.size());
    }
}
