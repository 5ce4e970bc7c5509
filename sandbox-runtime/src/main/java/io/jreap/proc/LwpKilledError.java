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
    private final String refused;

    public LwpKilledError(long pid, Signal signal) {
        this(pid, signal, null);
    }

    /**
     * @param refused what the terminated LWP tried to do and was refused (for example a thread
     *     start), or null
     */
    public LwpKilledError(long pid, Signal signal, String refused) {
        super(null, null, false, false); // no stack trace, no message until asked: a kill makes many
        this.pid = pid;
        this.signal = signal;
        this.refused = refused;
    }

    @Override
    public String getMessage() {
        String m = "LWP " + pid + " was terminated by SIG" + signal;
        return refused == null ? m : m + "; " + refused;
    }

    public long pid() {
        return pid;
    }

    public Signal signal() {
        return signal;
    }
}
