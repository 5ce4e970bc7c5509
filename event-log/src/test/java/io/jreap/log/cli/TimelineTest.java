package io.jreap.log.cli;

import static io.jreap.log.cli.TestLogs.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** timeline: one self-contained file, a lane per LWP, kills marked; 10,000 LWPs grouped and collapsed. */
class TimelineTest {
    static final int GROUPS = 10;
    static final int PER_GROUP = 1000;

    @TempDir
    static Path tmp;
    static Path big;
    static long[] pgids;

    @BeforeAll
    static void writeBigLog() throws Exception {
        big = tmp.resolve("big-log");
        try (TestLogs.Synthetic s = new TestLogs.Synthetic(big)) {
            pgids = TestLogs.writeBig(s, GROUPS, PER_GROUP, 5);
            s.flush();
        }
    }

    static int count(String html, String regex) {
        Matcher m = Pattern.compile(regex).matcher(html);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    static void assertSelfContained(String html) {
        assertThat(html).doesNotContainIgnoringCase("http://").doesNotContainIgnoringCase("https://")
                .doesNotContain("<link", " src=", "@import", "@font-face");
        assertThat(html.replace("url(#clip)", "")).doesNotContain("url(");
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<svg id=\"tl\"", "<script>", "<style>").endsWith("</html>\n");
    }

    @Test
    void tenThousandLwpsGetALaneEachInCollapsedGroupsWithTheKillMarked() throws Exception {
        Path file = tmp.resolve("big.html");
        TestLogs.Run r = run("timeline", "--html", file.toString(), big.toString());
        assertThat(r.code()).as(r.err()).isZero();
        int lanes = GROUPS * PER_GROUP + 1; // and the sandbox's reaper
        assertThat(r.out()).isEqualTo("timeline: " + lanes + " lanes written to " + file.toAbsolutePath() + "\n");
        String html = Files.readString(file, StandardCharsets.UTF_8);
        assertSelfContained(html);
        assertThat(count(html, "<g class=\"lane\" data-pid=\"\\d+\" data-log=\"0\"")).isEqualTo(lanes);
        for (long pid : new long[] {2, 3, 5003, 10002}) {
            assertThat(html).contains("<g class=\"lane\" data-pid=\"" + pid + "\"");
        }
        // Ten groups of 1000 start collapsed to their density row; the reaper's group of one does not.
        assertThat(count(html, "<g class=\"group collapsed\" data-lanes=\"1000\"")).isEqualTo(GROUPS);
        assertThat(count(html, "<g class=\"group\" data-lanes=\"1\"")).isEqualTo(1);
        assertThat(count(html, "class=\"density\"")).isEqualTo(GROUPS + 1);
        assertThat(count(html, "<g class=\"kill\"")).isEqualTo(1);
        assertThat(html).contains("data-label=\"kill killpg SIGKILL -&gt; " + pgids[5] + ": " + PER_GROUP + " killed\"");
        // Forks are drawn parent to child within a group: 999 per group.
        assertThat(count(html, "<line class=\"fork\"")).isEqualTo(GROUPS * (PER_GROUP - 1));
        assertThat(count(html, "<line class=\"dying\"")).isEqualTo(PER_GROUP);
    }

    @Test
    void fromAndToBoundTheLanesWritten() throws Exception {
        Path file = tmp.resolve("range.html");
        // Up to the fork of group 1's leader: the reaper, group 0, and that leader.
        long leaderSeq = 1 + PER_GROUP; // #0 is the SANDBOX event
        TestLogs.Run r = run("timeline", "--html", file.toString(), "--to", String.valueOf(leaderSeq), big.toString());
        assertThat(r.code()).as(r.err()).isZero();
        String html = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(count(html, "<g class=\"lane\"")).isEqualTo(1 + PER_GROUP + 1);
        assertThat(count(html, "<g class=\"kill\"")).isZero();
        TestLogs.Run bad = run("timeline", "--html", file.toString(), "--from", "+2s", "--to", "+1s", big.toString());
        assertThat(bad.code()).isEqualTo(ReplayCli.BAD_INPUT);
        assertThat(bad.err()).contains("--to (+1s) lies before --from (+2s)");
    }

    @Test
    void aRealKillLogHasALanePerLwpAndBothKillsOfTheSandbox() throws Exception {
        Path dir = tmp.resolve("kill-log");
        TestLogs.KillLog log = TestLogs.recordKill(dir);
        Path file = tmp.resolve("kill.html");
        assertThat(run("timeline", "--html", file.toString(), dir.toString()).code()).isZero();
        String html = Files.readString(file, StandardCharsets.UTF_8);
        assertSelfContained(html);
        assertThat(count(html, "<g class=\"lane\"")).isEqualTo(log.lwps() + 1);
        assertThat(html).contains("<g class=\"lane\" data-pid=\"" + log.root() + "\"");
        // The kill of 10, and close()'s kill that found nothing left.
        assertThat(html).contains("data-label=\"kill reap-kill SIGKILL -&gt; " + log.sandbox() + ": 10 killed\"");
        assertThat(count(html, "<g class=\"kill\"")).isEqualTo(2);
        assertThat(count(html, "<line class=\"exit\"")).isEqualTo(log.lwps() + 1);
    }

    @Test
    void anUnwritableFileIsBadInput() {
        TestLogs.Run r = run("timeline", "--html", tmp.toString(), big.toString());
        assertThat(r.code()).isEqualTo(ReplayCli.BAD_INPUT);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("--html " + tmp, "cannot write");
    }
}
