package io.jreap.agent.instrument;

import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.VarInsnNode;

/**
 * {@code Runtime.exit(int)} (which {@code System.exit} calls) and {@code Runtime.halt(int)}: from an
 * LWP they end the LWP (or its sandbox) and throw in the caller instead of ending the JVM.
 */
final class RuntimeExitAdvice extends Advice {
    private final boolean halt;

    RuntimeExitAdvice(boolean halt) {
        super("java/lang/Runtime", halt ? "halt" : "exit", "(I)V");
        this.halt = halt;
    }

    @Override
    void apply(MethodNode m) {
        InsnList args = new InsnList();
        args.add(new VarInsnNode(Opcodes.ILOAD, 1));
        args.add(new InsnNode(halt ? Opcodes.ICONST_1 : Opcodes.ICONST_0));
        Bytecode.enterVerdict(owner, m, args, Bytecode.hook("exitCall", "(IZ)Ljava/lang/Throwable;"));
    }
}
