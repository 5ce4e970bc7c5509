package io.jreap.proc;

/**
 * {@code PROC_REAP_STATUS}: the reaper of a queried LWP and its counts.
 *
 * @param flags {@link #OWNED} and/or {@link #REALINIT}
 * @param children descendants on the reaper's reap list whose parent is the reaper
 * @param descendants length of the reaper's reap list
 * @param reaperPid the reaper's pid
 * @param pid the reaper's first child, else the first entry of its reap list, else -1
 */
public record ReaperStatus(int flags, int children, int descendants, long reaperPid, long pid) {
    /** The queried LWP is itself the reaper. */
    public static final int OWNED = 0x1;
    /** The reaper is init (the host). */
    public static final int REALINIT = 0x2;

    public boolean owned() {
        return (flags & OWNED) != 0;
    }

    public boolean realInit() {
        return (flags & REALINIT) != 0;
    }
}
