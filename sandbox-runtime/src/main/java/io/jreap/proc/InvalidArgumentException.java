package io.jreap.proc;

/** {@link Errno#EINVAL}: An argument is out of range or the combination is not allowed (bad signal, conflicting flags, not a reaper). */
public final class InvalidArgumentException extends ProcException {
    private static final long serialVersionUID = 1L;

    /** An error with a message that names the input and the fix. */
    public InvalidArgumentException(String message) {
        super(message, null);
    }

    /** An error from a kill, with the counts the kill reached. */
    public InvalidArgumentException(String message, KillResult partial) {
        super(message, partial);
    }

    @Override
    public Errno errno() {
        return Errno.EINVAL;
    }
}
