package io.jreap.log.replay;

import io.jreap.event.EventType;
import io.jreap.log.format.LogEvent;
import io.jreap.log.format.Snapshot;
import io.jreap.log.model.TreeModel;
import io.jreap.log.replay.LogRecord.DroppedRecord;
import io.jreap.log.replay.LogRecord.SnapshotRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a log's invariants, each writer's log on its own (pids and sequence numbers are per JVM):
 * <ol>
 *   <li>{@link Rule#FORK_AFTER_KILL}: no LWP forked after it was sent a terminating signal
 *       (a SIGNAL_SENT whose detail is "terminate");</li>
 *   <li>{@link Rule#NOT_EXITED}: every target of a terminating signal has an EXIT later. A log
 *       without a CLOSE record (the JVM died, or still writes) is cut short, not wrong: there the
 *       missing exits are counted in a note that says where the log ends;</li>
 *   <li>{@link Rule#CAUSAL_ORDER}: sequence numbers are dense and increasing (a gap only where a
 *       DROPPED record since the previous event counts at least as many events); every event's
 *       pid is known before it appears (forked, in a snapshot, init, or a sandbox reaper); no event
 *       about a pid after its REAP (except the SANDBOX "closed" event, which the kernel publishes
 *       after reaping the sandbox's reaper); at most one EXIT per pid; a FORK's parent is alive.</li>
 * </ol>
 */
public final class Checker {
    /** The invariants; the name is what output shows. */
    public enum Rule {
        FORK_AFTER_KILL("fork-after-kill"),
        NOT_EXITED("not-exited"),
        CAUSAL_ORDER("causal-order");

        public final String label;

        Rule(String label) {
            this.label = label;
        }
    }

    /** One broken invariant with the records involved (in log order). */
    public record Violation(Rule rule, WriterLog log, String message, List<Item> items) {
    }

    /**
     * The verdict.
     *
     * @param violations every violation, in log order per log
     * @param notes things a reader should know that are not violations (a log cut short)
     * @param events events checked
     * @param logs writers' logs checked
     */
    public record Result(List<Violation> violations, List<String> notes, long events, int logs) {
        public boolean ok() {
            return violations.isEmpty();
        }

        /** Violations per rule, every rule present. */
        public Map<Rule, Integer> counts() {
            Map<Rule, Integer> m = new EnumMap<>(Rule.class);
            for (Rule r : Rule.values()) {
                m.put(r, 0);
            }
            for (Violation v : violations) {
                m.merge(v.rule(), 1, Integer::sum);
            }
            return m;
        }
    }

    private Checker() {
    }

    /** Checks every log of the set. */
    public static Result check(LogSet set) {
        List<Violation> violations = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (WriterLog log : set.logs()) {
            new PerLog(log, violations, notes).run();
        }
        return new Result(violations, notes, set.eventCount(), set.logs().size());
    }

    private static final class PerLog {
        private final WriterLog log;
        private final List<Violation> violations;
        private final List<String> notes;
        private final Set<Long> known = new HashSet<>();
        private final Map<Long, Item> exited = new HashMap<>();
        private final Map<Long, Item> reaped = new HashMap<>();
        /** Targets of a terminating signal that have not exited: pid → the first such SIGNAL_SENT (or snapshot). */
        private final Map<Long, Item> terminating = new LinkedHashMap<>();
        private final Set<Long> reportedUnknown = new HashSet<>();
        private Item previous;
        private long expected = -1;
        private long dropAllowance;

        PerLog(WriterLog log, List<Violation> violations, List<String> notes) {
            this.log = log;
            this.violations = violations;
            this.notes = notes;
        }

        void run() {
            known.add(TreeModel.INIT);
            for (Item it : log.items()) {
                if (it.record() instanceof SnapshotRecord s) {
                    snapshot(it, s.snapshot());
                } else if (it.record() instanceof DroppedRecord d) {
                    dropAllowance += d.count();
                } else if (it.event() != null) {
                    event(it, it.event());
                }
            }
            finish();
        }

        private void snapshot(Item it, Snapshot s) {
            if (previous == null && expected < 0) {
                expected = s.nextSeq();
            }
            for (Snapshot.Node n : s.nodes()) {
                known.add(n.pid());
                if (n.zombie()) {
                    exited.putIfAbsent(n.pid(), it);
                    terminating.remove(n.pid());
                } else if (n.killSignal() != 0) {
                    terminating.putIfAbsent(n.pid(), it);
                }
            }
        }

        private void event(Item it, LogEvent e) {
            sequence(it, e);
            previous = it;
            EventType t = e.type();
            if (t == null) {
                return; // a type this version does not know: its fields mean nothing to us
            }
            boolean sandboxClosed = t == EventType.SANDBOX && "closed".equals(e.detail());
            if (t == EventType.FORK) {
                fork(it, e);
                return;
            }
            if (t == EventType.SANDBOX && !sandboxClosed) {
                known.add(e.pid());
                return;
            }
            if (!known.contains(e.pid())) {
                if (reportedUnknown.add(e.pid())) {
                    add(Rule.CAUSAL_ORDER, "pid " + e.pid() + " appears in a " + e.typeName()
                            + " but was never forked before (nor is it in a snapshot, init, or a sandbox reaper)", it);
                }
                known.add(e.pid());
            }
            Item reap = reaped.get(e.pid());
            if (reap != null && !sandboxClosed) {
                add(Rule.CAUSAL_ORDER, "a " + e.typeName() + " of pid " + e.pid() + " after its REAP", reap, it);
            }
            switch (t) {
                case EXIT -> {
                    Item first = exited.putIfAbsent(e.pid(), it);
                    if (first != null) {
                        add(Rule.CAUSAL_ORDER, "pid " + e.pid() + " exited twice", first, it);
                    }
                    terminating.remove(e.pid());
                }
                case REAP -> reaped.putIfAbsent(e.pid(), it);
                case FORK_FAILED -> {
                    // The child was unlinked again without running: it is gone, as if reaped.
                    reaped.putIfAbsent(e.pid(), it);
                    terminating.remove(e.pid());
                }
                case SIGNAL_SENT -> {
                    if ("terminate".equals(e.detail()) && !exited.containsKey(e.pid())) {
                        terminating.putIfAbsent(e.pid(), it);
                    }
                }
                default -> {
                }
            }
        }

        private void sequence(Item it, LogEvent e) {
            long want = previous != null ? previous.event().seq() + 1 : expected;
            if (want >= 0 && e.seq() != want) {
                if (e.seq() < want) {
                    add(Rule.CAUSAL_ORDER, "sequence number " + e.seq() + " after " + (want - 1)
                            + ": numbers must increase", previous == null ? List.of(it) : List.of(previous, it));
                } else if (e.seq() - want > dropAllowance) {
                    long missing = e.seq() - want;
                    add(Rule.CAUSAL_ORDER, missing + " sequence number" + (missing == 1 ? "" : "s") + " missing (#"
                            + want + (missing > 1 ? " to #" + (e.seq() - 1) : "") + ") and "
                            + (dropAllowance == 0 ? "no DROPPED record accounts for them"
                                    : "DROPPED records account for only " + dropAllowance),
                            previous == null ? List.of(it) : List.of(previous, it));
                }
            }
            dropAllowance = 0;
        }

        private void fork(Item it, LogEvent e) {
            long parent = e.ppid();
            Item kill = terminating.get(parent);
            if (kill != null) {
                add(Rule.FORK_AFTER_KILL, "pid " + parent + " forked " + e.pid() + " after it was sent a terminating signal",
                        kill, it);
            }
            if (!known.contains(parent)) {
                add(Rule.CAUSAL_ORDER, "FORK of " + e.pid() + " from pid " + parent + ", which was never forked", it);
                known.add(parent);
            } else if (reaped.containsKey(parent) || exited.containsKey(parent)) {
                Item gone = reaped.containsKey(parent) ? reaped.get(parent) : exited.get(parent);
                add(Rule.CAUSAL_ORDER, "FORK of " + e.pid() + " from pid " + parent + ", which had already exited", gone, it);
            }
            if (known.contains(e.pid())) {
                add(Rule.CAUSAL_ORDER, "FORK of pid " + e.pid() + ", which already existed (pids are never reused)", it);
            }
            known.add(e.pid());
        }

        private void finish() {
            if (log.close() != null) {
                for (Item kill : terminating.values()) {
                    long pid = kill.event() != null ? kill.event().pid() : -1;
                    String what = kill.event() != null ? "pid " + pid + " was sent " + Signals.name(kill.event().signal())
                            + " (terminate) but never exited" : "an LWP the snapshot shows as killed never exited";
                    add(Rule.NOT_EXITED, what + " though the log was closed cleanly", kill);
                }
                return;
            }
            Item last = log.lastEvent();
            String end = last == null ? "before its first event, index " + Long.toHexString(log.lastIndex())
                    : "at #" + last.event().seq() + ", " + Times.localDay(last.epochNanos()) + ", index 0x"
                            + Long.toHexString(last.record().index());
            notes.add(log.label() + " has no CLOSE record (the JVM crashed or was killed, or is still writing): it ends "
                    + end + "; " + terminating.size() + " target" + (terminating.size() == 1 ? "" : "s")
                    + " of terminating signals had not exited by then, which is not counted as a violation");
        }

        private void add(Rule rule, String message, Item... items) {
            add(rule, message, Arrays.asList(items));
        }

        private void add(Rule rule, String message, List<Item> items) {
            violations.add(new Violation(rule, log, message, List.copyOf(items)));
        }
    }
}
