package io.jreap.bench;

import io.jreap.event.EventSink;
import io.jreap.kernel.ForkOptions;
import io.jreap.kernel.Kernel;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Fork + join with the event log on against off (the ratio is the log's cost to a fork): each
 * fork hands over FORK, EXIT and REAP. Virtual forks from a virtual parent are where the fork
 * itself is cheapest (about a microsecond), so the log's share shows most.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Thread)
public class EventLogForkBenchmark extends ChronicleAccess {
    /** off: no sink; build: events are built and handed to a sink that drops them (their construction cost); on: the log. */
    @Param({"off", "build", "on"})
    public String log;

    private Path dir;
    private EventLogSink sink;
    private BoundSandbox bound;
    private Kernel kernel;
    private final Runnable task = () -> { };

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        EventSink s = EventSink.NONE;
        if (log.equals("build")) {
            s = new EventSink() {
                @Override
                public void publish(io.jreap.event.LifecycleEvent event) {
                    // Built, then dropped: what the kernel pays before any hand-off.
                }
            };
        }
        if (log.equals("on")) {
            dir = Files.createTempDirectory("jreap-bench-forklog");
            sink = new EventLogSink(EventLogOptions.defaults(dir)).start();
            s = sink;
        }
        bound = new BoundSandbox(new Kernel(s), "bench");
        kernel = bound.kernel;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        bound.close();
        if (sink != null) {
            kernel.setEventSink(EventSink.NONE);
            sink.close(60, TimeUnit.SECONDS);
            System.out.println("\nwritten: " + sink.written() + " events, dropped " + sink.dropped());
            LogFiles.delete(dir);
        }
    }

    @Benchmark
    public Thread platformFork() throws InterruptedException {
        Thread t = kernel.fork(ForkOptions.platform(), task).thread();
        t.join();
        return t;
    }

    @Benchmark
    @OperationsPerInvocation(ForkBenchmark.BATCH)
    public void virtualParentFork() throws InterruptedException {
        if (!VirtualThreads.available()) {
            return;
        }
        kernel.fork(ForkOptions.virtual(), () -> {
            try {
                for (int i = 0; i < ForkBenchmark.BATCH; i++) {
                    kernel.fork(ForkOptions.virtual(), task).thread().join();
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }).join();
    }
}
