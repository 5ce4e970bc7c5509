package io.jreap.log.replay;

import io.jreap.event.EventType;
import io.jreap.log.format.LogEvent;
import io.jreap.log.format.Snapshot;
import io.jreap.log.replay.LogRecord.SnapshotRecord;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Selects events: by pid (with {@code subtree}, also its descendants), process group, type and a
 * range of points. Items must be {@link #accepts offered} in each log's write order: the subtree
 * grows as FORK events and snapshots name new descendants, and a child's FORK always precedes its
 * own events, so one pass suffices (also when following a live log). Non-event records (DROPPED,
 * CLOSE) pass only when no pid, group or type is asked for.
 */
public final class EventFilter {
    private final Long pid;
    private final boolean subtree;
    private final Long pgid;
    private final Set<EventType> types;
    private final Point from;
    private final Point to;
    private final Map<WriterLog, Set<Long>> subtrees = new HashMap<>();

    /**
     * @param pid events about this pid (its own, and the FORKs of its children), or null for any
     * @param subtree also the pid's descendants
     * @param pgid events whose group is this, or null
     * @param types these types only, or null for all
     * @param from from this point on (inclusive), or null
     * @param to up to this point (inclusive), or null
     */
    public EventFilter(Long pid, boolean subtree, Long pgid, Set<EventType> types, Point from, Point to) {
        this.pid = pid;
        this.subtree = subtree;
        this.pgid = pgid;
        this.types = types;
        this.from = from;
        this.to = to;
    }

    /** Everything. */
    public static EventFilter all() {
        return new EventFilter(null, false, null, null, null, null);
    }

    /**
     * Parses a comma-separated list of type names (any case).
     *
     * @throws BadArgumentException for an unknown name, listing the valid ones
     */
    public static Set<EventType> parseTypes(String option, String csv) throws BadArgumentException {
        Set<EventType> out = EnumSet.noneOf(EventType.class);
        for (String part : csv.split(",")) {
            String name = part.trim().toUpperCase(Locale.ROOT);
            if (name.isEmpty()) {
                continue;
            }
            try {
                out.add(EventType.valueOf(name));
            } catch (IllegalArgumentException e) {
                throw new BadArgumentException(option + " '" + part.trim() + "' is not an event type: give one or more of "
                        + Arrays.stream(EventType.values()).map(Enum::name).collect(Collectors.joining(","))
                        + " (comma-separated).");
            }
        }
        if (out.isEmpty()) {
            throw new BadArgumentException(option + " is empty: give one or more event types, comma-separated.");
        }
        return out;
    }

    /** Offers the next item of its log; true if it is selected. */
    public boolean accepts(Item it) {
        LogEvent e = it.event();
        if (subtree && pid != null) {
            grow(it, e);
        }
        if (e == null) {
            if (it.record() instanceof SnapshotRecord || it.record() instanceof LogRecord.HeaderRecord) {
                return false;
            }
            return pid == null && pgid == null && types == null && (to == null || to.covers(it))
                    && (from == null || from.atOrAfter(it));
        }
        if (from != null && !from.atOrAfter(it)) {
            return false;
        }
        if (to != null && !to.covers(it)) {
            return false;
        }
        if (types != null && (e.type() == null || !types.contains(e.type()))) {
            return false;
        }
        if (pgid != null && e.pgid() != pgid) {
            return false;
        }
        if (pid != null) {
            if (subtree) {
                return subtreeOf(it.log()).contains(e.pid());
            }
            return e.pid() == pid || e.type() == EventType.FORK && e.ppid() == pid;
        }
        return true;
    }

    private Set<Long> subtreeOf(WriterLog log) {
        return subtrees.computeIfAbsent(log, k -> {
            Set<Long> s = new HashSet<>();
            s.add(pid);
            return s;
        });
    }

    private void grow(Item it, LogEvent e) {
        Set<Long> s = subtreeOf(it.log());
        if (e != null) {
            if (e.type() == EventType.FORK && s.contains(e.ppid())) {
                s.add(e.pid());
            }
        } else if (it.record() instanceof SnapshotRecord sr) {
            // Parents have lower pids than their children (pids are never reused, reapers are ancestors),
            // but repeat until nothing changes rather than rely on it.
            for (boolean changed = true; changed; ) {
                changed = false;
                for (Snapshot.Node n : sr.snapshot().nodes()) {
                    if (s.contains(n.ppid()) && n.pid() != n.ppid() && s.add(n.pid())) {
                        changed = true;
                    }
                }
            }
        }
    }
}
