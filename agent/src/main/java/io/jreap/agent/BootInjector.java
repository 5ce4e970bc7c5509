package io.jreap.agent;

import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Defines the sandbox runtime ({@code io.jreap.kernel}, {@code io.jreap.proc},
 * {@code io.jreap.event}) in the bootstrap class loader, from this jar, before anything uses it.
 * Instrumented JDK code can then call it, and the host's own calls to the {@code Sandbox} API
 * reach the same classes (the application loader delegates to the bootstrap loader first), so
 * there is one copy. Unlike {@code appendToBootstrapClassLoaderSearch}, defining classes does not
 * make HotSpot print its class-data-sharing warning (reference: the spike's boot=lookup run).
 *
 * <p>Uses {@code jdk.internal.misc.Unsafe.defineClass} with a null loader, after exporting
 * {@code jdk.internal.misc} to this agent with {@code Instrumentation.redefineModule}: no flag
 * from the user, and no {@code sun.misc.Unsafe} warning.
 */
final class BootInjector {
    private static final String RUNTIME_PREFIX = "io/jreap/";
    private static final String AGENT_PREFIX = "io/jreap/agent/";

    private BootInjector() {
    }

    /** Whether the runtime is already in the bootstrap loader (a second attach). */
    static boolean alreadyDefined() {
        try {
            Class.forName("io.jreap.kernel.Kernel", false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** The runtime classes loaded by some other loader (a host that has the runtime jar), if any. */
    static List<String> loadedElsewhere(Instrumentation inst) {
        List<String> out = new ArrayList<>();
        for (Class<?> c : inst.getAllLoadedClasses()) {
            String n = c.getName();
            if (n.startsWith("io.jreap.") && !n.startsWith("io.jreap.agent.") && c.getClassLoader() != null) {
                out.add(n + " (" + c.getClassLoader() + ")");
            }
        }
        return out;
    }

    static int defineRuntime(Instrumentation inst) throws Exception {
        Module base = Object.class.getModule();
        inst.redefineModule(base, Set.of(), Map.of("jdk.internal.misc", Set.of(BootInjector.class.getModule())),
                Map.of(), Set.of(), Map.of());
        Class<?> unsafeClass = Class.forName("jdk.internal.misc.Unsafe");
        Object unsafe = unsafeClass.getMethod("getUnsafe").invoke(null);
        Method define = unsafeClass.getMethod("defineClass", String.class, byte[].class, int.class, int.class,
                ClassLoader.class, ProtectionDomain.class);
        Map<String, byte[]> classes = readRuntimeClasses();
        if (classes.isEmpty()) {
            throw new IllegalStateException("the agent jar " + agentJar() + " holds no io.jreap runtime classes; "
                    + "use the jreap-agent.jar the build produced (agent/target/jreap-agent.jar)");
        }
        // Supertypes first: defining a class resolves its superclass and interfaces in the same
        // loader. Rather than parse every class file for them, define in rounds and retry the
        // ones whose supertype was not defined yet (a failed define leaves nothing behind).
        List<String> todo = new ArrayList<>(classes.keySet());
        int defined = 0;
        while (!todo.isEmpty()) {
            List<String> again = new ArrayList<>();
            NoClassDefFoundError last = null;
            for (String name : todo) {
                byte[] b = classes.get(name);
                try {
                    define.invoke(unsafe, name.replace('/', '.'), b, 0, b.length, null, null);
                    defined++;
                } catch (java.lang.reflect.InvocationTargetException e) {
                    if (!(e.getCause() instanceof NoClassDefFoundError missing)) {
                        throw e;
                    }
                    last = missing;
                    again.add(name);
                }
            }
            if (again.size() == todo.size()) {
                throw new IllegalStateException("cannot define the runtime in the bootstrap loader: " + last);
            }
            todo = again;
        }
        return defined;
    }

    private static Map<String, byte[]> readRuntimeClasses() throws IOException, URISyntaxException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (JarFile jar = new JarFile(agentJar().toFile())) {
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                String n = e.getName();
                if (n.startsWith(RUNTIME_PREFIX) && !n.startsWith(AGENT_PREFIX) && n.endsWith(".class")) {
                    try (InputStream in = jar.getInputStream(e)) {
                        out.put(n.substring(0, n.length() - ".class".length()), in.readAllBytes());
                    }
                }
            }
        }
        return out;
    }

    static Path agentJar() throws URISyntaxException {
        return Path.of(BootInjector.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
