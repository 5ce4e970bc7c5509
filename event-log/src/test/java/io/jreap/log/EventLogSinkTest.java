package io.jreap.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jreap.event.EventType;
import io.jreap.event.LifecycleEvent;
import io.jreap.log.format.LogEvent;
import io.jreap.log.format.Snapshot;
import io.jreap.log.replay.LogReader;
import io.jreap.log.replay.LogRecord;
import io.jreap.log.sink.EventLogOptions;
import io.jreap.log.sink.EventLogSink;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sink's promises: hand-off order, drop accounting, reopen after interrupts, cycles and retention. */
class EventLogSinkTest {
    @TempDir
    Path dir;

    private static LifecycleEvent fork(long pid, long ppid) {
        Thread t = Thread.currentThread();
        return new LifecycleEvent(EventType.FORK, System.nanoTime(), System.currentTimeMillis(), pid, ppid, ppid, ppid,
                2, 0, 0, 0, null, t.getId(), t.getName(), false);
    }

    private static LifecycleEvent sandbox(long pid) {
        Thread t = Thread.currentThread();
        return new LifecycleEvent(EventType.SANDBOX, System.nanoTime(), System.currentTimeMillis(), pid, 1, pid, pid, 0,
                0, 0, 0, "plugin", t.getId(), t.getName(), false);
    }

    private List<LogRecord> readAll() throws Exception {
        try (LogReader r = LogReader.open(dir)) {
            return r.readAll();
        }
    }

    private static List<LogEvent> events(List<LogRecord> all) {
        return all.stream().filter(x -> x instanceof LogRecord.EventRecord)
                .map(x -> ((LogRecord.EventRecord) x).event()).toList();
    }

    @Test
    void eventsWaitInTheHandOffUntilTheWriterStartsAndKeepTheirOrder() throws Exception {
        EventLogSink sink = new EventLogSink(EventLogOptions.defaults(dir));
        sink.publish(sandbox(2));
        for (long pid = 3; pid < 1003; pid++) {
            sink.publish(fork(pid, 2));
        }
        sink.start();
        assertThat(sink.close(30, TimeUnit.SECONDS)).isTrue();
        List<LogEvent> events = events(readAll());
        assertThat(events).hasSize(1001);
        assertThat(events).extracting(LogEvent::seq).containsExactlyElementsOf(
                java.util.stream.LongStream.range(0, 1001).boxed().toList());
        assertThat(events.subList(1, 1001)).extracting(LogEvent::pid).isSorted();
    }

    @Test
    void dropModeCountsWhatItCannotTakeAndWritesADroppedRecord() throws Exception {
        EventLogSink sink = new EventLogSink(new EventLogOptions(dir, "FAST_HOURLY", 0, true, false, 64));
        for (long pid = 3; pid < 3 + 1000; pid++) {
            sink.reserve(1); // drop mode never waits
            sink.publish(fork(pid, 1));
        }
        int capacity = sink.capacity();
        assertThat(sink.dropped()).isEqualTo(1000 - capacity);
        sink.start();
        assertThat(sink.close(30, TimeUnit.SECONDS)).isTrue();
        List<LogRecord> all = readAll();
        assertThat(events(all)).hasSize(capacity);
        List<LogRecord.DroppedRecord> drops = all.stream().filter(x -> x instanceof LogRecord.DroppedRecord)
                .map(x -> (LogRecord.DroppedRecord) x).toList();
        assertThat(drops).hasSize(1);
        assertThat(drops.get(0).count()).isEqualTo(1000 - capacity);
        assertThat(drops.get(0).firstWallMillis()).isPositive().isLessThanOrEqualTo(drops.get(0).lastWallMillis());
    }

    @Test
    void blockModeSlowsTheProducerInsteadOfDropping() throws Exception {
        EventLogSink sink = new EventLogSink(new EventLogOptions(dir, "FAST_HOURLY", 0, false, false, 64)).start();
        for (long pid = 3; pid < 3 + 20_000; pid++) {
            sink.reserve(1);
            sink.publish(fork(pid, 1));
        }
        assertThat(sink.close(30, TimeUnit.SECONDS)).isTrue();
        assertThat(sink.dropped()).isZero();
        assertThat(events(readAll())).hasSize(20_000);
    }

