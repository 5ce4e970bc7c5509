package io.jreap.kernel;

import io.jreap.event.RecordingEventSink;
import io.jreap.proc.LwpKilledError;

/**
 * A small process tree for the jcstress tests: a sandbox whose reaper has a thread-less child
 * {@link #parent}, in the sandbox's group. Actors act as an LWP by binding their thread to it, as
 * the agent will bind real threads; forks here are thread-less, so a trial costs no thread start
 * and the race window is the protocol itself.
 */
final class ProtocolFixture {
    final RecordingEventSink events = new RecordingEventSink();
    final Kernel kernel = new Kernel(events);
    final Sandbox sandbox = kernel.newSandbox("jcstress", 1_000);
    final Lwp parent = kernel.forkLwp(sandbox.reaper, false, null, null);

    /** Forks a thread-less child of {@code p} as {@code p} itself; null when the fork was refused. */
    Lwp forkAs(Lwp p) {
        kernel.bind(Thread.currentThread(), p);
        try {
            return kernel.forkLwp(p, true, null, null);
        } catch (LwpKilledError refused) {
            return null;
        } finally {
            kernel.unbind(Thread.currentThread(), p);
        }
    }

    /** Runs {@code r} as LWP {@code p}. */
    void as(Lwp p, Runnable r) {
        kernel.bind(Thread.currentThread(), p);
        try {
            r.run();
        } finally {
            kernel.unbind(Thread.currentThread(), p);
        }
    }

    static boolean signalled(Lwp p) {
        return p.killSignal != null;
    }
}
