package io.jreap.samples;

import io.jreap.event.EventType;
import io.jreap.event.LifecycleEvent;
import io.jreap.event.RecordingEventSink;
import io.jreap.kernel.ForkOptions;
import io.jreap.kernel.Kernel;
import io.jreap.kernel.LwpHandle;
import io.jreap.kernel.Sandbox;
import io.jreap.proc.KillResult;
import io.jreap.proc.LwpInfo;
import io.jreap.proc.Signal;
import io.jreap.proc.SignalAction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A host loads a "plugin" into a sandbox. The plugin forks a tree of LWPs (platform threads, and
 * virtual threads where the JDK has them), moves some into their own process groups, installs a
 * TERM handler that keeps forking, and keeps forking while the host kills the sandbox. The demo
 * prints the tree before the kill, what the kill did, and checks that nothing survived and that a
 * bystander host thread was not disturbed.
 */
public final class PluginHostDemo {
    private static final int FAN_OUT = 3;
    private static final int DEPTH = 4;

    public static void main(String[] args) throws Exception {
        RecordingEventSink events = new RecordingEventSink();
        Kernel kernel = new Kernel(events);
        Queue<Thread> pluginThreads = new ConcurrentLinkedQueue<>();
        int expected = 0;
        for (int d = 1; d <= DEPTH; d++) {
            expected += (int) Math.pow(FAN_OUT, d - 1);
        }
        CountDownLatch built = new CountDownLatch(expected);

        // A bystander: a host thread sleeping through the whole kill. It must see no interrupt.
        boolean[] bystanderInterrupted = {false};
        Thread bystander = new Thread(() -> {
            try {
                Thread.sleep(3_000);
            } catch (InterruptedException e) {
                bystanderInterrupted[0] = true;
            }
        }, "host-bystander");
        bystander.start();

        Sandbox sandbox = kernel.newSandbox("demo-plugin", 10_000);
        System.out.printf("host: created sandbox %s (reaper pid %d, session %d)%n", sandbox.name(), sandbox.pid(),
                sandbox.pid());
        LwpHandle root = sandbox.spawn(() -> plugin(kernel, 1, built, pluginThreads));
        pluginThreads.add(root.thread());

        if (!built.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the plugin tree was not built in 30 s");
        }
        System.out.println();
        System.out.println("process tree before the kill (pid ppid pgid sid state threads):");
        printTree(kernel.ps(), sandbox.pid());

        System.out.println();
        long t0 = System.nanoTime();
        KillResult kill = sandbox.kill();
        long markedNs = System.nanoTime() - t0;
        boolean terminated = sandbox.awaitTermination(Duration.ofSeconds(30));
        long deadNs = System.nanoTime() - t0;
        System.out.printf("host: sandbox.kill() signalled %d LWPs (first failed pid %d) in %.2f ms; "
                + "all exited after %.2f ms: %s%n", kill.killed(), kill.firstFailedPid(), markedNs / 1e6,
                deadNs / 1e6, terminated);

        int alive = 0;
        for (Thread t : pluginThreads) {
            t.join(10_000);
            if (t.isAlive()) {
                alive++;
            }
        }
        sandbox.close();
        bystander.join();

        Map<EventType, Integer> counts = new EnumMap<>(EventType.class);
        for (LifecycleEvent e : events.events()) {
            counts.merge(e.type(), 1, Integer::sum);
        }
        System.out.println("events recorded: " + counts);
        long forkedDuringKill = events.events(e -> e.type() == EventType.FORK && e.nanoTime() >= t0).size();
        System.out.printf("LWPs forked in all: %d (the tree of %d, plus late forks; %d of them while the kill ran)%n",
                events.events(EventType.FORK).size(), expected, forkedDuringKill);
        System.out.printf("plugin threads still alive: %d of %d; LWPs left in the kernel: %d (init only)%n", alive,
                pluginThreads.size(), kernel.lwpCount());
        System.out.printf("bystander host thread interrupted: %s%n", bystanderInterrupted[0]);
        boolean ok = terminated && alive == 0 && kernel.lwpCount() == 1 && !bystanderInterrupted[0];
        System.out.println(ok ? "RESULT: the plugin tree is gone; nothing escaped; the host was not disturbed"
                : "RESULT: FAILED");
        if (!ok) {
            System.exit(1);
        }
    }

    /** One LWP of the plugin: fork children, then keep working (and forking) until killed. */
    private static void plugin(Kernel kernel, int depth, CountDownLatch built, Queue<Thread> threads) {
        long me = kernel.getpid();
        if (depth == 2) {
            kernel.setpgid(0, 0); // a plugin that organises itself into groups
        }
        if (depth == 3) {
            // A TERM handler that forks: a kill's passes skip what it forks after the signal.
            kernel.sigaction(Signal.TERM, SignalAction.handle(sig -> { }));
        }
        if (depth < DEPTH) {
            for (int i = 0; i < FAN_OUT; i++) {
                ForkOptions opts = ForkOptions.virtualThreadsAvailable() && (me + i) % 2 == 0
                        ? ForkOptions.virtual() : ForkOptions.platform();
                LwpHandle h = kernel.fork(opts, () -> plugin(kernel, depth + 1, built, threads));
                threads.add(h.thread());
            }
        }
        built.countDown();
        List<Thread> late = new ArrayList<>();
        while (true) {
            kernel.checkSignals(); // a kill point: throws once the LWP is killed
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                continue; // plugins swallow interrupts; the check point does not let them escape
            }
            if (depth == DEPTH && late.size() < 2) {
                late.add(kernel.fork(() -> idle(kernel)).thread()); // keeps forking as the kill runs
                threads.add(late.get(late.size() - 1));
            }
        }
    }

    private static void idle(Kernel kernel) {
        while (true) {
            kernel.checkSignals();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                // swallowed on purpose
            }
        }
    }

    private static void printTree(List<LwpInfo> ps, long rootPid) {
        Map<Long, List<LwpInfo>> children = new HashMap<>();
        LwpInfo root = null;
        for (LwpInfo p : ps) {
            children.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(p);
            if (p.pid() == rootPid) {
                root = p;
            }
        }
        print(root, children, "", true, true);
    }

    private static void print(LwpInfo p, Map<Long, List<LwpInfo>> children, String indent, boolean last, boolean top) {
        System.out.printf("%s%s%d  ppid=%d pgid=%d sid=%d %s%s threads=%d%n", indent, top ? "" : last ? "└─ " : "├─ ",
                p.pid(), p.ppid(), p.pgid(), p.sid(), p.state(), p.reaper() ? " reaper" : "", p.threads());
        List<LwpInfo> kids = children.getOrDefault(p.pid(), List.of());
        for (int i = 0; i < kids.size(); i++) {
            print(kids.get(i), children, indent + (top ? "" : last ? "   " : "│  "), i == kids.size() - 1, false);
        }
    }
}
