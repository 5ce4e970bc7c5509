package io.jreap.bench;

import io.jreap.event.EventSink;
import io.jreap.event.LifecycleEvent;
import io.jreap.kernel.BenchSupport;
import io.jreap.kernel.Kernel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Where a fork's time goes, without the JVM thread: one thread-less fork + exit + reap, with no
 * event sink and with a sink that drops every event (so event building and hand-off is the
 * difference). Compare with {@link ForkBenchmark} to see the kernel's share of a thread fork.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class ForkPathBenchmark {
    @Param({"none", "dropping"})
    public String sink;

    private BoundSandbox bound;

    @Setup(Level.Trial)
    public void setUp() {
        bound = new BoundSandbox(sink.equals("none") ? new Kernel() : new Kernel(new EventSink() {
            @Override
            public void publish(LifecycleEvent event) {
            }
        }), "fork-path");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        bound.close();
    }

    @Benchmark
    public long threadlessForkExit() {
        return BenchSupport.forkAndExitThreadless(bound.kernel);
    }
}
