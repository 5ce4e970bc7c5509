package io.jreap.event;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

/** An unbounded in-memory sink for tests and samples: keeps every event in hand-off order. */
public final class RecordingEventSink implements EventSink {
    private final ConcurrentLinkedQueue<LifecycleEvent> events = new ConcurrentLinkedQueue<>();

    @Override
    public void publish(LifecycleEvent event) {
        events.add(event);
    }

    /** A snapshot of everything published so far, in hand-off order. */
    public List<LifecycleEvent> events() {
        return new ArrayList<>(events);
    }

    /** The recorded events that match. */
    public List<LifecycleEvent> events(Predicate<LifecycleEvent> filter) {
        List<LifecycleEvent> out = new ArrayList<>();
        for (LifecycleEvent e : events) {
            if (filter.test(e)) {
                out.add(e);
            }
        }
        return out;
    }

    /** The recorded events of one type. */
    public List<LifecycleEvent> events(EventType type) {
        return events(e -> e.type() == type);
    }

    public void clear() {
        events.clear();
    }
}
