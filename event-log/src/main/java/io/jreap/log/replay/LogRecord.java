package io.jreap.log.replay;

import io.jreap.log.format.Header;
import io.jreap.log.format.LogEvent;
import io.jreap.log.format.Snapshot;

/** One record of a log as {@link LogReader} returns it; {@code index} is its Chronicle index. */
public sealed interface LogRecord {
    long index();

    /** A cycle (or a new writer) begins. */
    record HeaderRecord(long index, Header header) implements LogRecord {
    }

    /** The live tree before event {@code snapshot.nextSeq()}. */
    record SnapshotRecord(long index, Snapshot snapshot) implements LogRecord {
    }

    /** One event; a batch on disk comes back as one record per event, each with the batch's index. */
    record EventRecord(long index, LogEvent event) implements LogRecord {
    }

    /** The writer could not take {@code count} events between the two wall times. */
    record DroppedRecord(long index, long nextSeq, long count, long firstWallMillis, long lastWallMillis)
            implements LogRecord {
    }

    /** The writer closed the log. */
    record CloseRecord(long index, long nextSeq, long wallMillis) implements LogRecord {
    }
}
