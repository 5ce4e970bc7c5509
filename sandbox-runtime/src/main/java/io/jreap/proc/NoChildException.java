package io.jreap.proc;

/** {@link Errno#ECHILD}: The caller has no child matching the wait request. */
public final class NoChildException extends ProcException {
    private static final long serialVersionUID = 1L;

    /** An error with a message that names the input and the fix. */
    public NoChildException(String message) {
        super(message, null);
    }

    /** An error from a kill, with the counts the kill reached. */
    public NoChildException(String message, KillResult partial) {
        super(message, partial);
    }

    @Override
    public Errno errno() {
        return Errno.ECHILD;
    }
}
