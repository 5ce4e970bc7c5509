package io.jreap.proc;

/** {@link Errno#EPERM}: The caller may not do this to that target (another sandbox, a sandbox reaper, a session leader, not itself). */
public final class PermissionDeniedException extends ProcException {
    private static final long serialVersionUID = 1L;

    /** An error with a message that names the input and the fix. */
    public PermissionDeniedException(String message) {
        super(message, null);
    }

    /** An error from a kill, with the counts the kill reached. */
    public PermissionDeniedException(String message, KillResult partial) {
        super(message, partial);
    }

    @Override
    public Errno errno() {
        return Errno.EPERM;
    }
}
