package io.jreap.proc;

/** Life cycle of an LWP. A stopped LWP is {@link #RUNNING} with its stop flag set. */
public enum LwpState {
    /** Linked into the tree; its first thread has not started yet. */
    NEW,
    /** Alive: it has running threads, or it is a thread-less LWP (a reaper, a pool). */
    RUNNING,
    /** Its last thread ended; its children are being handed to their reaper. */
    EXITING,
    /** Exited; kept only because its parent declared that it waits for children. */
    ZOMBIE,
    /** Gone from the tree. */
    REAPED
}
