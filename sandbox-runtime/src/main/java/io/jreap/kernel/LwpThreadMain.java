package io.jreap.kernel;

import io.jreap.proc.LwpKilledError;
import io.jreap.proc.LwpState;

/**
 * The body of every thread a fork starts: binds the thread to its LWP, passes one check point
 * before any plugin code runs (a child whose parent was killed while it was being born never runs
 * a plugin instruction), runs the task, and reports the thread's end to the kernel whatever way
 * the task ended.
 */
final class LwpThreadMain implements Runnable, LwpHandle {
    private final Kernel kernel;
    private final Runnable task;
    /** Set before the thread starts (Thread.start orders it before run). */
    Lwp lwp;
    Thread thread;
    private boolean ran;

    LwpThreadMain(Kernel kernel, Runnable task) {
        this.kernel = kernel;
        this.task = task;
    }

    @Override
    public long pid() {
        return lwp.pid;
    }

    @Override
    public Thread thread() {
        return thread;
    }

    @Override
    public void run() {
        if (Thread.currentThread() != thread || ran) {
            throw new IllegalStateException("an LWP's body runs once, in its own thread");
        }
        ran = true;
        Lwp p = lwp;
        p.markRunning();
        boolean uncaught = false;
        try {
            kernel.checkSignals(p);
            task.run();
        } catch (LwpKilledError e) {
            // The normal way a killed LWP's thread ends.
        } catch (Throwable t) {
            // Errors caused by a kill (an interrupted wait turned into an exception) are the kill's.
            if (!p.killed()) {
                uncaught = true;
                throw t;
            }
        } finally {
            // No unbind: the thread ends here and the JVM drops its thread locals with it.
            kernel.threadExit(p, thread, uncaught);
        }
    }
}
