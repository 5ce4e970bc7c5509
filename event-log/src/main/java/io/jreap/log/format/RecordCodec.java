package io.jreap.log.format;

import io.jreap.event.EventType;
import io.jreap.event.LifecycleEvent;
import io.jreap.log.format.Schema.RecordKind;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.bytes.Bytes;

/**
 * Writes and reads the records of {@link Schema} version {@value Schema#VERSION} to and from a
 * Chronicle document's bytes. Every method reads or writes exactly one record; the caller has read
 * the {@link RecordKind} byte already ({@link #readKind}).
 *
 * <p>Decoding failures (a record shorter than its fields, a negative count) surface as
 * {@link CorruptRecordException}, never as a Chronicle or buffer exception.
 */
public final class RecordCodec {
    private RecordCodec() {
    }

    // ---------------------------------------------------------------------------- writing

    public static void writeHeader(Bytes<?> out, Header h) {
        out.writeByte(RecordKind.HEADER.code);
        out.writeUtf8(Schema.MAGIC);
        out.writeStopBit(h.schemaVersion());
        out.writeLong(h.writerId());
        out.writeStopBit(h.typeNames().length);
        for (String n : h.typeNames()) {
            out.writeUtf8(n);
        }
        out.writeStopBit(h.jvmPid());
        out.writeUtf8(h.jvm());
        out.writeStopBit(h.wallMillis());
        out.writeLong(h.nanoTime());
        out.writeStopBit(h.nextSeq());
    }

    public static void writeSnapshot(Bytes<?> out, Snapshot s) {
        out.writeByte(RecordKind.SNAPSHOT.code);
        out.writeStopBit(s.nextSeq());
        out.writeStopBit(s.nodes().size());
        for (Snapshot.Node n : s.nodes()) {
            out.writeStopBit(n.pid());
            out.writeStopBit(n.ppid());
            out.writeStopBit(n.pgid());
            out.writeStopBit(n.sid());
            out.writeStopBit(n.reaperPid());
            out.writeByte((byte) ((n.reaper() ? 1 : 0) | (n.zombie() ? 2 : 0) | (n.pool() ? 4 : 0)));
            out.writeStopBit(n.killSignal());
            out.writeStopBit(n.exitStatus());
            out.writeStopBit(n.exitSignal());
            out.writeUtf8(n.sandbox());
            out.writeLong(n.forkedAtNanos());
        }
    }

    /** Starts an events record of {@code count} events; follow with exactly that many {@link #writeEvent}. */
    public static void writeEventsStart(Bytes<?> out, int count) {
        out.writeByte(RecordKind.EVENTS.code);
        out.writeStopBit(count);
    }

    /**
     * Writes one event of an events record; {@code previous} is the record's event before it (or
     * null): when both were made by the same thread, its id and name are not repeated.
     */
    public static void writeEvent(Bytes<?> out, long seq, LifecycleEvent e, String stack, LifecycleEvent previous) {
        boolean sameThread = previous != null && previous.threadId() == e.threadId()
                && java.util.Objects.equals(previous.threadName(), e.threadName());
        out.writeStopBit(seq);
        out.writeStopBit(e.type().ordinal());
        out.writeLong(e.nanoTime());
        out.writeStopBit(e.wallMillis());
        out.writeStopBit(e.pid());
        out.writeStopBit(e.ppid());
        out.writeStopBit(e.pgid());
        out.writeStopBit(e.sid());
        out.writeStopBit(e.other());
        out.writeStopBit(e.count());
        out.writeStopBit(e.signal());
        out.writeStopBit(e.status());
        out.writeUtf8(e.detail());
        out.writeByte((byte) ((e.virtualThread() ? 1 : 0) | (stack != null ? 2 : 0) | (sameThread ? 4 : 0)));
        if (!sameThread) {
            out.writeStopBit(e.threadId());
            out.writeUtf8(e.threadName());
        }
        if (stack != null) {
            out.writeUtf8(stack);
        }
    }

    public static void writeDropped(Bytes<?> out, long nextSeq, long dropped, long firstWallMillis, long lastWallMillis) {
        out.writeByte(RecordKind.DROPPED.code);
        out.writeStopBit(nextSeq);
        out.writeStopBit(dropped);
        out.writeStopBit(firstWallMillis);
        out.writeStopBit(lastWallMillis);
    }

    public static void writeClose(Bytes<?> out, long nextSeq, long wallMillis) {
        out.writeByte(RecordKind.CLOSE.code);
        out.writeStopBit(nextSeq);
        out.writeStopBit(wallMillis);
    }

    // ---------------------------------------------------------------------------- reading

    /** The record's kind, or null for a code this version does not know; a document with no byte is corrupt. */
    public static RecordKind readKind(Bytes<?> in) {
        if (in.readRemaining() < 1) {
            throw new CorruptRecordException("an empty document");
        }
        return RecordKind.of(in.readByte());
    }

