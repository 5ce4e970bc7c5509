package io.jreap.log.cli;

import static io.jreap.log.cli.TestLogs.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.jreap.event.EventSink;
import io.jreap.event.EventType;
import io.jreap.kernel.Kernel;
import io.jreap.kernel.Sandbox;
import io.jreap.log.sink.EventLogOptions;
import io.jreap.log.sink.EventLogSink;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** follow on a live log, and several logs (several JVMs) merged by time. */
class FollowAndMergeTest {
    @TempDir
    Path tmp;

    @Test
    void followPrintsWhatIsWrittenAfterItStartedAndStopsAtClose() throws Exception {
        Path dir = tmp.resolve("live-log");
        TestLogs.Synthetic s = new TestLogs.Synthetic(dir);
        s.sandbox(2, "sb").fork(3, 2, 2).flush();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        AtomicInteger code = new AtomicInteger(-1);
        Thread follower = new Thread(() -> code.set(ReplayCli.run(new String[] {"follow", "--exit-after-close",
                "--idle-exit", "60000", "--poll", "5", dir.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8))));
        follower.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!err.toString(StandardCharsets.UTF_8).contains("following") && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("jreap replay: following 1 log from the end until closed\n");
        s.fork(4, 3, 2).exit(4, 3, 2, null).reap(4, 3).flush();
        s.close();
        follower.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(follower.isAlive()).isFalse();
        assertThat(code.get()).isZero();
        List<String> lines = List.of(out.toString(StandardCharsets.UTF_8).split("\n"));
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).startsWith("#2 ").contains("FORK pid=4 ppid=3");
        assertThat(lines.get(1)).startsWith("#3 ").contains("EXIT pid=4");
        assertThat(lines.get(2)).startsWith("#4 ").contains("REAP pid=4");
        assertThat(lines.get(3)).startsWith("CLOSE ");
    }

    @Test
    void followFromTheStartWithFiltersAndAnIdleExitOnALogThatNeverCloses() throws Exception {
        Path dir = tmp.resolve("cut-log");
        try (TestLogs.Raw raw = new TestLogs.Raw(dir)) {
            raw.header(1, 0).snapshot(0);
            raw.events(new long[] {0, 1, 2}, raw.event(EventType.SANDBOX, 2, 1, 2, 0, 0, "sb"),
                    raw.event(EventType.FORK, 3, 2, 2, 2, 0, null), raw.event(EventType.FORK, 4, 3, 2, 2, 0, null));
        }
        TestLogs.Run r = run("follow", "--from-start", "--idle-exit", "200", "--poll", "5", "--type", "FORK", "--json",
                dir.toString());
        assertThat(r.code()).isZero();
        assertThat(r.outLines()).hasSize(2).allMatch(l -> l.contains("\"type\":\"FORK\""));
        assertThat(r.err()).contains("from the start; Ctrl-C stops");
    }

    @Test
    void twoJvmsLogsMergeByTimeAndNameTheirLog() throws Exception {
        Path a = tmp.resolve("jvm-a");
        Path b = tmp.resolve("jvm-b");
        EventLogSink sa = new EventLogSink(EventLogOptions.defaults(a)).start();
        EventLogSink sb = new EventLogSink(EventLogOptions.defaults(b)).start();
        Kernel ka = new Kernel(sa);
        Kernel kb = new Kernel(sb);
        Sandbox alpha = ka.newSandbox("alpha", 10);
        Sandbox beta = kb.newSandbox("beta", 10);
        for (int i = 0; i < 2; i++) {
            // 20 ms apart: far more than the millisecond by which the two logs' clock anchors may differ.
            alpha.spawn(() -> { }).join();
            Thread.sleep(20);
            beta.spawn(() -> { }).join();
            Thread.sleep(20);
        }
        alpha.close(Duration.ofSeconds(10));
        beta.close(Duration.ofSeconds(10));
        ka.setEventSink(EventSink.NONE);
        kb.setEventSink(EventSink.NONE);
        assertThat(sa.close(10, TimeUnit.SECONDS)).isTrue();
        assertThat(sb.close(10, TimeUnit.SECONDS)).isTrue();

        TestLogs.Run forks = run("events", "--type", "FORK", a.toString(), b.toString());
        assertThat(forks.code()).isZero();
        assertThat(forks.outLines()).hasSize(4);
        assertThat(forks.outLines()).extracting(l -> l.substring(0, l.indexOf(']') + 1))
                .containsExactly("[jvm-a]", "[jvm-b]", "[jvm-a]", "[jvm-b]");
        TestLogs.Run all = run("events", "--json", a.toString(), b.toString());
        List<String> times = all.outLines().stream().filter(l -> l.contains("\"seq\""))
                .map(l -> (String) ((java.util.Map<?, ?>) MiniJson.parse(l)).get("time")).toList();
        assertThat(times).isSortedAccordingTo((x, y) -> java.time.Instant.parse(x).compareTo(java.time.Instant.parse(y)));

        TestLogs.Run tree = run("tree", a.toString(), b.toString());
        assertThat(tree.out()).contains("tree of jvm-a (jvm pid " + ProcessHandle.current().pid() + ")", "tree of jvm-b");
        TestLogs.Run stats = run("stats", a.toString(), b.toString());
        assertThat(stats.out()).containsPattern("(?m)^  alpha +\\d+ +2 ").containsPattern("(?m)^  beta +\\d+ +2 ");
        TestLogs.Run check = run("check", a.toString(), b.toString());
        assertThat(check.code()).as(check.out()).isZero();
        assertThat(check.outLines()).last().asString().endsWith("of 2 logs");
    }
}
