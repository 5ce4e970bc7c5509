package io.jreap.log.replay;

import io.jreap.log.model.TreeModel;
import io.jreap.log.model.TreeModel.Lwp;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints a {@link TreeAt} like {@code pstree -A}: one LWP a line, children indented under their
 * parent, each with pid, group, session, state, reaper and pool marks and its sandbox.
 */
public final class TreePrinter {
    private TreePrinter() {
    }

    /** Prints the heading line, the tree and a count line. */
    public static void print(TreeAt t, PrintWriter out) {
        TreeModel m = t.model();
        WriterLog log = t.log();
        String where = t.last() == null ? "before the first event"
                : "after #" + t.last().event().seq() + " " + t.last().event().typeName() + " at "
                        + Times.localDay(t.last().epochNanos());
        out.println("tree of " + log.label() + " (jvm pid " + log.header().jvmPid() + ") " + where);
        Map<Long, List<Lwp>> children = new HashMap<>();
        List<Lwp> roots = new ArrayList<>();
        for (Lwp p : m.sorted()) {
            if (p.pid() != TreeModel.INIT && m.get(p.ppid()) != null && p.ppid() != p.pid()) {
                children.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(p);
            } else {
                roots.add(p);
            }
        }
        for (Lwp r : roots) {
            line(out, "", "", r);
            walk(out, r, "", children);
        }
        int running = 0;
        int dying = 0;
        int zombies = 0;
        for (Lwp p : m.all()) {
            if (p.zombie()) {
                zombies++;
            } else if (p.killSignal() != 0) {
                dying++;
            } else {
                running++;
            }
        }
        out.println(m.size() + " LWPs: " + running + " running, " + dying + " dying (terminating signal sent), " + zombies
                + " zombies; " + t.reaped() + " reaped before this point"
                + (t.fromSnapshot() ? "" : " (no snapshot before the point: rebuilt from init)"));
    }

    private static void walk(PrintWriter out, Lwp p, String indent, Map<Long, List<Lwp>> children) {
        List<Lwp> kids = children.getOrDefault(p.pid(), List.of());
        for (int i = 0; i < kids.size(); i++) {
            boolean lastKid = i == kids.size() - 1;
            line(out, indent, lastKid ? "`- " : "|- ", kids.get(i));
            walk(out, kids.get(i), indent + (lastKid ? "   " : "|  "), children);
        }
    }

    private static void line(PrintWriter out, String indent, String branch, Lwp p) {
        StringBuilder b = new StringBuilder(80).append(indent).append(branch).append(p.pid());
        if (p.pid() == TreeModel.INIT) {
            b.append(" init");
        }
        b.append(" pgid=").append(p.pgid()).append(" sid=").append(p.sid()).append(' ').append(TreeAt.state(p));
        if (p.reaper()) {
            b.append(" reaper");
        }
        if (p.pool()) {
            b.append(" pool");
        }
        if (p.sandbox() != null) {
            b.append(" sandbox=").append(p.sandbox());
        }
        out.println(b);
    }
}
