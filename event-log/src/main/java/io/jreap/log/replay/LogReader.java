package io.jreap.log.replay;

import io.jreap.event.EventType;
import io.jreap.log.format.ByteReader;
import io.jreap.log.format.CorruptRecordException;
import io.jreap.log.format.Header;
import io.jreap.log.format.LogEvent;
import io.jreap.log.format.RecordCodec;
import io.jreap.log.format.Schema.RecordKind;
import io.jreap.log.format.Schema;
import io.jreap.log.replay.LogRecord.CloseRecord;
import io.jreap.log.replay.LogRecord.DroppedRecord;
import io.jreap.log.replay.LogRecord.EventRecord;
import io.jreap.log.replay.LogRecord.HeaderRecord;
import io.jreap.log.replay.LogRecord.SnapshotRecord;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import net.openhft.chronicle.wire.Wires;

/**
 * Reads a jreap event log (a Chronicle Queue directory) record by record, in write order.
 *
 * <p>Opens the queue read-only, so a log of a running JVM, a dead one or one copied from another
 * machine reads the same, and reading never changes it. Refuses, with a {@link LogException} that
 * names the directory and the fix: a missing directory, a file, a directory with no queue files, a
 * queue that is not a jreap log, a log written with a newer schema, and a record it cannot decode.
 * Events a writer wrote twice (after reopening its queue) are returned once.
 *
 * <p>{@link #next()} returns null when no further record is there <em>now</em>; call it again
 * later to follow a live log. Not thread-safe.
 */
public final class LogReader implements AutoCloseable {
    private final Path dir;
    private final SingleChronicleQueue queue;
    private final ExcerptTailer tailer;
    private final ArrayDeque<LogRecord> pending = new ArrayDeque<>();
    private final List<LogEvent> scratch = new ArrayList<>(512);
    private final ByteReader decoder = new ByteReader();
    private String[] typeNames;
    private EventType[] types;
    private long writerId;
    private long nextSeq = -1;
    private boolean sawHeader;
    private boolean closed;
    private long lastIndex = -1;
    private final int firstCycle;
    private long endOfDocument = -1;
    private int endCycle;

    private LogReader(Path dir, SingleChronicleQueue queue, int firstCycle) {
        this.dir = dir;
        this.queue = queue;
        this.tailer = queue.createTailer();
        this.tailer.singleThreadedCheckDisabled(true); // one reader thread; the check costs per document
        this.firstCycle = firstCycle;
        startAtFirstFile(tailer);
    }

    /**
     * Retention (or a person) may have deleted the oldest cycle files while the queue's metadata
     * still names them as the start; a tailer would then find nothing. Start at the oldest file
     * that is there instead.
     */
    private void startAtFirstFile(ExcerptTailer t) {
        if (firstCycle != Integer.MAX_VALUE && firstCycle > queue.firstCycle()) {
            t.moveToCycle(firstCycle);
        }
    }

    /** The oldest cycle among the files, from their names; MAX_VALUE if no name parses. */
    private static int firstCycleOnDisk(SingleChronicleQueue q, String[] cq4) {
        RollCycle rc = q.rollCycle();
        DateTimeFormatter f = new DateTimeFormatterBuilder().appendPattern(rc.format())
                .parseDefaulting(ChronoField.HOUR_OF_DAY, 0)
                .parseDefaulting(ChronoField.MINUTE_OF_HOUR, 0)
                .parseDefaulting(ChronoField.SECOND_OF_MINUTE, 0)
                .toFormatter(Locale.ROOT).withZone(ZoneOffset.UTC);
        int min = Integer.MAX_VALUE;
        for (String name : cq4) {
            try {
                long millis = LocalDateTime.parse(name.substring(0, name.length() - 4), f)
                        .toInstant(ZoneOffset.UTC).toEpochMilli();
                min = (int) Math.min(min, millis / rc.lengthInMillis());
            } catch (DateTimeException notACycleFile) {
                // Not named by this roll cycle: Chronicle ignores it too.
            }
        }
        return min;
    }

