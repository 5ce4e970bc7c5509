package io.jreap.agent.log;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The class loader of the agent's event log and its libraries (event-log, Chronicle Queue,
 * JCTools, picocli, slf4j-nop), which the agent jar stores under {@value #PREFIX} with class
 * files renamed {@code *.classdata}: the application class loader, which has the agent jar on its
 * class path, sees none of them, so a host's own Chronicle, JCTools or slf4j (any version) never
 * meets ours, and ours never picks up the host's slf4j binding.
 *
 * <p>Its parent is the platform class loader (in the agent; see the other constructor): JDK modules, and the runtime the agent defined in the
 * bootstrap loader ({@code io.jreap.event}, {@code io.jreap.kernel}, {@code io.jreap.proc}), are
 * the very classes the rest of the JVM uses, never copies; the build leaves those packages out
 * of {@value #PREFIX}. Classes are defined lazily, on first use, from the jar the agent was loaded
 * from. Multi-Release entries ({@code PREFIX/META-INF/versions/N/...}) are honoured for the running
 * JDK, for classes and resources alike.
 *
 * <p>The loader's unnamed module is the one the agent opens JDK internals to (see
 * {@link ModuleAccess}); the host's unnamed module gets nothing.
 */
public final class IsolatedLoader extends ClassLoader {
    /** Where the isolated classes and resources are in the agent jar. */
    public static final String PREFIX = "jreap-log/";
    static final String CLASS_SUFFIX = ".classdata";
    private static final String VERSIONS = "META-INF/versions/";

    static {
        registerAsParallelCapable();
    }

    private final Path jarPath;
    private final JarFile jar;
    private final URL jarUrl;
    private final ProtectionDomain domain;
    /** The versions (newest first, up to the running JDK's) that have entries, then the base (0). */
    private final int[] versions;

    /** The agent's loader: the runtime comes from the bootstrap loader, through the platform loader. */
    public IsolatedLoader(Path agentJar) throws IOException {
        this(agentJar, ClassLoader.getPlatformClassLoader());
    }

    /**
     * A loader with another parent: {@code java -jar jreap-agent.jar replay} has no runtime in the
     * bootstrap loader, so its parent is the application loader, which reads the runtime from the jar.
     */
    public IsolatedLoader(Path agentJar, ClassLoader parent) throws IOException {
        super("jreap-log", parent);
        this.jarPath = agentJar;
        this.jar = new JarFile(agentJar.toFile());
        this.jarUrl = agentJar.toUri().toURL();
        this.domain = new ProtectionDomain(new CodeSource(jarUrl, (Certificate[]) null), null, this, null);
        this.versions = versionsFor(jar, Runtime.version().feature());
    }

    /** The versioned directories present (at most {@code feature}), newest first, then 0 for the base. */
    static int[] versionsFor(JarFile jar, int feature) {
        TreeSet<Integer> found = new TreeSet<>(Collections.reverseOrder());
        String root = PREFIX + VERSIONS;
        for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
            String n = e.nextElement().getName();
            if (n.startsWith(root)) {
                int slash = n.indexOf('/', root.length());
                if (slash > root.length()) {
                    try {
                        int v = Integer.parseInt(n.substring(root.length(), slash));
                        if (v >= 9 && v <= feature) {
                            found.add(v);
                        }
                    } catch (NumberFormatException ignored) {
                        // Not a version directory.
                    }
                }
            }
        }
        found.add(0);
        return found.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The jar entry for {@code path} (relative to {@link #PREFIX}) this JDK should use, or null. */
    private JarEntry entry(String path) {
        for (int v : versions) {
            JarEntry e = jar.getJarEntry(v == 0 ? PREFIX + path : PREFIX + VERSIONS + v + "/" + path);
            if (e != null) {
                return e;
            }
        }
        return null;
    }

    /** Resource names map to entries; {@code x/Y.class} is stored as {@code x/Y.classdata}. */
    private static String stored(String resource) {
        return resource.endsWith(".class")
                ? resource.substring(0, resource.length() - ".class".length()) + CLASS_SUFFIX
                : resource;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        JarEntry e = entry(name.replace('.', '/') + CLASS_SUFFIX);
        if (e == null) {
            throw new ClassNotFoundException(name);
        }
        byte[] b;
        try (InputStream in = jar.getInputStream(e)) {
            b = in.readAllBytes();
        } catch (IOException io) {
            throw new ClassNotFoundException(name + " (cannot read " + e.getName() + " from " + jarPath + ")", io);
        }
        int dot = name.lastIndexOf('.');
        if (dot > 0) {
            String pkg = name.substring(0, dot);
            if (getDefinedPackage(pkg) == null) {
                try {
                    definePackage(pkg, null, null, null, null, null, null, null);
                } catch (IllegalArgumentException raced) {
                    // Another thread defined it.
                }
            }
        }
        return defineClass(name, b, 0, b.length, domain);
    }

    @Override
    protected URL findResource(String name) {
        JarEntry e = entry(stored(name));
        if (e == null) {
            return null;
        }
        try {
            return new URL("jar:" + jarUrl + "!/" + e.getName());
        } catch (MalformedURLException m) {
            throw new UncheckedIOException(m);
        }
    }

    @Override
    protected Enumeration<URL> findResources(String name) {
        URL u = findResource(name);
        return u == null ? Collections.emptyEnumeration() : Collections.enumeration(java.util.List.of(u));
    }

    @Override
    public String toString() {
        return "jreap-log loader (" + jarPath.getFileName() + "!/" + PREFIX + ")";
    }
}
