package io.jreap.proc;

import java.util.Optional;

/**
 * A jreap call failed with a FreeBSD error number. Each {@link Errno} has exactly one subclass, so
 * callers can catch the case they handle. A failed kill carries what it did before failing in
 * {@link #partialResult()}.
 */
public abstract class ProcException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient KillResult partial;

    protected ProcException(String message, KillResult partial) {
        super(message);
        this.partial = partial;
    }

    /** The error number this exception stands for. */
    public abstract Errno errno();

    /** For a kill: the counts it reached before it failed (killed 0, first failed pid). */
    public Optional<KillResult> partialResult() {
        return Optional.ofNullable(partial);
    }
}
