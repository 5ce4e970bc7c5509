package io.jreap.proc;

/**
 * Thrown at a signal-check point, and by a fork, in a thread whose LWP received a terminating
 * signal. It is an {@link Error} so that {@code catch (Exception e)} in plugin code does not swallow
 * it; {@code finally} blocks still run. Code that catches it anyway gets it again at the next
 * check point.
 */
public final class LwpKilledError extends Error {
    private static final long serialVersionUID = 1L;

    private final long pid;
    private final transient Signal signal;

    public LwpKilledError(long pid, Signal signal) {
        super(null, null, false, false); // no stack trace, no message until asked: a kill makes many
        this.pid = pid;
        this.signal = signal;
    }

    @Override
    public String getMessage() {
        return "LWP " + pid + " was terminated by SIG" + signal;
    }

    public long pid() {
        return pid;
    }

    public Signal signal() {
        return signal;
    }
}
