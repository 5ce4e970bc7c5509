package io.jreap.log.replay;

import io.jreap.log.format.Header;
import io.jreap.log.format.LogEvent;
import io.jreap.log.replay.LogRecord.CloseRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Everything one writer (one sink in one JVM) put into a queue directory, in write order.
 *
 * <p>Invariant: {@link #items()} holds the records in the order {@link LogReader} returned them,
 * so events are in increasing sequence order; a directory that several writers used one after the
 * other (a restarted JVM) yields one {@code WriterLog} per writer, since sequence numbers restart.
 */
public final class WriterLog {
    private final int number;
    private final Path dir;
    private final Header header;
    private final List<Item> items = new ArrayList<>();
    private String label;
    private CloseRecord close;
    private long lastIndex = -1;
    private int events;

    WriterLog(int number, Path dir, Header header) {
        this.number = number;
        this.dir = dir;
        this.header = header;
    }

    /** Position among the loaded logs, from 0. */
    public int number() {
        return number;
    }

    /** The queue directory. */
    public Path dir() {
        return dir;
    }

    /** The first header this writer wrote that the log still holds. */
    public Header header() {
        return header;
    }

    /** A short name for output: the directory's name, made unique among the loaded logs. */
    public String label() {
        return label;
    }

    void label(String label) {
        this.label = label;
    }

    /** The records in write order. */
    public List<Item> items() {
        return Collections.unmodifiableList(items);
    }

    void add(Item item) {
        items.add(item);
        if (item.record() instanceof CloseRecord c) {
            close = c;
        } else if (item.record() instanceof LogRecord.HeaderRecord) {
            close = null; // the same writer went on after a close: only the last one counts
        }
        if (item.record() instanceof LogRecord.EventRecord) {
            events++;
        }
        lastIndex = item.record().index();
    }

    /** The CLOSE record if the writer closed the log cleanly (and wrote nothing after), else null. */
    public CloseRecord close() {
        return close;
    }

    /** The Chronicle index of the last record. */
    public long lastIndex() {
        return lastIndex;
    }

    /** How many events the log holds. */
    public int eventCount() {
        return events;
    }

    /** The last event, or null if there is none. */
    public Item lastEvent() {
        for (int i = items.size() - 1; i >= 0; i--) {
            if (items.get(i).event() != null) {
                return items.get(i);
            }
        }
        return null;
    }

    /** The first event, or null if there is none. */
    public Item firstEvent() {
        for (Item it : items) {
            if (it.event() != null) {
                return it;
            }
        }
        return null;
    }

    /** Every event in sequence order. */
    public List<LogEvent> events() {
        List<LogEvent> out = new ArrayList<>(events);
        for (Item it : items) {
            LogEvent e = it.event();
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return label + " (" + dir + ", jvm pid " + header.jvmPid() + ")";
    }
}