    public static Header readHeader(Bytes<?> in) {
        try {
            String magic = in.readUtf8();
            if (!Schema.MAGIC.equals(magic)) {
                throw new CorruptRecordException("a header without the jreap magic (found " + quote(magic) + ")");
            }
            int version = (int) in.readStopBit();
            if (version > Schema.VERSION) {
                // Do not read further: a newer version may have changed what follows.
                return new Header(version, 0, new String[0], 0, null, 0, 0, 0);
            }
            long writerId = in.readLong();
            int n = count(in.readStopBit(), "type names");
            String[] names = new String[n];
            for (int i = 0; i < n; i++) {
                names[i] = in.readUtf8();
            }
            long jvmPid = in.readStopBit();
            String jvm = in.readUtf8();
            long wall = in.readStopBit();
            long nano = in.readLong();
            long nextSeq = in.readStopBit();
            return new Header(version, writerId, names, jvmPid, jvm, wall, nano, nextSeq);
        } catch (RuntimeException e) {
            throw wrap("header", e);
        }
    }

    public static Snapshot readSnapshot(Bytes<?> in) {
        try {
            long nextSeq = in.readStopBit();
            int n = count(in.readStopBit(), "snapshot nodes");
            List<Snapshot.Node> nodes = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                long pid = in.readStopBit();
                long ppid = in.readStopBit();
                long pgid = in.readStopBit();
                long sid = in.readStopBit();
                long reaperPid = in.readStopBit();
                int flags = in.readByte();
                int kill = (int) in.readStopBit();
                int status = (int) in.readStopBit();
                int exitSig = (int) in.readStopBit();
                String sandbox = in.readUtf8();
                long forkedAt = in.readLong();
                nodes.add(new Snapshot.Node(pid, ppid, pgid, sid, reaperPid, (flags & 1) != 0, (flags & 2) != 0, kill,
                        status, exitSig, (flags & 4) != 0, sandbox, forkedAt));
            }
            return new Snapshot(nextSeq, nodes);
        } catch (RuntimeException e) {
            throw wrap("snapshot", e);
        }
    }

    /**
     * Reads an events record into {@code out}, naming types through {@code typeNames} (from the
     * cycle's header); {@code r} is the caller's decoding buffer, kept across records.
     */
    public static void readEvents(Bytes<?> in, String[] typeNames, EventType[] types, List<LogEvent> out, ByteReader r) {
        long remaining = in.readRemaining();
        if (remaining > Integer.MAX_VALUE) {
            throw new CorruptRecordException("an events record of " + remaining + " bytes");
        }
        byte[] buf = r.reset((int) remaining);
        in.read(buf, 0, (int) remaining);
        try {
            int n = count(r.readStopBit(), "events");
            long threadId = 0;
            String threadName = null;
            for (int i = 0; i < n; i++) {
                long seq = r.readStopBit();
                int code = (int) r.readStopBit();
                long nano = r.readLong();
                long wall = r.readStopBit();
                long pid = r.readStopBit();
                long ppid = r.readStopBit();
                long pgid = r.readStopBit();
                long sid = r.readStopBit();
                long other = r.readStopBit();
                long count = r.readStopBit();
                int signal = (int) r.readStopBit();
                int status = (int) r.readStopBit();
                String detail = r.readUtf8();
                int flags = r.readByte();
                if ((flags & 4) == 0) {
                    threadId = r.readStopBit();
                    threadName = r.readUtf8();
                } else if (i == 0) {
                    throw new CorruptRecordException("event #" + seq + " repeats the thread of an event before it,"
                            + " but it is the first of its record");
                }
                String stack = (flags & 2) != 0 ? r.readUtf8() : null;
                if (code < 0 || code >= typeNames.length) {
                    throw new CorruptRecordException("event #" + seq + " has type code " + code + " but the header names "
                            + typeNames.length + " types");
                }
                out.add(new LogEvent(seq, types[code], typeNames[code], nano, wall, pid, ppid, pgid, sid, other, count,
                        signal, status, detail, threadId, threadName, (flags & 1) != 0, stack));
            }
        } catch (RuntimeException e) {
            throw wrap("events", e);
        }
    }

    /** A dropped record: {nextSeq, dropped, firstWallMillis, lastWallMillis}. */
    public static long[] readDropped(Bytes<?> in) {
        try {
            return new long[] {in.readStopBit(), in.readStopBit(), in.readStopBit(), in.readStopBit()};
        } catch (RuntimeException e) {
            throw wrap("dropped", e);
        }
    }

    /** A close record: {nextSeq, wallMillis}. */
    public static long[] readClose(Bytes<?> in) {
        try {
            return new long[] {in.readStopBit(), in.readStopBit()};
        } catch (RuntimeException e) {
            throw wrap("close", e);
        }
    }

    /** Maps header type names to this version's types; a name it does not know maps to null. */
    public static EventType[] resolve(String[] typeNames) {
        EventType[] out = new EventType[typeNames.length];
        for (int i = 0; i < typeNames.length; i++) {
            try {
                out[i] = EventType.valueOf(typeNames[i]);
            } catch (IllegalArgumentException | NullPointerException unknown) {
                out[i] = null;
            }
        }
        return out;
    }

    private static int count(long n, String what) {
        if (n < 0 || n > Integer.MAX_VALUE) {
            throw new CorruptRecordException("a record with " + n + " " + what);
        }
        return (int) n;
    }

    private static CorruptRecordException wrap(String record, RuntimeException e) {
        if (e instanceof CorruptRecordException c) {
            return c;
        }
        return new CorruptRecordException("a " + record + " record that ends early or holds bad bytes (" + e + ")");
    }

    private static String quote(String s) {
        return s == null ? "nothing" : '"' + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + '"';
    }
}
