package io.jreap.kernel;

/**
 * Benchmark-only access to two package-private kernel steps: make a thread-less LWP in a sandbox and
 * bind the calling (JMH) thread to it, so that the benchmark thread forks as that LWP does. The agent
 * will bind threads the same way; without it there is no public call for this, on purpose.
 */
public final class BenchSupport {
    private BenchSupport() {
    }

    /** Binds the calling thread to a new thread-less child of the sandbox's reaper; returns its pid. */
    public static long enter(Kernel kernel, Sandbox sandbox) {
        Lwp p = kernel.forkLwp(sandbox.reaper, false, null, null);
        kernel.bind(Thread.currentThread(), p);
        return p.pid;
    }

    /** Unbinds the calling thread and ends the LWP it was bound to. */
    public static void leave(Kernel kernel) {
        Lwp p = kernel.currentLwp();
        if (p != null) {
            kernel.unbind(Thread.currentThread(), p);
            kernel.exitThreadless(p);
        }
    }

    /**
     * One fork and one exit of a thread-less child of the calling thread's LWP: the kernel's whole
     * share of a fork (check point, group lock, tree lock, link, pid table, event; then unlink and
     * reap) without any JVM thread.
     */
    public static long forkAndExitThreadless(Kernel kernel) {
        Lwp child = kernel.forkLwp(kernel.currentLwp(), true, null, null);
        kernel.exitThreadless(child);
        return child.pid;
    }

    /** Makes {@code n} thread-less LWPs under the sandbox's reaper (kernel bookkeeping only). */
    public static void forkThreadless(Kernel kernel, Sandbox sandbox, int n) {
        for (int i = 0; i < n; i++) {
            kernel.forkLwp(sandbox.reaper, false, null, null);
        }
    }
}
