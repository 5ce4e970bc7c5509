package io.jreap.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.jreap.kernel.Kernel;
import io.jreap.log.replay.LogReader;
import io.jreap.log.replay.LogRecord;
import io.jreap.log.sink.EventLogOptions;
import io.jreap.log.sink.EventLogSink;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A writer that died inside a document leaves a torn tail: reported by LogReader.tornTail(), not fatal. */
class TornTailTest {
    @TempDir
    Path dir;

    private int writeSomeEvents() throws Exception {
        EventLogSink sink = new EventLogSink(EventLogOptions.defaults(dir)).start();
        Kernel k = new Kernel(sink);
        var sb = k.newSandbox("s", 10);
        sb.spawn(() -> { });
        sb.awaitTermination(java.time.Duration.ofSeconds(10));
        sb.close(java.time.Duration.ofSeconds(10));
        assertThat(sink.close(10, TimeUnit.SECONDS)).isTrue();
        try (LogReader r = LogReader.open(dir)) {
            return r.readAll().size();
        }
    }

    @Test
    void aCleanLogHasNoTornTail() throws Exception {
        int n = writeSomeEvents();
        try (LogReader r = LogReader.open(dir)) {
            assertThat(r.readAll()).hasSize(n);
            assertThat(r.tornTail()).isFalse();
        }
    }

    @Test
    void aDocumentBegunButNeverFinishedIsReportedAndEverythingBeforeItReads() throws Exception {
        int n = writeSomeEvents();
        EventLogSink.prepareChronicle();
        try (SingleChronicleQueue q = SingleChronicleQueueBuilder.binary(dir).build()) {
            ExcerptAppender a = q.createAppender();
            DocumentContext dying = a.writingDocument(); // the writer "dies" here: never closed
            dying.wire().bytes().writeByte((byte) 3).writeLong(42L).writeLong(43L);
            try (LogReader r = LogReader.open(dir)) {
                List<LogRecord> all = r.readAll();
                assertThat(all).hasSize(n);
                assertThat(all.get(all.size() - 1)).isInstanceOf(LogRecord.CloseRecord.class);
                assertThat(r.next()).isNull();
                assertThat(r.tornTail()).isTrue();
            }
            dying.rollbackOnClose();
            dying.close();
        }
    }
}
