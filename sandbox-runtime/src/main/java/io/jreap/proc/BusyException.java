package io.jreap.proc;

/** {@link Errno#EBUSY}: The LWP is already a reaper. */
public final class BusyException extends ProcException {
    private static final long serialVersionUID = 1L;

    /** An error with a message that names the input and the fix. */
    public BusyException(String message) {
        super(message, null);
    }

    /** An error from a kill, with the counts the kill reached. */
    public BusyException(String message, KillResult partial) {
        super(message, partial);
    }

    @Override
    public Errno errno() {
        return Errno.EBUSY;
    }
}
