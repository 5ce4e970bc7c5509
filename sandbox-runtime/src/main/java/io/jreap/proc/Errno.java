package io.jreap.proc;

/** The FreeBSD error numbers that jreap calls report, each carried by its own exception type. */
public enum Errno {
    /** Operation not permitted: {@link PermissionDeniedException}. */
    EPERM(1),
    /** No such process (or not visible to the caller): {@link NoSuchProcessException}. */
    ESRCH(3),
    /** No child to wait for: {@link NoChildException}. */
    ECHILD(10),
    /** Resource temporarily unavailable (the LWP limit was reached): {@link LwpLimitException}. */
    EAGAIN(35),
    /** Device busy (already a reaper): {@link BusyException}. */
    EBUSY(16),
    /** Invalid argument: {@link InvalidArgumentException}. */
    EINVAL(22);

    private final int number;

    Errno(int number) {
        this.number = number;
    }

    /** The FreeBSD errno value. */
    public int number() {
        return number;
    }
}
