package io.jreap.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jreap.agent.scenario.ByteBuddyHost;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** A host with its own Byte Buddy works unchanged; the agent jar brings no library at its own name. */
class ByteBuddyHostIT {
    static String byteBuddyJar() throws Exception {
        return Path.of(net.bytebuddy.ByteBuddy.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jreap.agent.it.ChildJvm#jdks")
    void aHostWithItsOwnByteBuddyWorksUnchanged(String jdk) throws Exception {
        ChildJvm.Result r = ChildJvm.on(jdk).classPath(byteBuddyJar()).run(ByteBuddyHost.class);
        assertThat(r.failedChecks()).as(r.describe()).isEmpty();
        assertThat(r.finished()).as(r.describe()).isTrue();
        assertThat(r.passedChecks()).as(r.describe()).hasSize(9);
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.err()).as(r.describe()).isEmpty();
    }

    @Test
    void theAgentJarHoldsOnlyJreapClasses() throws Exception {
        List<String> foreign = new ArrayList<>();
        List<String> asm = new ArrayList<>();
        try (JarFile jar = new JarFile(ChildJvm.agentJar().toFile())) {
            for (JarEntry e : Collections.list(jar.entries())) {
                String n = e.getName();
                if (n.endsWith(".class") && !n.startsWith("io/jreap/")) {
                    foreign.add(n);
                }
                if (n.startsWith("io/jreap/agent/shaded/asm/")) {
                    asm.add(n);
                }
            }
        }
        assertThat(foreign).as("classes outside io/jreap/ (org/objectweb/asm, net/bytebuddy, ...)").isEmpty();
        assertThat(asm).as("ASM, relocated").contains("io/jreap/agent/shaded/asm/ClassReader.class",
                "io/jreap/agent/shaded/asm/tree/ClassNode.class");
    }
}
