package io.jreap.bench;

import io.jreap.event.EventType;
import io.jreap.event.LifecycleEvent;
import io.jreap.log.sink.EventLogOptions;
import io.jreap.log.sink.EventLogSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The event log's producer side: what one {@code reserve + publish} costs the thread inside a fork
 * ({@link #handoff}, sampled: read the p50), and how many events per second one producer can push
 * through the hand-off into the queue once the writer is the bottleneck ({@link #sustained}: with
 * the default block-when-full mode, the producer's rate settles at the writer's rate). The writer
 * thread runs alongside, as in a host.
 */
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Benchmark)
public class EventLogBenchmark extends ChronicleAccess {
    private Path dir;
    private EventLogSink sink;
    private LifecycleEvent event;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("jreap-bench-log");
        sink = new EventLogSink(EventLogOptions.defaults(dir)).start();
        Thread t = Thread.currentThread();
        event = new LifecycleEvent(EventType.FORK, System.nanoTime(), System.currentTimeMillis(), 1234, 1200, 1200, 1000,
                1000, 0, 0, 0, null, t.getId(), t.getName(), false);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        sink.close(60, TimeUnit.SECONDS);
        if (sink.dropped() != 0 || sink.failure() != null) {
            throw new IllegalStateException("the benchmark lost events: dropped " + sink.dropped() + ", failure "
                    + sink.failure());
        }
        System.out.println("\nwritten: " + sink.written() + " events");
        LogFiles.delete(dir);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public void handoff() {
        sink.reserve(1);
        sink.publish(event);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public void sustained() {
        sink.reserve(1);
        sink.publish(event);
    }
}
