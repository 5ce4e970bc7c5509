package io.jreap.log.replay;

import io.jreap.log.format.Header;
import io.jreap.log.replay.LogRecord.CloseRecord;
import io.jreap.log.replay.LogRecord.DroppedRecord;
import io.jreap.log.replay.LogRecord.HeaderRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * One or more event logs loaded into memory for replay: one {@link WriterLog} per writer found in
 * the given queue directories (several directories are several JVMs).
 *
 * <p>{@link #merged()} interleaves all logs by wall-clock time; within one log it keeps write
 * (sequence) order even where clock readings step back, so merging never reorders a JVM's events.
 */
public final class LogSet {
    private final List<WriterLog> logs;
    private List<Item> merged;

    private LogSet(List<WriterLog> logs) {
        this.logs = logs;
    }

    /**
     * Reads every record of every directory. Fails with a {@link LogException} naming the directory
     * for each kind of bad input {@link LogReader#open} refuses, and for a corrupt record.
     */
    public static LogSet load(List<Path> dirs) throws LogException {
        if (dirs.isEmpty()) {
            throw new LogException("no log directory given: name at least one directory the agent wrote (agent option log=DIR)");
        }
        List<WriterLog> logs = new ArrayList<>();
        for (Path dir : dirs) {
            try (LogReader r = LogReader.open(dir)) {
                Loader loader = new Loader(dir, logs);
                for (LogRecord rec; (rec = r.next()) != null; ) {
                    loader.add(rec);
                }
            }
        }
        label(logs);
        return new LogSet(logs);
    }

    /** Turns records of one directory into writer logs with times; also used when following. */
    static final class Loader {
        private final Path dir;
        private final List<WriterLog> logs;
        private WriterLog current;
        private long anchorWallNanos;
        private long anchorNano;

        Loader(Path dir, List<WriterLog> logs) {
            this.dir = dir;
            this.logs = logs;
        }

        WriterLog current() {
            return current;
        }

        Item add(LogRecord rec) {
            if (rec instanceof HeaderRecord h) {
                Header hd = h.header();
                if (current == null || current.header().writerId() != hd.writerId()) {
                    current = new WriterLog(logs.size(), dir, hd);
                    logs.add(current);
                }
                anchorWallNanos = hd.wallMillis() * 1_000_000L;
                anchorNano = hd.nanoTime();
            }
            Item item = new Item(current, rec, timeOf(rec));
            current.add(item);
            return item;
        }

        private long timeOf(LogRecord rec) {
            if (rec instanceof LogRecord.EventRecord e) {
                return anchorWallNanos + (e.event().nanoTime() - anchorNano);
            }
            if (rec instanceof DroppedRecord d) {
                return d.lastWallMillis() * 1_000_000L;
            }
            if (rec instanceof CloseRecord c) {
                return c.wallMillis() * 1_000_000L;
            }
            return anchorWallNanos;
        }
    }

    static void label(List<WriterLog> logs) {
        Map<String, Set<Path>> dirsByName = new HashMap<>();
        for (WriterLog l : logs) {
            dirsByName.computeIfAbsent(name(l.dir()), k -> new HashSet<>()).add(l.dir().toAbsolutePath().normalize());
        }
        Map<Path, Integer> writersInDir = new HashMap<>();
        for (WriterLog l : logs) {
            // Two directories with one name (a/log, b/log) are told apart by their whole path.
            String base = dirsByName.get(name(l.dir())).size() > 1 ? l.dir().toString() : name(l.dir());
            int n = writersInDir.merge(l.dir(), 1, Integer::sum);
            l.label(n > 1 ? base + "#" + n : base);
        }
    }

    private static String name(Path dir) {
        Path f = dir.toAbsolutePath().normalize().getFileName();
        return f == null ? dir.toString() : f.toString();
    }

    /** The writers' logs, in the order of the directories given. */
    public List<WriterLog> logs() {
        return Collections.unmodifiableList(logs);
    }

    /** Whether more than one writer's log is loaded (output then names the log of each event). */
    public boolean several() {
        return logs.size() > 1;
    }

    /** Every record of every log, merged by wall-clock time, stable within each log. */
    public List<Item> merged() {
        if (merged == null) {
            merged = merge(logs);
        }
        return merged;
    }

    /** Every event of every log, merged as {@link #merged()}. */
    public List<Item> mergedEvents() {
        List<Item> out = new ArrayList<>();
        for (Item it : merged()) {
            if (it.event() != null) {
                out.add(it);
            }
        }
        return out;
    }

    private static List<Item> merge(List<WriterLog> logs) {
        if (logs.size() == 1) {
            return logs.get(0).items();
        }
        int total = 0;
        long[][] keys = new long[logs.size()][];
        for (int l = 0; l < logs.size(); l++) {
            List<Item> items = logs.get(l).items();
            total += items.size();
            // A header or snapshot is timed by its header's millisecond wall clock, coarser than events:
            // it sorts with the event after it, so that it never holds back or hurries its log.
            long[] k = new long[items.size()];
            for (int i = items.size() - 1; i >= 0; i--) {
                Item it = items.get(i);
                boolean coarse = it.record() instanceof LogRecord.HeaderRecord || it.record() instanceof LogRecord.SnapshotRecord;
                k[i] = coarse && i + 1 < items.size() ? k[i + 1] : it.epochNanos();
            }
            keys[l] = k;
        }
        List<Item> out = new ArrayList<>(total);
        // Heads of each log's list; ties go to the earlier log, so the merge is deterministic.
        PriorityQueue<int[]> heads = new PriorityQueue<>((a, b) -> {
            long ta = keys[a[0]][a[1]];
            long tb = keys[b[0]][b[1]];
            return ta != tb ? Long.compare(ta, tb) : Integer.compare(a[0], b[0]);
        });
        for (int i = 0; i < logs.size(); i++) {
            if (!logs.get(i).items().isEmpty()) {
                heads.add(new int[] {i, 0});
            }
        }
        while (!heads.isEmpty()) {
            int[] h = heads.poll();
            List<Item> items = logs.get(h[0]).items();
            out.add(items.get(h[1]));
            if (h[1] + 1 < items.size()) {
                heads.add(new int[] {h[0], h[1] + 1});
            }
        }
        return out;
    }

    /** The wall time of the earliest event of any log, or of the first record if there are no events. */
    public long startNanos() {
        long min = Long.MAX_VALUE;
        for (WriterLog l : logs) {
            Item f = l.firstEvent();
            if (f != null) {
                min = Math.min(min, f.epochNanos());
            }
        }
        if (min == Long.MAX_VALUE) {
            for (WriterLog l : logs) {
                if (!l.items().isEmpty()) {
                    min = Math.min(min, l.items().get(0).epochNanos());
                }
            }
        }
        return min == Long.MAX_VALUE ? 0 : min;
    }

    /** The wall time of the latest event of any log (see {@link #startNanos()}). */
    public long endNanos() {
        long max = Long.MIN_VALUE;
        for (WriterLog l : logs) {
            Item f = l.lastEvent();
            if (f != null) {
                max = Math.max(max, f.epochNanos());
            }
        }
        return max == Long.MIN_VALUE ? startNanos() : max;
    }

    /** Total events over all logs. */
    public long eventCount() {
        long n = 0;
        for (WriterLog l : logs) {
            n += l.eventCount();
        }
        return n;
    }
}
