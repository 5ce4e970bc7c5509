package io.jreap.proc;

import java.util.Objects;

/**
 * What an LWP does with a catchable signal ({@code sigaction}): the default action (terminate),
 * ignore it, or run a handler at the next signal-check point. A handler installed with
 * {@code interrupting = true} also interrupts the LWP's threads on delivery, so a blocked thread
 * reaches a check point; otherwise delivery wakes nothing.
 */
public final class SignalAction {
    public static final SignalAction DEFAULT = new SignalAction(null, false, false);
    public static final SignalAction IGNORE = new SignalAction(null, true, false);

    private final SignalHandler handler;
    private final boolean ignore;
    private final boolean interrupting;

    private SignalAction(SignalHandler handler, boolean ignore, boolean interrupting) {
        this.handler = handler;
        this.ignore = ignore;
        this.interrupting = interrupting;
    }

    /** Run {@code handler} at the next check point; interrupt nothing on delivery. */
    public static SignalAction handle(SignalHandler handler) {
        return new SignalAction(Objects.requireNonNull(handler, "handler"), false, false);
    }

    /** Run {@code handler} at the next check point, and interrupt the LWP's threads on delivery. */
    public static SignalAction handleInterrupting(SignalHandler handler) {
        return new SignalAction(Objects.requireNonNull(handler, "handler"), false, true);
    }

    public SignalHandler handler() {
        return handler;
    }

    public boolean isIgnore() {
        return ignore;
    }

    public boolean isDefault() {
        return handler == null && !ignore;
    }

    public boolean interrupting() {
        return interrupting;
    }
}
