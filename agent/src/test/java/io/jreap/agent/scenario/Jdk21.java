package io.jreap.agent.scenario;

import java.lang.reflect.Method;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;

/** JDK 21+ thread APIs, by reflection: the tests compile for release 17 and run on 17 and 25. */
public final class Jdk21 {
    private Jdk21() {
    }

    public static boolean available() {
        return Runtime.version().feature() >= 21;
    }

    private static Object call(Object target, String name, Class<?>[] types, Object... args) {
        try {
            Class<?> c = target instanceof Class<?> k ? k : target.getClass();
            Method m = findPublic(c, name, types);
            return m.invoke(target instanceof Class<?> ? null : target, args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw sneaky(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The method as declared on a public type (the builder classes themselves are not public). */
    private static Method findPublic(Class<?> c, String name, Class<?>[] types) throws NoSuchMethodException {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            for (Class<?> i : k.getInterfaces()) {
                try {
                    return i.getMethod(name, types);
                } catch (NoSuchMethodException ignored) {
                    // try the next
                }
            }
            if (java.lang.reflect.Modifier.isPublic(k.getModifiers())) {
                try {
                    return k.getMethod(name, types);
                } catch (NoSuchMethodException ignored) {
                    // try the superclass
                }
            }
        }
        throw new NoSuchMethodException(c + "." + name);
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> RuntimeException sneaky(Throwable e) throws E {
        throw (E) e;
    }

    public static Object ofPlatform() {
        return call(Thread.class, "ofPlatform", new Class<?>[0]);
    }

    public static Object ofVirtual() {
        return call(Thread.class, "ofVirtual", new Class<?>[0]);
    }

    public static Thread builderStart(Object builder, Runnable r) {
        return (Thread) call(builder, "start", new Class<?>[] {Runnable.class}, r);
    }

    public static Thread builderUnstarted(Object builder, Runnable r) {
        return (Thread) call(builder, "unstarted", new Class<?>[] {Runnable.class}, r);
    }

    public static ThreadFactory builderFactory(Object builder) {
        return (ThreadFactory) call(builder, "factory", new Class<?>[0]);
    }

    public static Thread startVirtualThread(Runnable r) {
        return (Thread) call(Thread.class, "startVirtualThread", new Class<?>[] {Runnable.class}, r);
    }

    public static boolean isVirtual(Thread t) {
        return available() && (boolean) call(t, "isVirtual", new Class<?>[0]);
    }

    public static ExecutorService newVirtualThreadPerTaskExecutor() {
        return (ExecutorService) call(Executors.class, "newVirtualThreadPerTaskExecutor", new Class<?>[0]);
    }

    public static ExecutorService newThreadPerTaskExecutor(ThreadFactory f) {
        return (ExecutorService) call(Executors.class, "newThreadPerTaskExecutor", new Class<?>[] {ThreadFactory.class}, f);
    }

    /** {@code Thread.startVirtualThread} through a cached handle, for storms (no reflection per call). */
    public static Thread startVirtualFast(Runnable r) {
        try {
            return (Thread) Fast.START_VIRTUAL.invokeExact(r);
        } catch (Throwable e) {
            throw sneaky(e);
        }
    }

    /** One shared {@code Thread.ofVirtual().factory()} (factories are thread-safe). */
    public static ThreadFactory virtualFactory() {
        return Fast.VIRTUAL_FACTORY;
    }

    /** Lazily resolved, so that JDK 17 never touches them. */
    private static final class Fast {
        static final java.lang.invoke.MethodHandle START_VIRTUAL;
        static final ThreadFactory VIRTUAL_FACTORY = builderFactory(ofVirtual());

        static {
            try {
                START_VIRTUAL = java.lang.invoke.MethodHandles.publicLookup().findStatic(Thread.class,
                        "startVirtualThread", java.lang.invoke.MethodType.methodType(Thread.class, Runnable.class));
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    /** JDK 25's preview {@code StructuredTaskScope.open()}, fork each task, join, close. */
    public static void structuredScope(Callable<?>... tasks) throws Exception {
        Class<?> sts = Class.forName("java.util.concurrent.StructuredTaskScope");
        Object scope = call(sts, "open", new Class<?>[0]);
        try {
            for (Callable<?> t : tasks) {
                call(scope, "fork", new Class<?>[] {Callable.class}, t);
            }
            call(scope, "join", new Class<?>[0]);
        } finally {
            call(scope, "close", new Class<?>[0]);
        }
    }
}
