package io.jreap.event;

/** Kinds of lifecycle events. Which {@link LifecycleEvent} fields each uses is said per constant. */
public enum EventType {
    /** A child LWP was linked. pid = child, ppid = parent, other = its reaper. */
    FORK,
    /** A fork was refused before a child existed (parent terminating, LWP limit). pid = parent; detail = reason. */
    FORK_DENIED,
    /** A linked child was unlinked again because its thread could not start. pid = child; detail = cause. */
    FORK_FAILED,
    /** A thread was added to an existing LWP. pid = the LWP. */
    THREAD_ADD,
    /** An LWP's last thread ended. pid, status = exit code, signal = terminating signal or null. */
    EXIT,
    /** An LWP was collected: by {@code waitpid} (other = the waiter) or automatically (other = -1). */
    REAP,
    /** An orphan moved to its reaper. pid = orphan, other = old parent, ppid = new parent. */
    REPARENT,
    /**
     * A signal was marked on a target. pid = target, other = sender pid (1 = host), signal, detail =
     * its effect: "terminate" (KILL, or a default action that ends the LWP), "pending" (a handler
     * will run), "ignore", "stop", "continue" or "check" (signal 0).
     */
    SIGNAL_SENT,
    /**
     * A target acted on a signal at a check point. pid, signal, detail = "handled" (its handler ran),
     * "dropped" (no handler by then) or "stopped" (it parked for STOP).
     */
    SIGNAL_DELIVERED,
    /**
     * A group or reaper kill began. pid = sender (1 = host), other = target (pgid or reaper), signal,
     * detail = kind.
     */
    KILL_BEGIN,
    /** The kill ended. pid = sender, count = killed, other = first failed pid (-1 if none), detail = kind and target. */
    KILL_END,
    /** pid changed group: other = old pgid, pgid = new pgid. */
    SETPGID,
    /** pid started a new session (sid = pgid = pid); other = old pgid. */
    SETSID,
    /** pid became a reaper. */
    REAPER_ACQUIRE,
    /** pid stopped being a reaper; count = LWPs handed to its reaper (other). */
    REAPER_RELEASE,
    /** A sandbox was created (pid = its reaper) or closed (detail = "closed"). */
    SANDBOX,
    /**
     * An LWP called {@code System.exit} or {@code Runtime.halt}, which jreap turned into the end of
     * the LWP or of its sandbox. pid = the caller, status = the exit code, detail = "exit" or
     * "halt" and what was ended ("lwp" or "sandbox").
     */
    EXIT_CALL
}
