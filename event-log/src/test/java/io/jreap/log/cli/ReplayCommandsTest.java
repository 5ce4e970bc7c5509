package io.jreap.log.cli;

import static io.jreap.log.cli.TestLogs.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.jreap.event.EventType;
import io.jreap.log.format.LogEvent;
import io.jreap.log.replay.LogException;
import io.jreap.log.replay.LogSet;
import io.jreap.log.replay.WriterLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tree, events, stats and check on a log recorded with the real runtime: a sandbox of 10 LWPs, killed. */
class ReplayCommandsTest {
    @TempDir
    static Path tmp;
    static Path dir;
    static TestLogs.KillLog log;
    static List<LogEvent> events;

    @BeforeAll
    static void record() throws Exception {
        dir = tmp.resolve("plugin-log");
        log = TestLogs.recordKill(dir);
        events = LogSet.load(List.of(dir)).logs().get(0).events();
    }

    private static LogEvent first(EventType t) {
        return events.stream().filter(e -> e.type() == t).findFirst().orElseThrow();
    }

    /** The tree's lines for one pid: "<indent>PID pgid=… state…". */
    private static String lineOf(List<String> lines, long pid) {
        Pattern p = Pattern.compile("^[|` -]*" + pid + "( init)? pgid=.*");
        return lines.stream().filter(l -> p.matcher(l).matches()).findFirst().orElse(null);
    }

    @Test
    void treeBeforeTheKillShowsEveryLwpRunningInItsPlaceAndAfterItShowsThemKilled() {
        LogEvent begin = first(EventType.KILL_BEGIN);
        TestLogs.Run before = run("tree", "--at", String.valueOf(begin.seq() - 1), dir.toString());
        assertThat(before.code()).as(before.err()).isZero();
        List<String> lines = before.outLines();
        assertThat(lines.get(0)).startsWith("tree of plugin-log").contains("after #" + (begin.seq() - 1));
        assertThat(lineOf(lines, 1)).contains("init", "reaper");
        assertThat(lineOf(lines, log.sandbox())).startsWith("`- ").contains("reaper", "sandbox=plugin", "running");
        assertThat(lineOf(lines, log.root())).contains("running", "sandbox=plugin", "pgid=" + log.sandbox());
        for (long c : log.children()) {
            assertThat(lineOf(lines, c)).contains("running").doesNotContain("dying", "zombie");
        }
        for (long g : log.grandchildren()) {
            // Grandchildren hang two levels below the root: deeper indentation than their parents.
            assertThat(lineOf(lines, g)).startsWith("   ").contains("running");
        }
        assertThat(lines.get(lines.size() - 1)).startsWith((2 + log.lwps()) + " LWPs: " + (2 + log.lwps()) + " running, 0 dying");

        LogEvent end = first(EventType.KILL_END);
        TestLogs.Run after = run("tree", "--at", "#" + end.seq(), dir.toString());
        assertThat(after.code()).isZero();
        List<String> afterLines = after.outLines();
        long killedOrGone = new ArrayList<>(log.children()).stream()
                .filter(c -> { String l = lineOf(afterLines, c); return l == null || l.contains("SIGKILL"); }).count();
        assertThat(killedOrGone).isEqualTo(3);
        assertThat(lineOf(afterLines, log.root())).satisfiesAnyOf(
                l -> assertThat(l).isNull(), // already exited and reaped by KILL_END
                l -> assertThat(l).containsAnyOf("dying(SIGKILL sent)", "zombie(killed-by-SIGKILL)"));
        // Only init and the sandbox's reaper (never signalled) still run; each of the 10 is dying or gone.
        // A killed LWP may exit (a zombie) or even be reaped before the killer publishes KILL_END.
        Matcher count = Pattern.compile("\\d+ LWPs: 2 running, (\\d+) dying .*, (\\d+) zombies; (\\d+) reaped before this point")
                .matcher(afterLines.get(afterLines.size() - 1));
        assertThat(count.matches()).as(afterLines.get(afterLines.size() - 1)).isTrue();
        assertThat(Integer.parseInt(count.group(1)) + Integer.parseInt(count.group(2)) + Integer.parseInt(count.group(3)))
                .isEqualTo(log.lwps());

        TestLogs.Run atEnd = run("tree", dir.toString());
        assertThat(atEnd.outLines()).noneMatch(l -> l.matches("^[|` -]*" + log.root() + " pgid=.*"));
        assertThat(atEnd.outLines().get(atEnd.outLines().size() - 1)).startsWith("1 LWPs").contains((log.lwps() + 1) + " reaped"); // and the closed sandbox's reaper
    }

    @Test
    void treeAtATimeMatchesTreeAtTheSequenceNumberOfThatTime() throws LogException {
        LogEvent begin = first(EventType.KILL_BEGIN);
        WriterLog w = LogSet.load(List.of(dir)).logs().get(0);
        long beforeKill = w.items().stream().filter(i -> i.event() != null && i.event().seq() == begin.seq() - 1)
                .findFirst().orElseThrow().epochNanos();
        String iso = io.jreap.log.replay.Times.iso(beforeKill);
        TestLogs.Run byTime = run("tree", "--at", iso, dir.toString());
        assertThat(byTime.code()).as(byTime.err()).isZero();
        assertThat(byTime.outLines().get(byTime.outLines().size() - 1)).contains((2 + log.lwps()) + " running");
        long rel = beforeKill - w.firstEvent().epochNanos();
        TestLogs.Run byOffset = run("tree", "--at", "+" + rel + "ns", dir.toString());
        assertThat(byOffset.out()).isEqualTo(byTime.out());
    }

