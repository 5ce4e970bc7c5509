package io.jreap.kernel;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ThreadFactory;

/**
 * How a fork makes its thread: platform (the default) or virtual, with an optional name and daemon
 * flag. Immutable; the {@code with*} methods return new options.
 */
public final class ForkOptions {
    private static final ThreadFactory VIRTUAL_FACTORY = virtualFactory();
    private static final MethodHandle IS_VIRTUAL = isVirtualHandle();

    private static final ForkOptions PLATFORM = new ForkOptions(false, null, false);
    private static final ForkOptions VIRTUAL = new ForkOptions(true, null, false);

    private final boolean virtual;
    private final String name;
    private final boolean daemon;

    private ForkOptions(boolean virtual, String name, boolean daemon) {
        this.virtual = virtual;
        this.name = name;
        this.daemon = daemon;
    }

    /** A platform thread, not a daemon, with the JVM's default name. */
    public static ForkOptions platform() {
        return PLATFORM;
    }

    /**
     * A virtual thread.
     *
     * @throws UnsupportedOperationException on a JDK without virtual threads (before 21)
     */
    public static ForkOptions virtual() {
        if (VIRTUAL_FACTORY == null) {
            throw new UnsupportedOperationException("virtual threads need JDK 21 or newer; this is JDK "
                    + Runtime.version().feature() + ": use ForkOptions.platform()");
        }
        return VIRTUAL;
    }

    /** Whether this JDK has virtual threads. */
    public static boolean virtualThreadsAvailable() {
        return VIRTUAL_FACTORY != null;
    }

    /** Whether {@code t} is a virtual thread (always false before JDK 21). */
    public static boolean isVirtual(Thread t) {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (boolean) IS_VIRTUAL.invokeExact(t);
        } catch (Throwable e) {
            return false;
        }
    }

    public ForkOptions withName(String name) {
        return new ForkOptions(virtual, name, daemon);
    }

    /** Ignored for virtual threads, which are always daemons. */
    public ForkOptions withDaemon(boolean daemon) {
        return new ForkOptions(virtual, name, daemon);
    }

    public boolean isVirtual() {
        return virtual;
    }

    Thread newThread(Runnable body) {
        Thread t;
        if (virtual) {
            t = VIRTUAL_FACTORY.newThread(body);
        } else {
            t = new Thread(body);
            if (daemon) {
                t.setDaemon(true);
            }
        }
        if (name != null) {
            t.setName(name);
        }
        return t;
    }

    private static ThreadFactory virtualFactory() {
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            Class<?> ofVirtual = Class.forName("java.lang.Thread$Builder");
            return (ThreadFactory) ofVirtual.getMethod("factory").invoke(builder);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static MethodHandle isVirtualHandle() {
        try {
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }
}
