package io.jreap.proc;

/**
 * One entry of {@code PROC_REAP_GETPIDS}.
 *
 * @param pid the descendant's pid
 * @param subtree the pid of the reaper's direct child that started this descendant's subtree
 * @param flags {@link #VALID} plus {@link #CHILD}, {@link #REAPER}, {@link #ZOMBIE},
 *     {@link #STOPPED}, {@link #EXITING}
 */
public record ReaperPidInfo(long pid, long subtree, int flags) {
    public static final int VALID = 0x1;
    /** Its parent is the reaper. */
    public static final int CHILD = 0x2;
    /** It is itself a reaper; its own descendants are not listed. */
    public static final int REAPER = 0x4;
    public static final int ZOMBIE = 0x8;
    public static final int STOPPED = 0x10;
    /** Exiting but not yet a zombie. */
    public static final int EXITING = 0x20;

    public boolean has(int flag) {
        return (flags & flag) == flag;
    }
}
