package io.jreap.log.cli;

import io.jreap.log.replay.Checker;
import io.jreap.log.replay.Checker.Rule;
import io.jreap.log.replay.Checker.Violation;
import io.jreap.log.replay.EventFormat;
import io.jreap.log.replay.Item;
import io.jreap.log.replay.LogRecord.SnapshotRecord;
import io.jreap.log.replay.LogSet;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Checks invariants over the whole log and prints each violation with the events involved,"
                + " then a summary line. Exit code 1 if any invariant is violated, 0 otherwise.",
                "fork-after-kill: no LWP forked after it was sent a terminating signal (SIGNAL_SENT detail"
                        + " 'terminate').",
                "not-exited: every target of a terminating signal exited later (a handled TERM, detail 'pending',"
                        + " need not). A log without a CLOSE record was cut short (crash, kill -9): missing exits are"
                        + " then not violations, and a note says where the log ends.",
                "causal-order: sequence numbers dense and increasing (gaps only where a DROPPED record accounts for"
                        + " them), every event's pid known before it appears, nothing after a REAP, at most one EXIT"
                        + " per pid, a FORK's parent alive."})
final class CheckCommand extends Base {
    @Option(names = "--limit", paramLabel = "N", defaultValue = "50",
            description = "Print at most N violations per rule (all are counted). Default: ${DEFAULT-VALUE}.")
    int limit;

    @Override
    int execute() throws Exception {
        LogSet logs = load();
        Checker.Result r = Checker.check(logs);
        PrintWriter out = out();
        Map<Rule, Integer> printed = new java.util.EnumMap<>(Rule.class);
        for (Violation v : r.violations()) {
            int n = printed.merge(v.rule(), 1, Integer::sum);
            if (n > limit) {
                continue;
            }
            out.println("VIOLATION " + v.rule().label + (logs.several() ? " [" + v.log().label() + "]" : "") + ": "
                    + v.message());
            for (Item it : v.items()) {
                out.println("    " + (it.record() instanceof SnapshotRecord ? "the snapshot at index 0x"
                        + Long.toHexString(it.record().index()) : EventFormat.text(it, false)));
            }
        }
        for (Rule rule : Rule.values()) {
            int n = printed.getOrDefault(rule, 0);
            if (n > limit) {
                out.println("... and " + (n - limit) + " more " + rule.label + " violations (see --limit)");
            }
        }
        for (String note : r.notes()) {
            out.println("note: " + note);
        }
        List<String> parts = new ArrayList<>();
        for (Map.Entry<Rule, Integer> e : r.counts().entrySet()) {
            parts.add(e.getValue() + " " + e.getKey().label);
        }
        out.println("check: " + (r.ok() ? "OK" : "FAILED") + ", " + r.violations().size() + " violation"
                + (r.violations().size() == 1 ? "" : "s") + " (" + String.join(", ", parts) + ") in " + r.events()
                + " events of " + r.logs() + " log" + (r.logs() == 1 ? "" : "s"));
        return r.ok() ? ReplayCli.OK : ReplayCli.VIOLATIONS;
    }
}
