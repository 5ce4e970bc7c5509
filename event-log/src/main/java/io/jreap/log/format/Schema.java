package io.jreap.log.format;

import io.jreap.event.EventType;

/**
 * The on-disk format of a jreap event log, version {@value #VERSION}.
 *
 * <p>A log is a Chronicle Queue. Every Chronicle document holds one record: a {@link RecordKind}
 * byte, then that kind's fields in Chronicle's stop-bit and UTF-8 encodings (see
 * {@link RecordCodec}). Each roll cycle opens with a {@link RecordKind#HEADER} (the schema version
 * and the names of the event types, so that a reader maps type codes by name and never by a
 * compiled-in ordinal) and a {@link RecordKind#SNAPSHOT} of the live tree, so a reader can start at
 * any cycle. Events come in {@link RecordKind#EVENTS} batches; every event carries its sequence
 * number, which the writer assigns in hand-off order (causal order). A re-written batch (after the
 * writer reopened an interrupted queue) repeats sequence numbers; readers skip those already seen.
 *
 * <p>Compatibility: a reader refuses a log whose header names a newer {@link #VERSION}; new fields
 * are only ever added at the end of a record, and a newer writer that adds some bumps the version.
 */
public final class Schema {
    /** The version this code writes and the newest it reads. */
    public static final int VERSION = 1;

    /** The first field of every header: tells a jreap log from any other Chronicle Queue. */
    public static final String MAGIC = "jreap-event-log";

    private Schema() {
    }

    /** The event-type names in code order, as written into each header. */
    public static String[] typeNames() {
        EventType[] all = EventType.values();
        String[] names = new String[all.length];
        for (int i = 0; i < all.length; i++) {
            names[i] = all[i].name();
        }
        return names;
    }

    /** The kinds of record a document may hold; the code is the document's first byte. */
    public enum RecordKind {
        /** Schema version, type names, writer identity; opens each roll cycle. */
        HEADER(1),
        /** The live tree as of the events written before it. */
        SNAPSHOT(2),
        /** A batch of events with consecutive sequence numbers. */
        EVENTS(3),
        /** Events the hand-off could not take, counted (drop mode, or more than reserved). */
        DROPPED(4),
        /** The writer closed the log cleanly; nothing follows. */
        CLOSE(5);

        public final byte code;

        RecordKind(int code) {
            this.code = (byte) code;
        }

        /** The kind with this code, or null for a code this version does not know. */
        public static RecordKind of(byte code) {
            for (RecordKind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            return null;
        }
    }
}
