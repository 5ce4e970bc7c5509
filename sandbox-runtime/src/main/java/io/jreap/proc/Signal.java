package io.jreap.proc;

/**
 * The signals an LWP can be sent, numbered as on FreeBSD.
 *
 * <p>{@link #KILL} cannot be caught, ignored or blocked. {@link #TERM}, {@link #INT}, {@link #HUP},
 * {@link #USR1} and {@link #USR2} can be handled or ignored; their default action terminates the
 * LWP. {@link #STOP} stops the LWP at its next signal-check point and cannot be caught; {@link #CONT}
 * resumes it. {@link #NONE} is signal 0: it checks that the target exists and may be signalled,
 * and delivers nothing.
 */
public enum Signal {
    /** Signal 0: existence and permission check only. */
    NONE(0),
    /** Hang-up; default action terminates. */
    HUP(1),
    /** Interrupt; default action terminates. */
    INT(2),
    /** Kill; cannot be caught or ignored; wakes a stopped LWP. */
    KILL(9),
    /** Termination request; default action terminates. */
    TERM(15),
    /** Stop at the next signal-check point; cannot be caught or ignored. */
    STOP(17),
    /** Continue a stopped LWP. */
    CONT(19),
    /** User signal 1; default action terminates. */
    USR1(30),
    /** User signal 2; default action terminates. */
    USR2(31);

    private final int number;

    Signal(int number) {
        this.number = number;
    }

    /** The FreeBSD signal number. */
    public int number() {
        return number;
    }

    /** Whether a handler may be installed for this signal, or the signal ignored. */
    public boolean isCatchable() {
        return this != KILL && this != STOP && this != CONT && this != NONE;
    }

    /** Bit of this signal in a pending-signal mask; 0 for {@link #NONE}. */
    public int bit() {
        return number == 0 ? 0 : 1 << (number & 31);
    }

    /**
     * The signal with this number.
     *
     * @throws InvalidArgumentException (EINVAL) if no signal has this number
     */
    public static Signal of(int number) {
        for (Signal s : values()) {
            if (s.number == number) {
                return s;
            }
        }
        throw new InvalidArgumentException("no signal has number " + number
                + "; use one of 0 (existence check), 1 HUP, 2 INT, 9 KILL, 15 TERM, 17 STOP, 19 CONT, 30 USR1, 31 USR2");
    }

    /** The signal whose {@link #bit()} is {@code bit}, or null. */
    public static Signal ofBit(int bit) {
        for (Signal s : values()) {
            if (s.bit() == bit && s != NONE) {
                return s;
            }
        }
        return null;
    }
}
