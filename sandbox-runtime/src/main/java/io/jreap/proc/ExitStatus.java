package io.jreap.proc;

/**
 * How an LWP ended, as {@code waitpid} reports it: a normal exit with a code, or termination by a
 * signal.
 *
 * @param code exit code for a normal exit (0 for a clean return, 1 for an uncaught exception)
 * @param signal the terminating signal, or null for a normal exit
 */
public record ExitStatus(int code, Signal signal) {
    public static final ExitStatus CLEAN = new ExitStatus(0, null);
    public static final ExitStatus UNCAUGHT = new ExitStatus(1, null);

    public static ExitStatus killedBy(Signal signal) {
        return new ExitStatus(128 + signal.number(), signal);
    }

    /** {@code WIFSIGNALED}. */
    public boolean signaled() {
        return signal != null;
    }
}
