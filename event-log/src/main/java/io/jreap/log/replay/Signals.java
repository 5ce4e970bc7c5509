package io.jreap.log.replay;

import io.jreap.proc.Signal;

/** Signal numbers as names for output. */
public final class Signals {
    private Signals() {
    }

    /** {@code SIGKILL} for 9, {@code SIG0} for 0, {@code signal 12} for a number jreap does not define. */
    public static String name(int number) {
        for (Signal s : Signal.values()) {
            if (s.number() == number) {
                return s == Signal.NONE ? "SIG0" : "SIG" + s.name();
            }
        }
        return "signal " + number;
    }
}
