package io.jreap.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.jreap.event.EventType;
import io.jreap.event.RecordingEventSink;
import io.jreap.proc.KillResult;
import io.jreap.proc.LwpState;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void spawnForkKillAndReap() throws Exception {
        RecordingEventSink rec = new RecordingEventSink();
        Kernel k = new Kernel(rec);
        Sandbox sb = k.newSandbox("plugin", 100);
        CountDownLatch ready = new CountDownLatch(2);
        AtomicLong grandchild = new AtomicLong();
        LwpHandle h = sb.spawn(() -> {
            LwpHandle g = k.fork(() -> {
                ready.countDown();
                while (true) {
                    k.checkSignals();
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        // a kill interrupts; the loop's check point throws
                    }
                }
            });
            grandchild.set(g.pid());
            ready.countDown();
            while (true) {
                k.checkSignals();
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    // ditto
                }
            }
        });
        ready.await();
        assertThat(k.getpgid(h.pid())).isEqualTo(sb.pid());
        assertThat(k.reaperStatus(h.pid()).descendants()).isEqualTo(2);
        KillResult r = sb.kill();
        assertThat(r.killed()).isEqualTo(2);
        assertThat(sb.awaitTermination(Duration.ofSeconds(10))).isTrue();
        h.join();
        assertThat(k.state(h.pid())).isEqualTo(LwpState.REAPED);
        assertThat(k.state(grandchild.get())).isEqualTo(LwpState.REAPED);
        sb.close();
        assertThat(k.lwpCount()).isEqualTo(1);
        assertThat(rec.events(EventType.FORK)).hasSize(2);
        assertThat(rec.events(EventType.EXIT)).hasSize(3);
    }
}
