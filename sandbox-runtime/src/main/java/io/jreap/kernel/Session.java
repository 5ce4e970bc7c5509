package io.jreap.kernel;

/** A session: a set of process groups with one leader. Sessions never span sandboxes. */
final class Session {
    final long sid;
    /** The sandbox the session belongs to; null for init's session. */
    final Sandbox sandbox;

    Session(long sid, Sandbox sandbox) {
        this.sid = sid;
        this.sandbox = sandbox;
    }
}