    /** Opens the log in {@code dir}; see the class comment for what it refuses. */
    public static LogReader open(Path dir) throws LogException {
        File d = dir.toFile();
        if (!d.exists()) {
            throw new LogException(dir + ": no such directory. Give the directory the agent wrote (agent option log=DIR).");
        }
        if (!d.isDirectory()) {
            throw new LogException(dir + ": is a file, not a log directory. Give the directory that holds the *.cq4 files.");
        }
        String[] cq4 = d.list((x, name) -> name.endsWith(".cq4"));
        if (cq4 == null || cq4.length == 0) {
            throw new LogException(dir + ": holds no Chronicle Queue files (*.cq4), so it is not a jreap event log."
                    + " Give the directory the agent wrote (agent option log=DIR).");
        }
        SingleChronicleQueue q;
        try {
            ChronicleReading.prepare();
            q = SingleChronicleQueueBuilder.binary(dir).readOnly(true).build();
        } catch (Throwable t) {
            throw new LogException(dir + ": cannot be opened as a Chronicle Queue (" + firstLine(t)
                    + "). Is it a complete copy of a jreap log directory?", t);
        }
        LogReader r;
        try {
            r = new LogReader(dir, q, firstCycleOnDisk(q, cq4)); // the tailer reads a cycle's file header already
        } catch (Exception e) {
            q.close();
            throw corrupt(dir, e);
        }
        try {
            r.checkFirstRecord();
        } catch (LogException e) {
            r.close();
            throw e;
        } catch (Exception e) {
            r.close();
            throw corrupt(dir, e);
        }
        return r;
    }

    /** Chronicle throws checked exceptions (StreamCorruptedException) without declaring them: catch-all callers. */
    private static LogException corrupt(Path dir, Exception e) {
        return new LogException(dir + ": a queue file is corrupt (" + firstLine(e) + "); Chronicle cannot read it."
                + " Is it a complete copy of a jreap log directory?", e);
    }

    /** The log's directory. */
    public Path dir() {
        return dir;
    }

    /** The Chronicle index of the last record returned. */
    public long lastIndex() {
        return lastIndex;
    }

    /**
     * Whether the log ends, where {@link #next()} returned null, in a document a writer began but
     * did not finish: its JVM died while writing it (or, in a live log, is writing it now). Such a
     * document is never returned; everything before it is. Chronicle Queue (2026.x) writes a
     * document's header only when the document is complete, so a torn one shows as a zero header
     * with data bytes after it (older queues: a header marked not complete). Read-only: looks at
     * the cycle file after the last document read, skipping complete metadata (index) documents.
     */
    public boolean tornTail() {
        if (endOfDocument < 0 || tailer.cycle() != endCycle
                || !(tailer instanceof net.openhft.chronicle.queue.impl.ExcerptContext c) || c.wire() == null) {
            return false;
        }
        Bytes<?> b = c.wire().bytes();
        try {
            long pos = align4(endOfDocument);
            int h = b.readVolatileInt(pos);
            for (int skipped = 0; h != 0 && Wires.isReady(h) && skipped < 16; skipped++) {
                pos = align4(pos + 4 + Wires.lengthOf(h));
                h = b.readVolatileInt(pos);
            }
            if (h != 0) {
                return Wires.isNotComplete(h);
            }
            for (long p = pos + 4; p < pos + 4 + 256; p += 4) {
                if (b.readVolatileInt(p) != 0) {
                    return true;
                }
            }
            return false;
        } catch (RuntimeException beyondTheFile) {
            return false;
        }
    }

    private static long align4(long position) {
        return (position + 3) & ~3L;
    }

    /** Whether a CLOSE record was read: the writer shut down cleanly. */
    public boolean closed() {
        return closed;
    }

    /** The next record, or null if there is none (yet). */
    public LogRecord next() throws LogException {
        while (pending.isEmpty()) {
            if (!readDocument()) {
                return null;
            }
        }
        LogRecord r = pending.poll();
        lastIndex = r.index();
        return r;
    }

    /** Every record from here to the current end. */
    public List<LogRecord> readAll() throws LogException {
        List<LogRecord> out = new ArrayList<>();
        for (LogRecord r; (r = next()) != null; ) {
            out.add(r);
        }
        return out;
    }

    /** Every event from here to the current end, skipping the other records. */
    public List<LogEvent> readEvents() throws LogException {
        List<LogEvent> out = new ArrayList<>();
        for (LogRecord r; (r = next()) != null; ) {
            if (r instanceof EventRecord e) {
                out.add(e.event());
            }
        }
        return out;
    }

