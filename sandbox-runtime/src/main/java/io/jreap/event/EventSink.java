package io.jreap.event;

/**
 * Receives every lifecycle event, in causal order: a child's {@code FORK} is published before the
 * child can run, a {@code SIGNAL_SENT} before the target can act on the signal.
 *
 * <p><b>Contract.</b> {@link #publish} is called while jreap locks are held (that is what makes the
 * order causal). It must not block, must not start threads, must not call back into jreap, and must
 * not throw. A bounded sink makes room in {@link #reserve}, which jreap calls before it takes any
 * lock, with the number of events it expects to publish; it may block there. jreap may publish more
 * events than it reserved (a kill learns its target count only under the lock); a bounded sink must
 * accept those without blocking, and may count them as overflow.
 */
public interface EventSink {
    /** A sink that discards everything; jreap skips building events when this is installed. */
    EventSink NONE = new EventSink() {
        @Override
        public void publish(LifecycleEvent event) {
        }
    };

    /** Make room for {@code events} events; called with no jreap lock held. May block. */
    default void reserve(int events) {
    }

    /** Take one event. Called under jreap locks: never block, never throw. */
    void publish(LifecycleEvent event);
}
