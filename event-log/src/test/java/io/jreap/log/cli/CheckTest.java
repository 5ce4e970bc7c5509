package io.jreap.log.cli;

import static io.jreap.log.cli.TestLogs.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.jreap.event.EventType;
import io.jreap.proc.Signal;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** check on hand-made logs: each invariant broken once, a gap DROPPED accounts for, and a log cut short. */
class CheckTest {
    @TempDir
    Path tmp;

    @Test
    void aForkFromAKilledParentAndAKilledLwpThatNeverExitsInAClosedLogFail() throws Exception {
        Path dir = tmp.resolve("bad-log");
        try (TestLogs.Synthetic s = new TestLogs.Synthetic(dir)) {
            s.sandbox(2, "sb").fork(3, 2, 2).fork(4, 3, 2)
                    .terminate(3, Signal.KILL) // #3
                    .fork(5, 3, 2)             // #4: forked by 3 after its kill
                    .exit(3, 2, 2, Signal.KILL).reap(3, 2)
                    .exit(4, 2, 2, null).reap(4, 2).exit(5, 2, 2, null).reap(5, 2)
                    .fork(6, 2, 2).terminate(6, Signal.KILL) // #12: 6 never exits, and the log is closed
                    .flush();
        }
        TestLogs.Run r = run("check", dir.toString());
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.out()).contains("VIOLATION fork-after-kill: pid 3 forked 5 after it was sent a terminating signal\n"
                + "    #3 ").contains("SIGNAL_SENT pid=3 ").containsPattern("\n    #4 \\S+ FORK pid=5 ppid=3 ");
        assertThat(r.out()).contains("VIOLATION not-exited: pid 6 was sent SIGKILL (terminate) but never exited though the"
                + " log was closed cleanly\n    #12 ");
        assertThat(r.outLines()).last().asString().isEqualTo(
                "check: FAILED, 2 violations (1 fork-after-kill, 1 not-exited, 0 causal-order) in 13 events of 1 log");
    }

    @Test
    void causalOrderViolationsAreEachNamedWithTheirEvents() throws Exception {
        Path dir = tmp.resolve("disorder");
        try (TestLogs.Raw raw = new TestLogs.Raw(dir)) {
            raw.header(1, 0).snapshot(0);
            raw.events(new long[] {0, 1, 2},
                    raw.event(EventType.SANDBOX, 2, 1, 2, 0, 0, "sb"),
                    raw.event(EventType.FORK, 3, 2, 2, 2, 0, null),
                    raw.event(EventType.EXIT, 3, 2, 2, 0, 0, null));
            raw.events(new long[] {5, 6, 7, 8}, // #3 and #4 are missing, and no DROPPED record says why
                    raw.event(EventType.REAP, 3, 2, 0, -1, 0, null),
                    raw.event(EventType.EXIT, 3, 2, 2, 0, 0, null),     // after its REAP, and a second EXIT
                    raw.event(EventType.FORK, 4, 3, 2, 2, 0, null),     // from an exited parent
                    raw.event(EventType.THREAD_ADD, 99, 2, 2, 0, 0, null)); // never forked
            raw.close(9);
        }
        TestLogs.Run r = run("check", dir.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("VIOLATION causal-order: 2 sequence numbers missing (#3 to #4) and no DROPPED record"
                + " accounts for them\n    #2 ").contains("\n    #5 ");
        assertThat(r.out()).contains("VIOLATION causal-order: a EXIT of pid 3 after its REAP\n    #5 ")
                .contains("VIOLATION causal-order: pid 3 exited twice\n    #2 ")
                .contains("VIOLATION causal-order: FORK of 4 from pid 3, which had already exited\n    #5 ")
                .contains("VIOLATION causal-order: pid 99 appears in a THREAD_ADD but was never forked");
        assertThat(r.outLines()).last().asString().startsWith("check: FAILED, 5 violations (0 fork-after-kill,"
                + " 0 not-exited, 5 causal-order)");
    }

    @Test
    void aGapThatADroppedRecordAccountsForIsNoViolation() throws Exception {
        Path dir = tmp.resolve("dropped");
        try (TestLogs.Raw raw = new TestLogs.Raw(dir)) {
            raw.header(1, 0).snapshot(0);
            raw.events(new long[] {0, 1}, raw.event(EventType.SANDBOX, 2, 1, 2, 0, 0, "sb"),
                    raw.event(EventType.FORK, 3, 2, 2, 2, 0, null));
            raw.dropped(2, 2);
            raw.events(new long[] {4}, raw.event(EventType.EXIT, 3, 2, 2, 0, 0, null));
            raw.close(5);
        }
        TestLogs.Run r = run("check", dir.toString());
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.outLines()).last().asString().startsWith("check: OK, 0 violations");
        assertThat(run("stats", dir.toString()).out()).contains("dropped: 2 events in 1 DROPPED record");
    }

    @Test
    void aLogWithoutCloseIsCutShortNotWrongAndTheNoteSaysWhereItEnds() throws Exception {
        Path dir = tmp.resolve("crashed");
        try (TestLogs.Raw raw = new TestLogs.Raw(dir)) {
            raw.header(1, 0).snapshot(0);
            raw.events(new long[] {0, 1, 2}, raw.event(EventType.SANDBOX, 2, 1, 2, 0, 0, "sb"),
                    raw.event(EventType.FORK, 3, 2, 2, 2, 0, null),
                    raw.event(EventType.SIGNAL_SENT, 3, 2, 2, 1, Signal.KILL.number(), "terminate"));
            // No EXIT for 3 and no CLOSE: the JVM died here.
        }
        TestLogs.Run r = run("check", dir.toString());
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).doesNotContain("VIOLATION");
        assertThat(r.out()).containsPattern("note: crashed has no CLOSE record \\(the JVM crashed or was killed, or is still"
                + " writing\\): it ends at #2, \\d{4}-\\d\\d-\\d\\d [\\d:.]+, index 0x[0-9a-f]+; 1 target of terminating"
                + " signals had not exited by then, which is not counted as a violation");
        assertThat(r.outLines()).last().asString().startsWith("check: OK, 0 violations");
    }
}
