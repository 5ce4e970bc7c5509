package io.jreap.log.replay;

import io.jreap.event.EventType;
import io.jreap.log.format.LogEvent;
import io.jreap.log.model.TreeModel;
import io.jreap.log.replay.LogRecord.SnapshotRecord;
import java.util.List;

/**
 * The process tree of one writer's log at a {@link Point}: the latest snapshot at or before the
 * point, with the events after it applied up to the point. A log whose oldest cycles were deleted
 * starts with a header and a snapshot, so this works from any cycle.
 *
 * @param log the log
 * @param model the tree at the point
 * @param last the last event applied (null if none: the point is before the first event)
 * @param reaped how many REAP events the log holds up to the point
 * @param fromSnapshot whether the tree started from a snapshot (else from init alone)
 */
public record TreeAt(WriterLog log, TreeModel model, Item last, int reaped, boolean fromSnapshot) {

    /** The tree of {@code log} at {@code point}; null point means the end of the log. */
    public static TreeAt of(WriterLog log, Point point) {
        List<Item> items = log.items();
        int cut = items.size();
        int snapshotAt = -1;
        int reaped = 0;
        for (int i = 0; i < items.size(); i++) {
            Item it = items.get(i);
            LogEvent e = it.event();
            if (e != null) {
                if (point != null && !point.covers(it)) {
                    cut = i;
                    break;
                }
                if (e.type() == EventType.REAP) {
                    reaped++;
                }
            } else if (it.record() instanceof SnapshotRecord) {
                snapshotAt = i;
            }
        }
        TreeModel m;
        long from;
        if (snapshotAt >= 0) {
            SnapshotRecord s = (SnapshotRecord) items.get(snapshotAt).record();
            m = TreeModel.of(s.snapshot());
            from = s.snapshot().nextSeq();
        } else {
            m = new TreeModel();
            from = Long.MIN_VALUE;
        }
        Item last = null;
        for (int i = Math.max(0, snapshotAt); i < cut; i++) {
            Item it = items.get(i);
            LogEvent e = it.event();
            if (e != null) {
                if (e.seq() >= from) {
                    m.apply(e);
                }
                last = it;
            }
        }
        if (last == null) {
            // The point lies before the events after the snapshot: name the last event before it, if any.
            for (int i = Math.min(cut, items.size()) - 1; i >= 0 && last == null; i--) {
                if (items.get(i).event() != null) {
                    last = items.get(i);
                }
            }
        }
        return new TreeAt(log, m, last, reaped, snapshotAt >= 0);
    }

    /** A one-word state: running, dying(SIGKILL), zombie(exit 0), zombie(killed-by-SIGKILL). */
    public static String state(TreeModel.Lwp p) {
        if (p.zombie()) {
            return p.exitSignal() != 0 ? "zombie(killed-by-" + Signals.name(p.exitSignal()) + ")"
                    : "zombie(exit " + p.exitStatus() + ")";
        }
        if (p.killSignal() != 0) {
            return "dying(" + Signals.name(p.killSignal()) + " sent)";
        }
        return "running";
    }
}
