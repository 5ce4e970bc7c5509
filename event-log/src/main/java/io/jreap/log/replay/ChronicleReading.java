package io.jreap.log.replay;

/** Chronicle's quiet settings for readers, from the sink's guest settings (one place for both). */
final class ChronicleReading {
    private ChronicleReading() {
    }

    static void prepare() {
        io.jreap.log.sink.EventLogSink.prepareChronicle();
    }
}
