package io.jreap.bench;

import io.jreap.event.EventType;
import io.jreap.event.LifecycleEvent;
import io.jreap.log.format.LogEvent;
import io.jreap.log.model.TreeModel;
import io.jreap.log.replay.LogReader;
import io.jreap.log.replay.LogSet;
import io.jreap.log.replay.Timeline;
import io.jreap.log.replay.TreeAt;
import java.util.List;
import io.jreap.log.replay.LogRecord;
import io.jreap.log.sink.EventLogOptions;
import io.jreap.log.sink.EventLogSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Replay speed over a recorded log of {@value #EVENTS} events (a realistic mix: fork, exit and reap
 * of 333,333 LWPs under one sandbox): {@link #rawScan} decodes every record; {@link #treeModel}
 * also applies each event to a tree model; {@link #treeCommand} is what {@code replay tree} does
 * (load the log, then the tree at its end); {@link #timeline10k} writes the HTML timeline of a
 * 10,000-LWP log (30,001 events). Results are per event: events/s = 1e9 / (ns/op).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Benchmark)
public class ReplayBenchmark extends ChronicleAccess {
    static final int EVENTS = 999_999;
    static final int TIMELINE_EVENTS = 30_000;
    private Path dir;
    private Path small;
    private Path html;

    @Setup(Level.Trial)
    public void record() throws Exception {
        dir = record(EVENTS);
        small = record(TIMELINE_EVENTS);
        html = Files.createTempFile("jreap-bench-timeline", ".html");
    }

    private static Path record(int events) throws Exception {
        Path dir = Files.createTempDirectory("jreap-bench-replay");
        EventLogSink sink = new EventLogSink(EventLogOptions.defaults(dir)).start();
        Thread t = Thread.currentThread();
        sink.publish(new LifecycleEvent(EventType.SANDBOX, System.nanoTime(), System.currentTimeMillis(), 2, 1, 2, 2, 0,
                0, 0, 0, "bench", t.getId(), t.getName(), false));
        for (long pid = 3; pid < 3 + events / 3; pid++) {
            sink.reserve(3);
            long now = System.nanoTime();
            long wall = System.currentTimeMillis();
            sink.publish(new LifecycleEvent(EventType.FORK, now, wall, pid, 2, 2, 2, 2, 0, 0, 0, null, t.getId(),
                    t.getName(), false));
            sink.publish(new LifecycleEvent(EventType.EXIT, now, wall, pid, 2, 2, 2, 0, 0, 0, 0, null, pid,
                    "worker-" + pid, false));
            sink.publish(new LifecycleEvent(EventType.REAP, now, wall, pid, 2, 2, 2, -1, 0, 0, 0, null, pid,
                    "worker-" + pid, false));
        }
        sink.close(60, TimeUnit.SECONDS);
        if (sink.written() != events + 1) {
            throw new IllegalStateException("recorded " + sink.written() + " events, expected " + (events + 1));
        }
        return dir;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        LogFiles.delete(dir);
        LogFiles.delete(small);
        Files.deleteIfExists(html);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long rawScan() throws Exception {
        long n = 0;
        try (LogReader r = LogReader.open(dir)) {
            for (LogRecord rec; (rec = r.next()) != null; ) {
                if (rec instanceof LogRecord.EventRecord e) {
                    n += e.event().pid();
                }
            }
        }
        return n;
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public int treeModel() throws Exception {
        TreeModel m = new TreeModel();
        try (LogReader r = LogReader.open(dir)) {
            for (LogRecord rec; (rec = r.next()) != null; ) {
                if (rec instanceof LogRecord.EventRecord e) {
                    LogEvent ev = e.event();
                    m.apply(ev);
                }
            }
        }
        return m.size();
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public int treeCommand() throws Exception {
        LogSet set = LogSet.load(List.of(dir));
        return TreeAt.of(set.logs().get(0), null).model().size();
    }

    @Benchmark
    @OperationsPerInvocation(TIMELINE_EVENTS)
    public int timeline10k() throws Exception {
        return Timeline.write(LogSet.load(List.of(small)), null, null, html);
    }
}
