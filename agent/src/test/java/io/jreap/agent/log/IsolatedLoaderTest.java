package io.jreap.agent.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader on a hand-made jar: prefix, renamed classes, Multi-Release entries, resources, parent. */
class IsolatedLoaderTest {
    @TempDir
    Path tmp;

    /** A jar with one class stored as jreap-log/.../*.classdata, a versioned resource and a plain one. */
    private Path jar() throws Exception {
        Path jar = tmp.resolve("agent.jar");
        String cls = Probe.class.getName().replace('.', '/');
        byte[] bytes;
        try (InputStream in = Probe.class.getResourceAsStream("/" + cls + ".class")) {
            bytes = in.readAllBytes();
        }
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            put(out, IsolatedLoader.PREFIX + cls + IsolatedLoader.CLASS_SUFFIX, bytes);
            put(out, IsolatedLoader.PREFIX + "r.txt", "base".getBytes());
            put(out, IsolatedLoader.PREFIX + "META-INF/versions/11/r.txt", "11".getBytes());
            put(out, IsolatedLoader.PREFIX + "META-INF/versions/9999/r.txt", "future".getBytes());
            put(out, IsolatedLoader.PREFIX + "only-base.txt", "b".getBytes());
        }
        return jar;
    }

    private static void put(JarOutputStream out, String name, byte[] b) throws Exception {
        out.putNextEntry(new JarEntry(name));
        out.write(b);
        out.closeEntry();
    }

    @Test
    void definesClassesFromTheRenamedEntriesInItsOwnUnnamedModule() throws Exception {
        IsolatedLoader l = new IsolatedLoader(jar(), ClassLoader.getPlatformClassLoader());
        Class<?> c = Class.forName(Probe.class.getName(), true, l);
        assertThat(c).isNotSameAs(Probe.class);
        assertThat(c.getClassLoader()).isSameAs(l);
        assertThat(c.getModule()).isSameAs(l.getUnnamedModule()).isNotSameAs(Probe.class.getModule());
        assertThat(c.getProtectionDomain().getCodeSource().getLocation().getPath()).endsWith("agent.jar");
        assertThat(c.getPackage().getName()).isEqualTo(Probe.class.getPackageName());
        // A class the application loader has, but the jar does not: not visible through the platform parent.
        assertThatThrownBy(() -> Class.forName(IsolatedLoaderTest.class.getName(), false, l))
                .isInstanceOf(ClassNotFoundException.class);
        // JDK classes come from the JDK.
        assertThat(Class.forName("java.sql.Connection", false, l).getClassLoader())
                .isSameAs(ClassLoader.getPlatformClassLoader());
    }

    @Test
    void resourcesHonourMultiReleaseEntriesUpToTheRunningJdk() throws Exception {
        IsolatedLoader l = new IsolatedLoader(jar(), ClassLoader.getPlatformClassLoader());
        try (InputStream in = l.getResourceAsStream("r.txt")) {
            assertThat(new String(in.readAllBytes())).isEqualTo("11"); // 9999 is newer than any JDK running this
        }
        try (InputStream in = l.getResourceAsStream("only-base.txt")) {
            assertThat(new String(in.readAllBytes())).isEqualTo("b");
        }
        String cls = Probe.class.getName().replace('.', '/') + ".class";
        try (InputStream in = l.getResourceAsStream(cls)) {
            assertThat(in).as("a class file is readable as a resource under its usual name").isNotNull();
        }
        assertThat(l.getResource("missing.txt")).isNull();
        assertThat(java.util.Collections.list(l.getResources("r.txt"))).hasSize(1);
    }

    @Test
    void versionsAreNewestFirstThenTheBase() throws Exception {
        try (JarFile j = new JarFile(jar().toFile())) {
            assertThat(IsolatedLoader.versionsFor(j, 17)).containsExactly(11, 0);
            assertThat(IsolatedLoader.versionsFor(j, 10)).containsExactly(0);
        }
    }

    /** Loaded again by the isolated loader. */
    public static final class Probe {
    }
}
