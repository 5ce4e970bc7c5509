package io.jreap.agent.scenario;

import static io.jreap.agent.scenario.Checks.check;
import static io.jreap.agent.scenario.Checks.equal;
import static io.jreap.agent.scenario.Checks.run;

import io.jreap.kernel.Kernel;
import io.jreap.kernel.Sandbox;
import java.lang.invoke.MethodHandles;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.implementation.FixedValue;
import net.bytebuddy.implementation.MethodDelegation;
import net.bytebuddy.implementation.bind.annotation.Argument;
import net.bytebuddy.matcher.ElementMatchers;

/**
 * A host that bundles its own Byte Buddy (on its class path, a version the agent knows nothing
 * of) and uses it as such hosts do: subclasses made and loaded at run time, methods intercepted.
 * The agent (which uses no Byte Buddy and relocates its ASM) must change nothing of that; and code
 * generated that way runs in a sandbox like any other.
 */
public final class ByteBuddyHost {
    private ByteBuddyHost() {
    }

    /** The class the host subclasses. */
    public static class Greeter {
        public String greet(String name) {
            return "hello " + name;
        }

        public String kind() {
            return "plain";
        }
    }

    /** Where the intercepted calls go. */
    public static final class Shout {
        private Shout() {
        }

        public static String greet(@Argument(0) String name) {
            return "HELLO " + name.toUpperCase(java.util.Locale.ROOT);
        }
    }

    static final Kernel K = Kernel.global();
    static final AtomicLong PLUGIN = new AtomicLong();
    static final AtomicLong CHILD = new AtomicLong();
    static final AtomicLong CHILD_PARENT = new AtomicLong();
    static final CountDownLatch DONE = new CountDownLatch(1);

    /** The body of a generated {@code Runnable}: starts a thread and waits for it. */
    public static final class StartsAThread {
        private StartsAThread() {
        }

        public static void run() throws InterruptedException {
            PLUGIN.set(K.getpid());
            Thread t = new Thread(() -> {
                CHILD.set(K.getpid());
                CHILD_PARENT.set(K.getppid());
            });
            t.start();
            t.join();
            DONE.countDown();
        }
    }

    public static void main(String[] args) throws Exception {
        check("Byte Buddy comes from the host's own jar",
                String.valueOf(ByteBuddy.class.getProtectionDomain().getCodeSource().getLocation())
                        .endsWith("byte-buddy-1.18.17.jar"),
                ByteBuddy.class.getProtectionDomain().getCodeSource());

        run("subclass in a new class loader, methods intercepted", () -> {
            Class<? extends Greeter> c = new ByteBuddy()
                    .subclass(Greeter.class)
                    .method(ElementMatchers.named("greet")).intercept(MethodDelegation.to(Shout.class))
                    .method(ElementMatchers.named("kind")).intercept(FixedValue.value("generated"))
                    .make()
                    .load(ByteBuddyHost.class.getClassLoader(), ClassLoadingStrategy.Default.WRAPPER)
                    .getLoaded();
            Greeter g = c.getDeclaredConstructor().newInstance();
            equal("intercepted greet", "HELLO WORLD", g.greet("world"));
            equal("fixed value", "generated", g.kind());
            check("loaded by Byte Buddy's own loader", c.getClassLoader() != ByteBuddyHost.class.getClassLoader()
                    && c.getClassLoader().getClass().getName().startsWith("net.bytebuddy."), c.getClassLoader());
        });

        run("subclass defined through a lookup, in the host's loader", () -> {
            Class<? extends Greeter> c = new ByteBuddy()
                    .subclass(Greeter.class)
                    .method(ElementMatchers.named("greet")).intercept(MethodDelegation.to(Shout.class))
                    .make()
                    .load(Greeter.class.getClassLoader(), ClassLoadingStrategy.UsingLookup.of(
                            MethodHandles.privateLookupIn(Greeter.class, MethodHandles.lookup())))
                    .getLoaded();
            equal("intercepted greet (lookup)", "HELLO JREAP", c.getDeclaredConstructor().newInstance().greet("jreap"));
            check("in the host's loader", c.getClassLoader() == ByteBuddyHost.class.getClassLoader(), c.getClassLoader());
        });

        run("generated code that starts a thread, in a sandbox", () -> {
            Sandbox sb = K.newSandbox("byte-buddy", 100);
            Runnable starter = new ByteBuddy()
                    .subclass(Object.class)
                    .implement(Runnable.class)
                    .method(ElementMatchers.named("run")).intercept(MethodDelegation.to(StartsAThread.class))
                    .make()
                    .load(ByteBuddyHost.class.getClassLoader(), ClassLoadingStrategy.Default.WRAPPER)
                    .getLoaded().asSubclass(Runnable.class).getDeclaredConstructor().newInstance();
            sb.spawn(starter);
            check("generated run() finished", DONE.await(30, TimeUnit.SECONDS), "timed out");
            check("generated code runs in the plugin's LWP", PLUGIN.get() > sb.pid(), PLUGIN);
            check("its Thread.start is a fork", CHILD.get() > PLUGIN.get() && CHILD_PARENT.get() == PLUGIN.get(),
                    "plugin " + PLUGIN + " child " + CHILD + " child's parent " + CHILD_PARENT);
            sb.close();
        });
        Checks.done();
    }
}
