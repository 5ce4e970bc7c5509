package io.jreap.kernel;

/**
 * A process group and its kill lock ({@code pg_killsx}).
 *
 * <p>{@link #killLock} is held <em>shared</em> by a fork of a member from before the child exists
 * until the child is linked and its thread started, and <em>exclusive</em> by anything that signals
 * a member or moves an LWP out of (or into) the group. So a fork is entirely before or entirely
 * after any signal to its parent. The member list is guarded by the kernel's tree lock.
 */
final class ProcessGroup {
    final long pgid;
    final Session session;
    /**
     * Writers have preference, and platform-thread forks do not pass a kill in its first seconds of
     * waiting, so a fork storm cannot starve a kill (see PollingRwLock).
     */
    final PollingRwLock killLock = new PollingRwLock(true);

    // Guarded by the tree lock.
    Lwp firstMember;
    int members;
    /** Set when the last member left; a dissolved group is never reused (pgids are never reused). */
    boolean dissolved;

    ProcessGroup(long pgid, Session session) {
        this.pgid = pgid;
        this.session = session;
    }

    @Override
    public String toString() {
        return "pgrp " + pgid;
    }
}
