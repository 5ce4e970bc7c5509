package io.jreap.bench;

import io.jreap.kernel.ForkOptions;
import io.jreap.kernel.Kernel;
import io.jreap.kernel.Sandbox;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * A plain {@code Thread.start()} + {@code join()}, as any host or plugin code does it, measured in
 * a JVM with the agent and in one without ({@link AgentOverhead} runs both and prints the ratios).
 * The starts run in batches on a runner thread, so that the runner can be a host thread or a
 * thread of an LWP:
 * <ul>
 *   <li>{@code no-sandbox}: a host thread, no sandbox exists (the agent's fast path);</li>
 *   <li>{@code host}: a host thread while a sandbox exists (the agent looks the starter up and
 *       finds no LWP);</li>
 *   <li>{@code sandbox}: a thread of a plugin LWP: with the agent every start is a fork of the
 *       protocol (group lock, link, bind, exit, reap); without it, the same code unhooked.</li>
 * </ul>
 * The batch hand-off (one per 100 or 1,000 starts) is in both runs alike.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class ThreadStartBenchmark {
    static final int PLATFORM_BATCH = 100;
    static final int VIRTUAL_BATCH = 1_000;

    @Param({"no-sandbox", "host", "sandbox"})
    public String where;

    private Sandbox sandbox;
    private Runner platformRunner;
    private Runner virtualRunner;
    private final Runnable task = () -> { };

    /** A thread that runs batches handed to it and reports each one done. */
    static final class Runner implements Runnable {
        final SynchronousQueue<Runnable> jobs = new SynchronousQueue<>();
        Thread thread;

        @Override
        public void run() {
            for (;;) {
                Runnable job;
                try {
                    job = jobs.take();
                } catch (InterruptedException e) {
                    return;
                }
                job.run();
            }
        }

        void runBatch(Runnable batch) throws InterruptedException {
            CountDownLatch done = new CountDownLatch(1);
            jobs.put(() -> {
                batch.run();
                done.countDown();
            });
            done.await();
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        if (!where.equals("no-sandbox")) {
            sandbox = Kernel.global().newSandbox("bench", Integer.MAX_VALUE);
        }
        platformRunner = start(ForkOptions.platform());
        if (ForkOptions.virtualThreadsAvailable()) {
            virtualRunner = start(ForkOptions.virtual());
        }
    }

    private Runner start(ForkOptions options) throws Exception {
        Runner r = new Runner();
        if (where.equals("sandbox")) {
            r.thread = sandbox.spawn(options, r).thread();
        } else {
            r.thread = options.isVirtual() ? (Thread) Thread.class.getMethod("startVirtualThread", Runnable.class)
                    .invoke(null, r) : new Thread(r);
            if (!options.isVirtual()) {
                r.thread.setDaemon(true);
                r.thread.start();
            }
        }
        return r;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        if (sandbox != null) {
            sandbox.close();
        } else {
            platformRunner.thread.interrupt();
            if (virtualRunner != null) {
                virtualRunner.thread.interrupt();
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(PLATFORM_BATCH)
    public void platformStartJoin() throws InterruptedException {
        platformRunner.runBatch(() -> startJoin(PLATFORM_BATCH, false));
    }

    @Benchmark
    @OperationsPerInvocation(VIRTUAL_BATCH)
    public void virtualStartJoin() throws InterruptedException {
        if (virtualRunner == null) {
            throw new UnsupportedOperationException("no virtual threads on JDK " + Runtime.version().feature());
        }
        virtualRunner.runBatch(() -> startJoin(VIRTUAL_BATCH, true));
    }

    private static final java.lang.invoke.MethodHandle OF_VIRTUAL_UNSTARTED = virtualUnstarted();

    private void startJoin(int n, boolean virtual) {
        try {
            for (int i = 0; i < n; i++) {
                Thread t = virtual ? (Thread) OF_VIRTUAL_UNSTARTED.invokeExact(task) : new Thread(task);
                t.start();
                t.join();
            }
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static java.lang.invoke.MethodHandle virtualUnstarted() {
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            Class<?> b = Class.forName("java.lang.Thread$Builder");
            return java.lang.invoke.MethodHandles.publicLookup()
                    .findVirtual(b, "unstarted", java.lang.invoke.MethodType.methodType(Thread.class, Runnable.class))
                    .bindTo(builder);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }
}
