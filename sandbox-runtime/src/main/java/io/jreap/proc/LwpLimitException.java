package io.jreap.proc;

/** {@link Errno#EAGAIN}: The sandbox already has as many live LWPs as its limit allows; the fork was refused. */
public final class LwpLimitException extends ProcException {
    private static final long serialVersionUID = 1L;

    /** An error with a message that names the input and the fix. */
    public LwpLimitException(String message) {
        super(message, null);
    }

    /** An error from a kill, with the counts the kill reached. */
    public LwpLimitException(String message, KillResult partial) {
        super(message, partial);
    }

    @Override
    public Errno errno() {
        return Errno.EAGAIN;
    }
}
