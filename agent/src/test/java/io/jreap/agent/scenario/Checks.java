package io.jreap.agent.scenario;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a scenario prints for its integration test: {@code CHECK <name> ok} or
 * {@code CHECK <name> FAIL <detail>}, then {@code DONE}. A scenario keeps going after a failed
 * check, so one run reports every failure.
 */
public final class Checks {
    private static final AtomicInteger failures = new AtomicInteger();

    private Checks() {
    }

    public static void check(String name, boolean ok, Object detail) {
        if (ok) {
            System.out.println("CHECK " + name + " ok");
        } else {
            failures.incrementAndGet();
            System.out.println("CHECK " + name + " FAIL " + detail);
        }
    }

    public static void equal(String name, Object expected, Object actual) {
        check(name, java.util.Objects.equals(expected, actual), "expected " + expected + " but was " + actual);
    }

    public static void skip(String name, String why) {
        System.out.println("SKIP " + name + " " + why);
    }

    /** Runs a check body; an exception in it is a failed check, not a crashed scenario. */
    public static void run(String name, ThrowingRunnable body) {
        try {
            body.run();
        } catch (Throwable e) {
            check(name, false, "threw " + stackOf(e));
        }
    }

    /** A precondition inside a check body: failing it fails that check (see {@link #run}). */
    public static void must(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    /** A stack trace on one line, for a FAIL detail. */
    public static String stackOf(Throwable e) {
        if (e == null) {
            return "";
        }
        java.io.StringWriter w = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(w));
        return w.toString().replace('\n', '|');
    }

    public static void done() {
        System.out.println("DONE");
        System.out.flush();
    }

    public static int failures() {
        return failures.get();
    }

    public static int feature() {
        return Runtime.version().feature();
    }

    @FunctionalInterface
    public interface ThrowingRunnable {
        void run() throws Throwable;
    }
}