    @Test
    void eventsOfAPidWithItsSubtreeAreExactlyThoseOfItsDescendants() {
        long child = log.children().get(0);
        TestLogs.Run r = run("events", "--pid", String.valueOf(child), "--subtree", dir.toString());
        assertThat(r.code()).as(r.err()).isZero();
        Set<Long> pids = r.outLines().stream().map(l -> Long.parseLong(field(l, "pid"))).collect(Collectors.toSet());
        Set<Long> expected = events.stream().filter(e -> e.type() == EventType.FORK && e.ppid() == child)
                .map(LogEvent::pid).collect(Collectors.toSet());
        expected.add(child);
        assertThat(pids).isEqualTo(expected).hasSize(3);
        assertThat(r.outLines()).anyMatch(l -> l.contains(" FORK pid=" + child + " "));
        assertThat(r.outLines()).filteredOn(l -> l.contains(" EXIT ")).hasSize(3).allMatch(l -> l.contains("sig=SIGKILL"));

        TestLogs.Run alone = run("events", "--pid", String.valueOf(child), dir.toString());
        // Without --subtree: its own events and the FORKs of its two children.
        assertThat(alone.outLines()).allMatch(l -> field(l, "pid").equals(String.valueOf(child)) || l.contains(" FORK "));
        assertThat(alone.outLines()).filteredOn(l -> l.contains(" FORK ") && l.contains("ppid=" + child)).hasSize(2);
    }

    @Test
    void eventsByTypeAndGroupAndRange() {
        TestLogs.Run r = run("events", "--type", "fork,exit", dir.toString());
        long forks = events.stream().filter(e -> e.type() == EventType.FORK).count();
        long exits = events.stream().filter(e -> e.type() == EventType.EXIT).count();
        assertThat(r.outLines()).hasSize((int) (forks + exits));
        assertThat(r.outLines()).allMatch(l -> l.contains(" FORK ") || l.contains(" EXIT "));

        TestLogs.Run g = run("events", "--pgid", String.valueOf(log.sandbox()), "--type", "SIGNAL_SENT", dir.toString());
        assertThat(g.outLines()).hasSize(10).allMatch(l -> l.contains("detail=terminate"));

        LogEvent begin = first(EventType.KILL_BEGIN);
        LogEvent end = first(EventType.KILL_END);
        TestLogs.Run range = run("events", "--from", String.valueOf(begin.seq()), "--to", String.valueOf(end.seq()),
                dir.toString());
        assertThat(range.outLines()).hasSize((int) (end.seq() - begin.seq() + 1));
        assertThat(range.outLines().get(0)).contains("KILL_BEGIN", "target=" + log.sandbox(), "sig=SIGKILL");
        assertThat(range.outLines().get(range.outLines().size() - 1)).contains("KILL_END", "killed=10");
    }

    @Test
    void eventsAsJsonAreOneParseableObjectPerLine() {
        TestLogs.Run r = run("events", "--json", dir.toString());
        assertThat(r.code()).isZero();
        // DROPPED/CLOSE records come too when nothing is filtered: every event plus the CLOSE.
        assertThat(r.outLines()).hasSize(events.size() + 1);
        for (String line : r.outLines()) {
            assertThat(MiniJson.parse(line)).isInstanceOf(java.util.Map.class);
        }
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> fork = (java.util.Map<String, Object>) MiniJson.parse(r.outLines().stream()
                .filter(l -> l.contains("\"type\":\"FORK\"")).findFirst().orElseThrow());
        assertThat(fork).containsEntry("log", "plugin-log").containsKeys("seq", "time", "pid", "ppid", "thread");
        assertThat(fork.get("detail")).isNull();
        assertThat((String) fork.get("time")).endsWith("Z");
        assertThat(MiniJson.parse(r.outLines().get(r.outLines().size() - 1))).asString().contains("CLOSE");
    }

    @Test
    void statsCountTypesSandboxesForksAndKills() {
        TestLogs.Run r = run("stats", dir.toString());
        assertThat(r.code()).as(r.err()).isZero();
        long forks = events.stream().filter(e -> e.type() == EventType.FORK).count();
        assertThat(forks).isEqualTo(10);
        assertThat(r.out()).containsPattern("(?m)^  FORK +10$");
        assertThat(r.out()).containsPattern("(?m)^  EXIT +" + events.stream().filter(e -> e.type() == EventType.EXIT).count() + "$");
        assertThat(r.out()).containsPattern("(?m)^  SIGNAL_SENT +10$");
        assertThat(r.out()).containsPattern("(?m)^  plugin +\\d+ +10 +11 +\\d+$"); // 10 LWPs and the reaper exit
        assertThat(r.out()).contains("fork rate: 10 forks, ");
        long kills = events.stream().filter(e -> e.type() == EventType.KILL_BEGIN).count();
        assertThat(r.out()).contains("kills: " + kills);
        assertThat(r.out()).containsPattern("KILL_BEGIN -> KILL_END +p50 .* max .*\\(n=" + kills + "\\)");
        // Only the first kill terminated anything; close()'s second kill found nobody.
        assertThat(r.out()).containsPattern("KILL_BEGIN -> last target EXIT +p50 .*\\(n=1\\)");
        assertThat(r.out()).contains("dropped: 0 events in 0 DROPPED records");
    }

    @Test
    void checkPassesOnARealLog() {
        TestLogs.Run r = run("check", dir.toString());
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.outLines()).last().asString()
                .isEqualTo("check: OK, 0 violations (0 fork-after-kill, 0 not-exited, 0 causal-order) in " + events.size()
                        + " events of 1 log");
    }

    private static String field(String line, String name) {
        Matcher m = Pattern.compile(" " + name + "=(\\S+)").matcher(line);
        return m.find() ? m.group(1) : "";
    }
}
