package io.jreap.agent.launch;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * The agent jar's entry points as the JVM first sees them. Compiled for Java 8 (class file 52),
 * so that an older JVM gets one clear line instead of an {@code UnsupportedClassVersionError}
 * for the real agent; on JDK 17+ it hands over to {@code io.jreap.agent.JreapAgent}.
 */
public final class AgentLauncher {
    private AgentLauncher() {
    }

    public static void premain(String args, Instrumentation inst) throws Throwable {
        if (supported(false)) {
            call("premain", args, inst);
        }
    }

    public static void agentmain(String args, Instrumentation inst) throws Throwable {
        if (supported(true)) {
            call("agentmain", args, inst);
        }
    }

    public static void main(String[] args) throws Throwable {
        if (supported(false)) {
            Method m = Class.forName("io.jreap.agent.JreapAgent").getMethod("main", String[].class);
            invoke(m, new Object[] {args});
        }
    }

    /** The JDK's feature number, from {@code java.specification.version} ("1.8", "11", "17"). */
    static int feature(String spec) {
        String s = spec.startsWith("1.") ? spec.substring(2) : spec;
        int dot = s.indexOf('.');
        return Integer.parseInt(dot < 0 ? s : s.substring(0, dot));
    }

    private static boolean supported(boolean dynamic) {
        String spec = System.getProperty("java.specification.version", "0");
        int feature;
        try {
            feature = feature(spec);
        } catch (NumberFormatException e) {
            return true; // an unusual version string: let the real agent decide
        }
        if (feature >= 17) {
            return true;
        }
        String line = "jreap: JDK " + spec + " is not supported; run the JVM on JDK 17 or newer "
                + "(the agent needs JDK 17+)";
        if (dynamic) {
            throw new IllegalStateException(line);
        }
        System.err.println(line);
        System.err.flush();
        Runtime.getRuntime().halt(1);
        return false;
    }

    private static void call(String name, String args, Instrumentation inst) throws Throwable {
        Method m = Class.forName("io.jreap.agent.JreapAgent").getMethod(name, String.class, Instrumentation.class);
        invoke(m, args, inst);
    }

    private static void invoke(Method m, Object... args) throws Throwable {
        try {
            m.invoke(null, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