    @Test
    void anInterruptedWriterReopensTheQueueAndLosesNothing() throws Exception {
        EventLogSink sink = new EventLogSink(EventLogOptions.defaults(dir)).start();
        AtomicBoolean stop = new AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger interrupts = new java.util.concurrent.atomic.AtomicInteger();
        Thread leakChecker = new Thread(() -> {
            while (!stop.get()) {
                sink.writerThread().interrupt(); // as a host's thread-leak checker might
                interrupts.incrementAndGet();
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        leakChecker.start();
        int n = Integer.getInteger("jreap.test.interruptEvents", 200_000);
        for (long pid = 3; pid < 3 + n; pid++) {
            sink.reserve(1);
            sink.publish(fork(pid, 1));
        }
        while (sink.written() < n && sink.failure() == null) {
            Thread.sleep(5);
        }
        stop.set(true);
        leakChecker.join();
        assertThat(sink.close(30, TimeUnit.SECONDS)).isTrue();
        assertThat(sink.failure()).isNull();
        assertThat(interrupts.get()).isPositive();
        // Whether an interrupt hit a write (and forced a reopen) depends on timing; losing nothing does not.
        System.out.println("interrupts " + interrupts.get() + ", reopens " + sink.reopens());
        List<LogEvent> events = events(readAll());
        assertThat(events).hasSize(n);
        assertThat(events).extracting(LogEvent::seq).isSorted().doesNotHaveDuplicates();
        assertThat(events.get(n - 1).seq()).isEqualTo(n - 1);
    }

    @Test
    void everyCycleOpensWithHeaderAndSnapshotAndRetentionDeletesTheOldest() throws Exception {
        SetTimeProvider clock = new SetTimeProvider(System.currentTimeMillis() / 1000 * 1000 * 1_000_000L);
        EventLogSink sink = new EventLogSink(new EventLogOptions(dir, "TEST_SECONDLY", 2, false, false, 1024), null,
                clock).start();
        sink.publish(sandbox(2));
        long pid = 3;
        for (int cycle = 0; cycle < 4; cycle++) {
            for (int i = 0; i < 10; i++) {
                sink.publish(fork(pid++, 2));
            }
            waitWritten(sink, 1 + 10L * (cycle + 1));
            if (cycle < 3) {
                clock.advanceMillis(1000);
            }
        }
        assertThat(sink.close(30, TimeUnit.SECONDS)).isTrue();
        File[] files = dir.toFile().listFiles((d, name) -> name.endsWith(".cq4"));
        assertThat(files).hasSize(2);
        List<LogRecord> all = readAll();
        assertThat(all.get(0)).isInstanceOf(LogRecord.HeaderRecord.class);
        Snapshot first = ((LogRecord.SnapshotRecord) all.get(1)).snapshot();
        // The oldest remaining cycle is the third: its snapshot holds init, the sandbox and the 20 LWPs before it.
        assertThat(first.nextSeq()).isEqualTo(21);
        assertThat(first.nodes()).extracting(Snapshot.Node::pid).contains(1L, 2L, 3L, 22L).doesNotContain(23L);
        assertThat(all.stream().filter(x -> x instanceof LogRecord.HeaderRecord)).hasSize(2);
        assertThat(events(all)).extracting(LogEvent::seq).containsExactlyElementsOf(
                java.util.stream.LongStream.range(21, 41).boxed().toList());
    }

    @Test
    void aDirectoryThatIsAFileIsRefusedWithAMessageNamingIt() throws Exception {
        Path file = dir.resolve("not-a-dir");
        java.nio.file.Files.writeString(file, "x");
        assertThatThrownBy(() -> new EventLogSink(EventLogOptions.defaults(file)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(file.toString())
                .hasMessageContaining("give a directory");
    }

    @Test
    void anUnknownRollCycleListsTheChoices() {
        assertThatThrownBy(() -> new EventLogSink(new EventLogOptions(dir, "fortnightly", 0, false, false, 1024)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("FORTNIGHTLY")
                .hasMessageContaining("FAST_HOURLY");
    }

    private static void waitWritten(EventLogSink sink, long n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (sink.written() < n && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertThat(sink.written()).isEqualTo(n);
    }
}