    private void checkFirstRecord() throws LogException {
        ExcerptTailer probe = queue.createTailer();
        startAtFirstFile(probe);
        try (DocumentContext dc = probe.readingDocument()) {
            if (!dc.isPresent()) {
                throw new LogException(dir + ": the queue holds no records yet. If a JVM is writing it, try again;"
                        + " otherwise it is not a jreap event log.");
            }
            Bytes<?> b = dc.wire().bytes();
            RecordKind kind = b.readRemaining() > 0 ? RecordKind.of(b.readByte()) : null;
            if (kind != RecordKind.HEADER) {
                throw new LogException(dir + ": is a Chronicle Queue but not a jreap event log (its first record is not"
                        + " a jreap header). Give the directory the agent wrote.");
            }
            Header h;
            try {
                h = RecordCodec.readHeader(b);
            } catch (CorruptRecordException e) {
                throw new LogException(dir + ": is a Chronicle Queue but not a jreap event log: " + e.getMessage());
            }
            checkVersion(h);
        } finally {
            probe.close();
        }
    }

    private void checkVersion(Header h) throws LogException {
        if (h.schemaVersion() > Schema.VERSION || h.schemaVersion() < 1) {
            throw new LogException(dir + ": was written with jreap log schema " + h.schemaVersion()
                    + "; this jreap reads schema 1 to " + Schema.VERSION + ". Read it with the jreap version that wrote it,"
                    + " or a newer one.");
        }
    }

    private boolean readDocument() throws LogException {
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                return false;
            }
            long index = dc.index();
            Bytes<?> b = dc.wire().bytes();
            endOfDocument = b.readLimit();
            endCycle = tailer.cycle();
            try {
                decode(index, b);
            } catch (CorruptRecordException e) {
                throw new LogException(dir + ": the record at index " + Long.toHexString(index) + " is corrupt: "
                        + e.getMessage() + "; the log cannot be read past it. Is the directory a complete copy?");
            }
            return true;
        } catch (LogException e) {
            throw e;
        } catch (Exception e) {
            // Also the checked exceptions Chronicle throws undeclared.
            throw new LogException(dir + ": Chronicle could not read past index " + Long.toHexString(lastIndex) + " ("
                    + firstLine(e) + "); the log may be damaged there.", e);
        }
    }

    private void decode(long index, Bytes<?> b) throws LogException {
        RecordKind kind = RecordCodec.readKind(b);
        if (kind == null) {
            throw new CorruptRecordException("its record kind is unknown to schema " + Schema.VERSION);
        }
        switch (kind) {
            case HEADER -> {
                Header h = RecordCodec.readHeader(b);
                checkVersion(h);
                if (!sawHeader || h.writerId() != writerId) {
                    nextSeq = -1; // a new writer numbers from 0 again
                }
                sawHeader = true;
                writerId = h.writerId();
                typeNames = h.typeNames();
                types = RecordCodec.resolve(typeNames);
                closed = false;
                pending.add(new HeaderRecord(index, h));
            }
            case SNAPSHOT -> pending.add(new SnapshotRecord(index, RecordCodec.readSnapshot(b)));
            case EVENTS -> {
                if (typeNames == null) {
                    throw new CorruptRecordException("events before any header");
                }
                scratch.clear();
                RecordCodec.readEvents(b, typeNames, types, scratch, decoder);
                for (LogEvent e : scratch) {
                    if (e.seq() > nextSeq || nextSeq < 0) {
                        pending.add(new EventRecord(index, e));
                        nextSeq = e.seq();
                    }
                }
            }
            case DROPPED -> {
                long[] d = RecordCodec.readDropped(b);
                pending.add(new DroppedRecord(index, d[0], d[1], d[2], d[3]));
            }
            case CLOSE -> {
                long[] c = RecordCodec.readClose(b);
                closed = true;
                pending.add(new CloseRecord(index, c[0], c[1]));
            }
        }
    }

    static String firstLine(Throwable t) {
        String m = t.getMessage();
        String s = t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Override
    public void close() {
        try {
            tailer.close();
        } finally {
            queue.close();
        }
    }
}
