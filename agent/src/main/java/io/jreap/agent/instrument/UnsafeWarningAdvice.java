package io.jreap.agent.instrument;

import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FieldInsnNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.MethodNode;

/**
 * {@code sun.misc.Unsafe.beforeMemoryAccessSlow()} (JDK 24+), only when the event log is on: the
 * log's writer thread (Chronicle Queue) does not trigger the JVM's one-time warning about
 * {@code sun.misc.Unsafe} memory access; see {@code JdkHooks.skipUnsafeWarning}. Where the JDK has
 * no such method, or it does not read {@code MEMORY_ACCESS_OPTION}, nothing is changed (and the
 * warning may appear; docs/AGENT.md).
 */
final class UnsafeWarningAdvice extends Advice {
    static final String OPTION_FIELD = "MEMORY_ACCESS_OPTION";

    UnsafeWarningAdvice() {
        super("sun/misc/Unsafe", "beforeMemoryAccessSlow", "()V");
    }

    @Override
    boolean required(JdkFeatures jdk) {
        return false;
    }

    @Override
    boolean fits(MethodNode m) {
        return optionField(m) != null;
    }

    private static FieldInsnNode optionField(MethodNode m) {
        for (AbstractInsnNode i : m.instructions.toArray()) {
            if (i instanceof FieldInsnNode f && i.getOpcode() == Opcodes.GETSTATIC && f.owner.equals("sun/misc/Unsafe")
                    && f.name.equals(OPTION_FIELD)) {
                return f;
            }
        }
        return null;
    }

    @Override
    void apply(MethodNode m) {
        FieldInsnNode f = optionField(m);
        InsnList args = new InsnList();
        args.add(new FieldInsnNode(Opcodes.GETSTATIC, f.owner, f.name, f.desc));
        Bytecode.enterSkip(owner, m, args, Bytecode.hook("skipUnsafeWarning", "(Ljava/lang/Object;)Z"));
    }
}
