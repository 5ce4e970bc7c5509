package io.jreap.proc;

/** {@link Errno#ESRCH}: No such process, or not visible to the caller. */
public final class NoSuchProcessException extends ProcException {
    private static final long serialVersionUID = 1L;

    /** An error with a message that names the input and the fix. */
    public NoSuchProcessException(String message) {
        super(message, null);
    }

    /** An error from a kill, with the counts the kill reached. */
    public NoSuchProcessException(String message, KillResult partial) {
        super(message, partial);
    }

    @Override
    public Errno errno() {
        return Errno.ESRCH;
    }
}
