package io.jreap.log.cli;

import static io.jreap.log.cli.TestLogs.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.jreap.log.sink.EventLogOptions;
import io.jreap.proc.Signal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A log whose first roll cycle was deleted still replays: the next cycle opens with a header and a snapshot. */
class ReadAnyCycleTest {
    @TempDir
    Path tmp;

    @Test
    void treeReplaysFromTheSnapshotOfTheFirstRemainingCycle() throws Exception {
        Path dir = tmp.resolve("rolled");
        SetTimeProvider clock = new SetTimeProvider(System.currentTimeMillis() * 1_000_000L);
        EventLogOptions opts = new EventLogOptions(dir, "TEST_SECONDLY", 0, false, false, 1024);
        try (TestLogs.Synthetic s = new TestLogs.Synthetic(opts, clock)) {
            // Cycle 1: a sandbox with 3 LWPs, one of which is killed but has not exited yet.
            s.sandbox(2, "sb").fork(3, 2, 2).fork(4, 3, 2).fork(5, 3, 2).terminate(5, Signal.KILL).flush();
            clock.advanceMillis(2_000);
            // Cycle 2: 5 exits and is reaped; 6 is forked.
            s.exit(5, 3, 2, Signal.KILL).reap(5, 3).fork(6, 4, 2).flush();
        }
        List<Path> cycles;
        try (Stream<Path> files = Files.list(dir)) {
            cycles = files.filter(p -> p.toString().endsWith(".cq4")).sorted().toList();
        }
        assertThat(cycles).hasSize(2);
        TestLogs.Run whole = run("tree", "--at", "4", dir.toString());
        assertThat(whole.out()).contains("5 pgid=2 sid=2 dying(SIGKILL sent)");

        Files.delete(cycles.get(0));
        TestLogs.Run r = run("tree", dir.toString());
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = r.outLines();
        assertThat(lines.get(0)).contains("after #7 FORK");
        assertThat(lines).anyMatch(l -> l.matches("`- 2 pgid=2 sid=2 running reaper sandbox=sb"));
        assertThat(lines).anyMatch(l -> l.matches("   `- 3 pgid=2 sid=2 running sandbox=sb"));
        assertThat(lines).anyMatch(l -> l.matches("      `- 4 pgid=2 sid=2 running sandbox=sb"));
        assertThat(lines).anyMatch(l -> l.matches("         `- 6 pgid=2 sid=2 running sandbox=sb"));
        assertThat(lines).noneMatch(l -> l.matches(".*\\b5 pgid.*"));
        assertThat(lines.get(lines.size() - 1)).startsWith("5 LWPs: 5 running").doesNotContain("rebuilt from init");
        // Only the remaining cycle's events are there; check does not mistake the snapshot's LWPs for unknown ones.
        assertThat(run("events", dir.toString()).outLines()).first().asString().startsWith("#5 ");
        assertThat(run("check", dir.toString()).code()).isZero();
    }
}
