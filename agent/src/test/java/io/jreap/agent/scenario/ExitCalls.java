package io.jreap.agent.scenario;

import static io.jreap.agent.scenario.Checks.check;
import static io.jreap.agent.scenario.Checks.equal;
import static io.jreap.agent.scenario.Checks.run;

import io.jreap.event.EventType;
import io.jreap.event.LifecycleEvent;
import io.jreap.event.RecordingEventSink;
import io.jreap.kernel.ForkOptions;
import io.jreap.kernel.Kernel;
import io.jreap.kernel.LwpHandle;
import io.jreap.kernel.Sandbox;
import io.jreap.proc.ExitStatus;
import io.jreap.proc.LwpKilledError;
import io.jreap.proc.LwpState;
import io.jreap.proc.Signal;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code System.exit} and {@code Runtime.halt}. Mode {@code lwp} (the agent's default): from an
 * LWP they end that LWP, with the code as its exit status, and nothing else. Mode
 * {@code sandbox} (agent option {@code exit=sandbox}): they end every LWP of the caller's sandbox.
 * Modes {@code host-exit} and {@code host-halt}: from the host they end the JVM, with the code.
 */
public final class ExitCalls {
    private ExitCalls() {
    }

    static final Kernel K = Kernel.global();
    static final RecordingEventSink EVENTS = new RecordingEventSink();

    public static void main(String[] args) throws Exception {
        K.setEventSink(EVENTS);
        switch (args[0]) {
            case "lwp" -> lwp();
            case "sandbox" -> sandbox();
            case "host-exit", "host-halt" -> host(args[0].equals("host-halt"));
            default -> throw new IllegalArgumentException(args[0]);
        }
        Checks.done();
    }

    /** What one exiting thread saw. */
    static final class Exiter {
        final AtomicLong pid = new AtomicLong();
        final AtomicReference<Throwable> thrown = new AtomicReference<>();
        final AtomicBoolean after = new AtomicBoolean();
        final AtomicBoolean finallyRan = new AtomicBoolean();

        Runnable body(Runnable exitCall) {
            return () -> {
                pid.set(K.getpid());
                try {
                    exitCall.run();
                    after.set(true);
                } catch (Throwable t) {
                    thrown.set(t);
                    throw t;
                } finally {
                    finallyRan.set(true);
                }
            };
        }

        void expect(String name, int code, String call, String ends) {
            check(name + ": the call threw LwpKilledError", thrown.get() instanceof LwpKilledError, thrown.get());
            check(name + ": its message says what it ended", thrown.get() != null && String.valueOf(
                    thrown.get().getMessage()).endsWith(call + "(" + code + ") ends " + ends + ", not the JVM"),
                    thrown.get() == null ? null : thrown.get().getMessage());
            check(name + ": no code after the call ran, finally blocks did", !after.get() && finallyRan.get(),
                    "after " + after + " finally " + finallyRan);
        }
    }

    static void lwp() throws Exception {
        Sandbox sb = K.newSandbox("exits", 100);
        CountDownLatch stopSibling = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        Exiter exit = new Exiter();
        Exiter halt = new Exiter();
        Exiter virtual = new Exiter();
        Exiter twoThreads = new Exiter();
        AtomicBoolean otherThreadEnded = new AtomicBoolean();
        AtomicReference<LwpState> siblingState = new AtomicReference<>();
        AtomicReference<Kernel.WaitResult> siblingExit = new AtomicReference<>();
        AtomicReference<Kernel.WaitResult> exitStatus = new AtomicReference<>();
        AtomicReference<Kernel.WaitResult> haltStatus = new AtomicReference<>();
        AtomicReference<Kernel.WaitResult> virtualStatus = new AtomicReference<>();
        AtomicReference<Kernel.WaitResult> twoThreadsStatus = new AtomicReference<>();
        AtomicLong parentPid = new AtomicLong();
        sb.spawn(() -> {
            try {
                parentPid.set(K.getpid());
                K.setKeepsZombies(true);
                LwpHandle sibling = K.fork(() -> {
                    try {
                        stopSibling.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                // Through Kernel.fork.
                LwpHandle e = K.fork(exit.body(() -> System.exit(3)));
                exitStatus.set(K.waitpid(e.pid(), false));
                // Through a plain Thread.start (a fork by the agent).
                Thread h = new Thread(halt.body(() -> Runtime.getRuntime().halt(4)));
                h.start();
                h.join();
                haltStatus.set(K.waitpid(halt.pid.get(), false));
                if (Jdk21.available()) {
                    Thread v = Jdk21.startVirtualThread(virtual.body(() -> System.exit(5)));
                    v.join();
                    virtualStatus.set(K.waitpid(virtual.pid.get(), false));
                }
                // An LWP with a second thread: exit ends both.
                LwpHandle two = K.fork(twoThreads.body(() -> {
                    CountDownLatch up = new CountDownLatch(1);
                    K.addThread(ForkOptions.platform(), () -> {
                        up.countDown();
                        try {
                            Thread.sleep(600_000);
                        } catch (InterruptedException ex) {
                            otherThreadEnded.set(true);
                        }
                    });
                    try {
                        up.await();
                    } catch (InterruptedException ex) {
                        throw new IllegalStateException(ex);
                    }
                    System.exit(6);
                }));
                twoThreadsStatus.set(K.waitpid(two.pid(), false));
                siblingState.set(K.state(sibling.pid()));
                stopSibling.countDown();
                siblingExit.set(K.waitpid(sibling.pid(), false));
            } catch (Throwable t) {
                check("parent", false, t);
            } finally {
                finished.countDown();
            }
        });
        check("parent finished", finished.await(60, TimeUnit.SECONDS), "timed out");

        equal("System.exit(3) ended its LWP with status 3", new ExitStatus(3, null), exitStatus.get().status());
        exit.expect("System.exit(3)", 3, "System.exit", "the LWP");
        equal("Runtime.halt(4) ended its LWP with status 4", new ExitStatus(4, null), haltStatus.get().status());
        halt.expect("Runtime.halt(4)", 4, "Runtime.halt", "the LWP");
        if (Jdk21.available()) {
            equal("System.exit(5) in a virtual thread ended its LWP with status 5", new ExitStatus(5, null),
                    virtualStatus.get().status());
            virtual.expect("System.exit(5) (virtual)", 5, "System.exit", "the LWP");
        } else {
            Checks.skip("System.exit in a virtual thread", "JDK " + Checks.feature() + " has none");
        }
        equal("System.exit(6) ended its two-thread LWP with status 6", new ExitStatus(6, null),
                twoThreadsStatus.get().status());
        check("the LWP's other thread ended too", otherThreadEnded.get(), "still sleeping");
        equal("the sibling LWP kept running", LwpState.RUNNING, siblingState.get());
        equal("the sibling then exited normally", ExitStatus.CLEAN, siblingExit.get().status());
        check("the sandbox's parent LWP lived on", parentPid.get() > sb.pid(), parentPid);

        List<LifecycleEvent> calls = EVENTS.events(EventType.EXIT_CALL);
        List<String> seen = calls.stream().map(c -> c.pid() + ":" + c.status() + ":" + c.detail()).toList();
        List<String> expected = new java.util.ArrayList<>(List.of(exit.pid + ":3:exit lwp", halt.pid + ":4:halt lwp"));
        if (Jdk21.available()) {
            expected.add(virtual.pid + ":5:exit lwp");
        }
        expected.add(twoThreads.pid + ":6:exit lwp");
        equal("one EXIT_CALL event per call (pid:status:detail)", expected, seen);
        check("sandbox terminates", sb.awaitTermination(Duration.ofSeconds(30)), K.ps());
        sb.close();
        System.out.println("the JVM is still running");
    }

    static void sandbox() throws Exception {
        Sandbox bystander = K.newSandbox("bystander", 10);
        AtomicLong bystanderPid = new AtomicLong();
        CountDownLatch bystanderUp = new CountDownLatch(1);
        bystander.spawn(() -> {
            bystanderPid.set(K.getpid());
            bystanderUp.countDown();
            try {
                Thread.sleep(600_000);
            } catch (InterruptedException e) {
                // closed at the end
            }
        });
        bystanderUp.await();
        wholeSandbox("System.exit(9)", 9, "exit sandbox", () -> System.exit(9));
        wholeSandbox("Runtime.halt(11)", 11, "halt sandbox", () -> Runtime.getRuntime().halt(11));
        equal("an LWP of another sandbox kept running", LwpState.RUNNING, K.state(bystanderPid.get()));
        bystander.close();
        System.out.println("the JVM is still running");
    }

    /** A plugin with two sleeping children; a third child makes the call; everything of that sandbox ends. */
    static void wholeSandbox(String name, int code, String detail, Runnable call) throws Exception {
        Sandbox sb = K.newSandbox(name, 100);
        EVENTS.clear();
        AtomicLong plugin = new AtomicLong();
        AtomicLong caller = new AtomicLong();
        CountDownLatch up = new CountDownLatch(2);
        sb.spawn(() -> {
            plugin.set(K.getpid());
            for (int i = 0; i < 2; i++) {
                new Thread(() -> {
                    up.countDown();
                    try {
                        Thread.sleep(600_000);
                    } catch (InterruptedException e) {
                        // the sandbox's end
                    }
                }).start();
            }
            try {
                up.await();
                new Thread(() -> {
                    caller.set(K.getpid());
                    call.run();
                }).start();
                Thread.sleep(600_000);
            } catch (InterruptedException e) {
                // the sandbox's end
            }
        });
        check(name + ": the whole sandbox ended", sb.awaitTermination(Duration.ofSeconds(30)), K.ps());
        List<LifecycleEvent> exits = EVENTS.events(EventType.EXIT);
        check(name + ": four LWPs exited (plugin, two sleepers, the caller)", exits.size() == 4, exits);
        for (LifecycleEvent e : exits) {
            if (e.pid() == caller.get()) {
                check(name + ": the caller's status is its code", e.status() == code && e.signal() == 0, e);
            } else {
                check(name + ": the others were killed (SIGKILL)", e.signal() == Signal.KILL.number(), e);
            }
        }
        List<LifecycleEvent> calls = EVENTS.events(EventType.EXIT_CALL);
        check(name + ": one EXIT_CALL event", calls.size() == 1 && calls.get(0).pid() == caller.get()
                && calls.get(0).status() == code && detail.equals(calls.get(0).detail()), calls);
        sb.close();
    }

    static void host(boolean halt) throws Exception {
        Sandbox sb = K.newSandbox("running", 10);
        CountDownLatch up = new CountDownLatch(1);
        sb.spawn(() -> {
            up.countDown();
            try {
                Thread.sleep(600_000);
            } catch (InterruptedException e) {
                // never: the JVM ends
            }
        });
        up.await();
        System.out.println(halt ? "HALTING" : "EXITING");
        System.out.flush();
        if (halt) {
            Runtime.getRuntime().halt(8);
        } else {
            System.exit(7);
        }
        System.out.println("NOT REACHED");
    }
}
