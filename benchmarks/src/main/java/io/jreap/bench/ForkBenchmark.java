package io.jreap.bench;

import io.jreap.kernel.ForkOptions;
import io.jreap.kernel.Kernel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * An explicit fork + join against the baseline a user would otherwise have: a plain
 * {@code Thread.start()} + {@code join()}, for platform and virtual threads. The benchmark thread
 * is bound to a thread-less LWP of a sandbox, so each fork is a real fork of the protocol: group
 * lock shared, tree lock, link, start, and in the child the check point and the exit/reap.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class ForkBenchmark {
    private BoundSandbox bound;
    private Kernel kernel;
    private final Runnable task = () -> { };

    @Setup(Level.Trial)
    public void setUp() {
        bound = new BoundSandbox(new Kernel(), "bench");
        kernel = bound.kernel;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        bound.close();
    }

    @Benchmark
    public Thread platformThreadStartJoin() throws InterruptedException {
        Thread t = new Thread(task);
        t.start();
        t.join();
        return t;
    }

    @Benchmark
    public Thread platformFork() throws InterruptedException {
        Thread t = kernel.fork(ForkOptions.platform(), task).thread();
        t.join();
        return t;
    }

    @Benchmark
    public Thread virtualThreadStartJoin() throws InterruptedException {
        if (!VirtualThreads.available()) {
            return null; // JDK 17: no virtual threads; the row is meaningless there
        }
        Thread t = VirtualThreads.FACTORY.newThread(task);
        t.start();
        t.join();
        return t;
    }

    /** Forks per invocation of the virtual-parent benchmarks. */
    static final int BATCH = 1000;

    /**
     * A virtual thread that starts and joins {@link #BATCH} virtual threads: start+join from a
     * virtual parent, where the JDK's own cost is about a microsecond and jreap's share shows.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void virtualParentThreadStartJoin() throws InterruptedException {
        if (!VirtualThreads.available()) {
            return;
        }
        Thread parent = VirtualThreads.FACTORY.newThread(() -> {
            try {
                for (int i = 0; i < BATCH; i++) {
                    Thread t = VirtualThreads.FACTORY.newThread(task);
                    t.start();
                    t.join();
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        parent.start();
        parent.join();
    }

    /** The same from a virtual-thread LWP that forks {@link #BATCH} virtual children. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void virtualParentFork() throws InterruptedException {
        if (!VirtualThreads.available()) {
            return;
        }
        kernel.fork(ForkOptions.virtual(), () -> {
            try {
                for (int i = 0; i < BATCH; i++) {
                    kernel.fork(ForkOptions.virtual(), task).thread().join();
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }).join();
    }

    @Benchmark
    public Thread virtualFork() throws InterruptedException {
        if (!VirtualThreads.available()) {
            return null;
        }
        Thread t = kernel.fork(ForkOptions.virtual(), task).thread();
        t.join();
        return t;
    }
}
