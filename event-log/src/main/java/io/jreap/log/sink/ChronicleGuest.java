package io.jreap.log.sink;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Makes Chronicle behave as a guest in someone else's JVM: no analytics, no disk-space checker
 * thread, no background releaser thread, no {@code ${java.io.tmpdir}/target} directory.
 *
 * <p>Chronicle reads these settings from system properties once, when its classes initialise. We
 * set them only around that initialisation and then restore what the host had, so the host's
 * properties are as they were.
 */
final class ChronicleGuest {
    private static boolean prepared;

    private ChronicleGuest() {
    }

    /** Called on the writer thread before the first Chronicle use. */
    static synchronized void prepare() {
        if (prepared) {
            return;
        }
        Map<String, String> set = new LinkedHashMap<>();
        set.put("chronicle.analytics.disable", "true");
        set.put("chronicle.announcer.disable", "true");
        set.put("chronicle.disk.monitor.disable", "true");
        set.put("background.releaser", "false");
        // chronicle-core's OS looks for a Maven "target" directory and otherwise creates one in
        // java.io.tmpdir; given project.build.directory it uses that and creates "tmp" in it.
        set.put("project.build.directory", buildDirectory());
        set.put("disable.single.threaded.check", "true");
        Map<String, String> saved = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : set.entrySet()) {
            saved.put(e.getKey(), System.getProperty(e.getKey()));
            if (saved.get(e.getKey()) == null) {
                System.setProperty(e.getKey(), e.getValue());
            }
        }
        try {
            initialise("net.openhft.chronicle.core.Jvm");
            initialise("net.openhft.chronicle.core.OS");
            initialise("net.openhft.chronicle.core.io.BackgroundResourceReleaser");
            initialise("net.openhft.chronicle.threads.DiskSpaceMonitor");
            initialise("net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder");
        } finally {
            for (Map.Entry<String, String> e : saved.entrySet()) {
                if (e.getValue() == null) {
                    System.clearProperty(e.getKey());
                }
            }
            prepared = true;
        }
    }

    /**
     * A directory whose {@code tmp} exists already, so that Chronicle creates nothing: the parent
     * of {@code java.io.tmpdir} when that is named {@code tmp} (as {@code /tmp} is). Otherwise the
     * temporary directory itself, in which Chronicle then creates {@code tmp}.
     */
    static String buildDirectory() {
        File tmp = new File(System.getProperty("java.io.tmpdir", ".")).getAbsoluteFile();
        File parent = tmp.getParentFile();
        if (tmp.getName().equals("tmp") && tmp.isDirectory() && parent != null) {
            return parent.getPath();
        }
        return tmp.getPath();
    }

    /** Called when a writer stops: Chronicle keeps no thread of its own running after it. */
    static void release() {
        try {
            net.openhft.chronicle.core.io.BackgroundResourceReleaser.releasePendingResources();
        } catch (Throwable ignored) {
            // Nothing to release.
        }
    }

    private static void initialise(String name) {
        try {
            Class.forName(name, true, ChronicleGuest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("Chronicle class " + name + " is missing from the event log's class path", e);
        }
    }
}
