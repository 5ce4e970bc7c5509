package io.jreap.agent.log;

import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * {@code java -jar jreap-agent.jar replay ...}: runs event-log's {@code io.jreap.log.cli.ReplayCli}
 * in an {@link IsolatedLoader} over this jar.
 *
 * <p>This JVM is not an agent's host: the replay tool owns it. Chronicle's module access comes
 * from the jar's {@code Add-Exports}/{@code Add-Opens} manifest attributes (they apply to every
 * unnamed module when the jar is run with {@code java -jar}), and the isolated loader's parent is
 * the application loader, which has the runtime's {@code io.jreap.event} classes from this jar. On
 * JDK 24+, Chronicle's use of {@code sun.misc.Unsafe} would make the JVM print its one-time
 * warning; here, in the tool's own process, it is switched off ({@link #quietUnsafe}).
 */
public final class ReplayCommand {
    static final String CLI = "io.jreap.log.cli.ReplayCli";

    private ReplayCommand() {
    }

    public static int run(String[] args) throws Exception {
        return run(args, System.out, System.err, agentJar());
    }

    static int run(String[] args, PrintStream out, PrintStream err, Path jar) throws Exception {
        quietUnsafe();
        IsolatedLoader loader = new IsolatedLoader(jar, ClassLoader.getSystemClassLoader());
        Class<?> cli;
        try {
            cli = Class.forName(CLI, true, loader);
        } catch (ClassNotFoundException e) {
            err.println("jreap: this agent jar has no replay command (" + CLI + " is missing); build the jar from a "
                    + "tree that has event-log's replay command line");
            return 2;
        }
        Method run = cli.getMethod("run", String[].class, PrintStream.class, PrintStream.class);
        Thread self = Thread.currentThread();
        ClassLoader before = self.getContextClassLoader();
        self.setContextClassLoader(loader);
        try {
            return (Integer) run.invoke(null, args, out, err);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        } finally {
            self.setContextClassLoader(before);
        }
    }

    /**
     * JDK 24+: marks {@code sun.misc.Unsafe}'s one-time memory-access warning as given, so that
     * Chronicle does not print it. Needs {@code Add-Opens: jdk.unsupported/sun.misc} (the jar's
     * manifest); does nothing on a JDK without the warning, or if the field is not there.
     */
    static void quietUnsafe() {
        try {
            Field warned = Class.forName("sun.misc.Unsafe").getDeclaredField("memoryAccessWarned");
            warned.setAccessible(true);
            warned.setBoolean(null, true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // JDK 17-23, or a JDK that changed it: the warning may appear.
        }
    }

    static Path agentJar() throws URISyntaxException {
        return Path.of(ReplayCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
