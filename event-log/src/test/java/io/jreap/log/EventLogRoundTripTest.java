package io.jreap.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.jreap.event.EventType;
import io.jreap.kernel.Kernel;
import io.jreap.kernel.LwpHandle;
import io.jreap.kernel.Sandbox;
import io.jreap.log.format.LogEvent;
import io.jreap.log.model.TreeModel;
import io.jreap.log.replay.LogReader;
import io.jreap.log.replay.LogRecord;
import io.jreap.log.sink.EventLogOptions;
import io.jreap.log.sink.EventLogSink;
import io.jreap.proc.Signal;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventLogRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void aKilledSandboxReadsBackInOrderWithHeaderSnapshotAndClose() throws Exception {
        EventLogSink sink = new EventLogSink(EventLogOptions.defaults(dir)).start();
        Kernel k = new Kernel(sink);
        Sandbox sb = k.newSandbox("plugin", 100);
        CountDownLatch forked = new CountDownLatch(3);
        LwpHandle root = sb.spawn(() -> {
            for (int i = 0; i < 3; i++) {
                k.fork(() -> {
                    forked.countDown();
                    sleepForever();
                });
            }
            sleepForever();
        });
        assertThat(forked.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(sb.shutdown(java.time.Duration.ofSeconds(10))).isTrue();
        k.setEventSink(io.jreap.event.EventSink.NONE);
        assertThat(sink.close(10, TimeUnit.SECONDS)).isTrue();
        assertThat(sink.failure()).isNull();
        assertThat(sink.dropped()).isZero();

        try (LogReader r = LogReader.open(dir)) {
            List<LogRecord> all = r.readAll();
            assertThat(all.get(0)).isInstanceOf(LogRecord.HeaderRecord.class);
            assertThat(all.get(1)).isInstanceOf(LogRecord.SnapshotRecord.class);
            assertThat(all.get(all.size() - 1)).isInstanceOf(LogRecord.CloseRecord.class);
            assertThat(r.closed()).isTrue();
            List<LogEvent> events = all.stream().filter(x -> x instanceof LogRecord.EventRecord)
                    .map(x -> ((LogRecord.EventRecord) x).event()).toList();
            assertThat(events).extracting(LogEvent::seq).isSorted().doesNotHaveDuplicates();
            assertThat(events.get(0).seq()).isZero();
            assertThat(events.get(events.size() - 1).seq()).isEqualTo(events.size() - 1);
            assertThat(events).extracting(LogEvent::type).contains(EventType.SANDBOX, EventType.FORK,
                    EventType.KILL_BEGIN, EventType.SIGNAL_SENT, EventType.KILL_END, EventType.EXIT);
            assertThat(events.stream().filter(e -> e.type() == EventType.FORK)).hasSize(4);
            TreeModel m = new TreeModel();
            events.forEach(m::apply);
            assertThat(events).filteredOn(e -> e.type() == EventType.EXIT && e.pid() == root.pid())
                    .singleElement().extracting(LogEvent::signal).isEqualTo(Signal.TERM.number()); // shutdown sends TERM first; its default action ends the LWP
            assertThat(m.get(root.pid())).as("reaped").isNull();
            assertThat(m.size()).as("init and the closed sandbox's reaper at most").isLessThanOrEqualTo(2);
        }
    }

    private static void sleepForever() {
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
