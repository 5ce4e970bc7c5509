package io.jreap.agent.scenario;

import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * A host that makes the JDK print a warning of its own: on JDK 24+ the first
 * {@code sun.misc.Unsafe} memory-access call (through reflection), on older JDKs
 * {@code System.setSecurityManager}. The agent must not hide it.
 */
public final class HostWarning {
    private HostWarning() {
    }

    /** A field whose offset the host asks for. */
    long value;

    public static void main(String[] args) throws Exception {
        if (Runtime.version().feature() >= 24) {
            Class<?> u = Class.forName("sun.misc.Unsafe");
            Field f = u.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            Object unsafe = f.get(null);
            Method offset = u.getMethod("objectFieldOffset", Field.class);
            long o = (long) offset.invoke(unsafe, HostWarning.class.getDeclaredField("value"));
            System.out.println("offset " + (o > 0 ? "found" : o));
        } else {
            setSecurityManager(new SecurityManager() {
                @Override
                public void checkPermission(java.security.Permission p) {
                    // allow everything
                }
            });
            setSecurityManager(null);
            System.out.println("security manager set and removed");
        }
        Checks.done();
    }

    @SuppressWarnings("removal")
    private static void setSecurityManager(SecurityManager sm) {
        System.setSecurityManager(sm);
    }
}
