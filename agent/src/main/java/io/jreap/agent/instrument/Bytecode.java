package io.jreap.agent.instrument;

import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.FrameNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.JumpInsnNode;
import org.objectweb.asm.tree.LabelNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TryCatchBlockNode;

/**
 * The few bytecode shapes the advice classes insert into JDK methods, on ASM's tree API.
 *
 * <p>Frames are written by hand (the class is read with {@code EXPAND_FRAMES} and written with
 * {@code COMPUTE_MAXS} only): {@code COMPUTE_FRAMES} would load classes to find common supertypes
 * from inside a transformer of {@code java.lang.Thread}. Every inserted frame describes the
 * method's entry state (its receiver and parameters, which these JDK methods never reassign), so
 * it is valid wherever it is placed.
 */
final class Bytecode {
    /** Owner of every hook: the runtime class defined in the bootstrap loader. */
    static final String HOOKS = "io/jreap/kernel/JdkHooks";
    private static final String THROWABLE = "java/lang/Throwable";

    private Bytecode() {
    }

    static MethodInsnNode hook(String name, String desc) {
        return new MethodInsnNode(Opcodes.INVOKESTATIC, HOOKS, name, desc, false);
    }

    /** The method's entry locals, as an expanded frame wants them. */
    static Object[] entryLocals(String owner, MethodNode m) {
        Type[] args = Type.getArgumentTypes(m.desc);
        boolean isStatic = (m.access & Opcodes.ACC_STATIC) != 0;
        Object[] out = new Object[args.length + (isStatic ? 0 : 1)];
        int i = 0;
        if (!isStatic) {
            out[i++] = owner; // frames go only into methods, never into constructors
        }
        for (Type t : args) {
            out[i++] = switch (t.getSort()) {
                case Type.BOOLEAN, Type.BYTE, Type.CHAR, Type.SHORT, Type.INT -> Opcodes.INTEGER;
                case Type.FLOAT -> Opcodes.FLOAT;
                case Type.LONG -> Opcodes.LONG;
                case Type.DOUBLE -> Opcodes.DOUBLE;
                case Type.ARRAY -> t.getDescriptor();
                default -> t.getInternalName();
            };
        }
        return out;
    }

    private static FrameNode entryFrame(String owner, MethodNode m, Object... stack) {
        Object[] locals = entryLocals(owner, m);
        return new FrameNode(Opcodes.F_NEW, locals.length, locals, stack.length, stack);
    }

    /**
     * At the method's entry: {@code Throwable v = hook(args); if (v != null) throw v;}. The hook
     * itself never throws; its result is the verdict.
     */
    static void enterVerdict(String owner, MethodNode m, InsnList loadArgs, MethodInsnNode hook) {
        InsnList in = new InsnList();
        in.add(loadArgs);
        in.add(hook);
        in.add(new InsnNode(Opcodes.DUP));
        LabelNode go = new LabelNode();
        in.add(new JumpInsnNode(Opcodes.IFNULL, go));
        in.add(new InsnNode(Opcodes.ATHROW));
        in.add(go);
        in.add(entryFrame(owner, m, THROWABLE));
        in.add(new InsnNode(Opcodes.POP));
        m.instructions.insert(in);
    }

    /** At the method's entry: {@code if (hook(args)) return;} (void methods only). */
    static void enterSkip(String owner, MethodNode m, InsnList loadArgs, MethodInsnNode hook) {
        InsnList in = new InsnList();
        in.add(loadArgs);
        in.add(hook);
        LabelNode go = new LabelNode();
        in.add(new JumpInsnNode(Opcodes.IFEQ, go));
        in.add(new InsnNode(Opcodes.RETURN));
        in.add(go);
        in.add(entryFrame(owner, m));
        in.add(new InsnNode(Opcodes.NOP)); // keeps a frame the original code may have at offset 0 apart
        m.instructions.insert(in);
    }

    /** At the method's entry: a call with no result. */
    static void enterNotify(MethodNode m, InsnList loadArgsAndCall) {
        m.instructions.insert(loadArgsAndCall);
    }

    /** Before every {@code return}: a call with no result (constructors: after super() ran). */
    static void beforeReturns(MethodNode m, InsnList call) {
        for (AbstractInsnNode i : m.instructions.toArray()) {
            if (i.getOpcode() == Opcodes.RETURN) {
                m.instructions.insertBefore(i, copy(call));
            }
        }
    }

    /** A copy of straight-line code (no labels), to insert at one more place. */
    static InsnList copy(InsnList code) {
        InsnList out = new InsnList();
        java.util.Map<LabelNode, LabelNode> none = java.util.Collections.emptyMap();
        for (AbstractInsnNode i = code.getFirst(); i != null; i = i.getNext()) {
            out.add(i.clone(none));
        }
        return out;
    }

    /**
     * On every exit of the method: before each return {@code onReturn}; and a catch-all handler
     * around the whole original body that runs {@code onThrow} (which finds the exception on the
     * stack and must leave it there) and rethrows. Call before {@link #enterVerdict}, so that the
     * verdict's own throw is outside the handler.
     */
    static void onEveryExit(String owner, MethodNode m, InsnList onReturn, InsnList onThrow) {
        for (AbstractInsnNode i : m.instructions.toArray()) {
            int op = i.getOpcode();
            if (op >= Opcodes.IRETURN && op <= Opcodes.RETURN) {
                m.instructions.insertBefore(i, copy(onReturn));
            }
        }
        LabelNode begin = new LabelNode();
        LabelNode end = new LabelNode();
        LabelNode handler = new LabelNode();
        m.instructions.insert(begin);
        m.instructions.add(end);
        m.instructions.add(handler);
        m.instructions.add(entryFrame(owner, m, THROWABLE));
        m.instructions.add(onThrow);
        m.instructions.add(new InsnNode(Opcodes.ATHROW));
        // Last in the table: the method's own handlers (its finally blocks) run first.
        m.tryCatchBlocks.add(new TryCatchBlockNode(begin, end, handler, null));
    }
}
