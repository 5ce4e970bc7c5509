package io.jreap.agent.scenario;

import io.jreap.kernel.Kernel;
import io.jreap.kernel.Sandbox;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plugin that forks forever (four chains of short-lived threads, each starting the next) with
 * the event log on; prints {@code STORMING} once {@code args[0]} forks ran, and keeps going until
 * the test kills the JVM ({@code kill -9}).
 */
public final class LogStorm {
    private LogStorm() {
    }

    public static void main(String[] args) throws Exception {
        int announceAfter = Integer.parseInt(args[0]);
        AtomicInteger ran = new AtomicInteger();
        Sandbox sb = Kernel.global().newSandbox("storm", 100_000);
        sb.spawn(() -> {
            for (int i = 0; i < 4; i++) {
                new Thread(() -> chain(ran, announceAfter)).start();
            }
        });
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void chain(AtomicInteger ran, int announceAfter) {
        if (ran.incrementAndGet() == announceAfter) {
            System.out.println("STORMING");
            System.out.flush();
        }
        new Thread(() -> chain(ran, announceAfter)).start();
    }
}
