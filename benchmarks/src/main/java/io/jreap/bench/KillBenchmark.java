package io.jreap.bench;

import io.jreap.kernel.ForkOptions;
import io.jreap.kernel.Kernel;
import io.jreap.kernel.Sandbox;
import io.jreap.proc.KillResult;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * Time from kill to all-dead for n blocked threads: {@code sandbox.kill()} +
 * {@code awaitTermination} against {@code shutdownNow()} + {@code awaitTermination} on a pool of the
 * same n threads. Each jreap LWP sleeps in a loop that swallows interrupts and calls the check point
 * (an uncooperative plugin); each pool task sleeps and returns when interrupted (a cooperative one,
 * or shutdownNow could not stop it at all). Platform threads for 1,000 and 10,000; virtual threads
 * (JDK 21+) for 100,000, where platform threads run out on a small machine. Each measurement builds
 * only the tree it kills.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(1)
public class KillBenchmark {

    static boolean virtual(int n) {
        return n >= 100_000;
    }

    /** Starts {@code n} copies of {@code body} with {@code start} and waits until all are running. */
    static void startAll(int n, java.util.function.Consumer<Runnable> start, Runnable body)
            throws InterruptedException {
        CountDownLatch up = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            start.accept(() -> {
                up.countDown();
                body.run();
            });
        }
        up.await();
    }

    static void requireThreads(int n) {
        if (virtual(n) && !VirtualThreads.available()) {
            throw new IllegalStateException("n=" + n + " runs on virtual threads: use JDK 21+ (or -p n=1000,10000)");
        }
    }

    @State(Scope.Benchmark)
    public static class Tree {
        @Param({"1000", "10000", "100000"})
        public int n;
        Kernel kernel;
        Sandbox sandbox;

        @Setup(Level.Invocation)
        public void setUp() throws InterruptedException {
            requireThreads(n);
            kernel = new Kernel();
            sandbox = kernel.newSandbox("kill-bench", Integer.MAX_VALUE);
            ForkOptions opts = virtual(n) ? ForkOptions.virtual() : ForkOptions.platform();
            Kernel k = kernel;
            startAll(n, body -> sandbox.spawn(opts, body), () -> {
                while (true) {
                    k.checkSignals();
                    try {
                        Thread.sleep(60_000);
                    } catch (InterruptedException e) {
                        // swallowed: only the check point ends this LWP
                    }
                }
            });
        }

        @TearDown(Level.Invocation)
        public void tearDown() throws InterruptedException {
            sandbox.close(Duration.ofSeconds(60));
        }
    }

    @State(Scope.Benchmark)
    public static class Pool {
        @Param({"1000", "10000", "100000"})
        public int n;
        ExecutorService pool;

        @Setup(Level.Invocation)
        public void setUp() throws InterruptedException {
            requireThreads(n);
            pool = virtual(n) ? VirtualThreads.perTaskExecutor() : Executors.newFixedThreadPool(n);
            startAll(n, pool::execute, () -> {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    // return: the task ends
                }
            });
        }

        @TearDown(Level.Invocation)
        public void tearDown() throws InterruptedException {
            pool.shutdownNow();
            pool.awaitTermination(60, TimeUnit.SECONDS);
        }
    }

    @Benchmark
    public int sandboxKill(Tree t) throws InterruptedException {
        KillResult r = t.sandbox.kill();
        if (!t.sandbox.awaitTermination(Duration.ofSeconds(60))) {
            throw new IllegalStateException("LWPs survived the kill");
        }
        return r.killed();
    }

    @Benchmark
    public boolean shutdownNow(Pool p) throws InterruptedException {
        p.pool.shutdownNow();
        return p.pool.awaitTermination(60, TimeUnit.SECONDS);
    }
}
