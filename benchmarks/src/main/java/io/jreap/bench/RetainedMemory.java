package io.jreap.bench;

import io.jreap.kernel.BenchSupport;
import io.jreap.kernel.ForkOptions;
import io.jreap.kernel.Kernel;
import io.jreap.kernel.Sandbox;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;

/**
 * Retained heap per live LWP (kernel bookkeeping of a thread-less LWP: the LWP, its pid-table slot)
 * and per reaped LWP (what a fork + exit + auto-reap leaves behind: should be nothing). Heap is read
 * after repeated full GCs, which is what "retained" means; JMH measures time, not this.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.jreap.bench.RetainedMemory [n]</pre>
 */
public final class RetainedMemory {
    private RetainedMemory() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Kernel kernel = new Kernel();
        // Thread-less LWPs never exit by themselves (a pool's would when the pool shuts down), so
        // they live in a sandbox of their own; forks that exit use another.
        Sandbox threadless = kernel.newSandbox("threadless", Integer.MAX_VALUE);
        Sandbox forks = kernel.newSandbox("forks", Integer.MAX_VALUE);

        // Warm up every class and table on the paths measured below.
        BenchSupport.forkThreadless(kernel, threadless, 1000);
        forkAndReap(kernel, forks, 1000);

        long base = usedAfterGc();
        BenchSupport.forkThreadless(kernel, threadless, n);
        long live = usedAfterGc();
        System.out.printf("live thread-less LWPs: %d, retained %.1f bytes each%n", n, (live - base) / (double) n);

        long before = usedAfterGc();
        forkAndReap(kernel, forks, n);
        long after = usedAfterGc();
        System.out.printf("forked, exited and reaped LWPs: %d, retained %.3f bytes each (%d bytes in all)%n", n,
                (after - before) / (double) n, after - before);
        forks.close(Duration.ofSeconds(30));
    }

    private static void forkAndReap(Kernel kernel, Sandbox sandbox, int n) throws InterruptedException {
        ForkOptions opts = ForkOptions.virtualThreadsAvailable() ? ForkOptions.virtual() : ForkOptions.platform();
        for (int i = 0; i < n; i++) {
            sandbox.spawn(opts, () -> { }).join();
        }
        if (!sandbox.awaitTermination(Duration.ofSeconds(60))) {
            throw new IllegalStateException("LWPs did not exit");
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 6; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, mem.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
