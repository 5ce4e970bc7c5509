package io.jreap.agent.instrument;

import org.objectweb.asm.tree.MethodNode;

/**
 * One instrumented JDK method (or family of constructors): where it is and what goes into it.
 * Each implementation is one small class, as in the OpenTelemetry agent's layout.
 */
abstract class Advice {
    /** Internal name of the JDK class, e.g. {@code java/lang/Thread}. */
    final String owner;
    final String method;
    /** The method descriptor, or null for every method of that name (constructors). */
    final String desc;

    Advice(String owner, String method, String desc) {
        this.owner = owner;
        this.method = method;
        this.desc = desc;
    }

    boolean matches(MethodNode m) {
        return m.name.equals(method) && (desc == null || m.desc.equals(desc)) && accepts(m);
    }

    /** A further filter for name-only matches. */
    boolean accepts(MethodNode m) {
        return true;
    }

    /** Whether the whole method (instructions read) has the shape this advice expects; else it is left alone. */
    boolean fits(MethodNode m) {
        return true;
    }

    abstract void apply(MethodNode m);

    /** Whether this JDK must have the method (else its absence is an instrumentation failure). */
    boolean required(JdkFeatures jdk) {
        return true;
    }

    /** How the method is named in messages: {@code java.lang.Thread.start()V}. */
    String id() {
        return owner.replace('/', '.') + "." + method + (desc == null ? "" : desc);
    }
}
