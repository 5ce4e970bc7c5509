package io.jreap.log.replay;

import io.jreap.log.format.LogEvent;
import io.jreap.log.replay.LogRecord.EventRecord;

/**
 * One record of a loaded log with the writer it came from and its wall-clock time.
 *
 * @param log the writer's log it belongs to
 * @param record the record as {@link LogReader} returned it
 * @param epochNanos wall-clock time in nanoseconds since the epoch: for events the writer JVM's
 *     nano time placed on the wall clock through the cycle header (sub-millisecond, and monotonic
 *     within one JVM between headers); for other records their wall time
 */
public record Item(WriterLog log, LogRecord record, long epochNanos) {

    /** The event, or null if this record is not an event. */
    public LogEvent event() {
        return record instanceof EventRecord e ? e.event() : null;
    }
}
