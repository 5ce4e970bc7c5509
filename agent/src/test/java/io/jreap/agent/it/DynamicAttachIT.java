package io.jreap.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.VirtualMachine;
import io.jreap.agent.scenario.AttachHost;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The agent attached to a running JVM ({@code VirtualMachine.loadAgent}): threads and pools that
 * existed before stay host threads, what a plugin starts afterwards is forked, a kill works; a
 * refused attach fails with {@link AgentInitializationException} and the JVM runs on.
 */
class DynamicAttachIT {
    /** A running {@link AttachHost} in the given mode, waiting for GO. */
    private static ChildJvm.Builder host(String jdk, String... classPath) {
        ChildJvm.Builder b = ChildJvm.on(jdk).noAgent();
        if (ChildJvm.feature(jdk) >= 21) {
            b.jvmArgs("-XX:+EnableDynamicAgentLoading"); // else JDK 21+ warns about the dynamic agent
        }
        for (String c : classPath) {
            b.classPath(c);
        }
        return b;
    }

    private static void attach(Process p, String options) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(String.valueOf(p.pid()));
        try {
            vm.loadAgent(ChildJvm.agentJar().toString(), options);
        } finally {
            vm.detach();
        }
    }

    private static void go(Process p) throws Exception {
        OutputStream in = p.getOutputStream();
        in.write("GO\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jreap.agent.it.ChildJvm#jdks")
    void attachToARunningJvm(String jdk) throws Exception {
        ChildJvm.Builder b = host(jdk);
        Process p = b.start(AttachHost.class, "attach");
        b.awaitLine(p, "READY", 60);
        attach(p, null);
        go(p);
        ChildJvm.Result r = b.finish(p);
        assertThat(r.failedChecks()).as(r.describe()).isEmpty();
        assertThat(r.finished()).as(r.describe()).isTrue();
        assertThat(r.passedChecks()).as(r.describe()).hasSize(14);
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.err()).as("nothing on stderr\n" + r.describe()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jreap.agent.it.ChildJvm#jdks")
    void badOptionsFailTheAttachAndTheJvmRunsOn(String jdk) throws Exception {
        ChildJvm.Builder b = host(jdk);
        Process p = b.start(AttachHost.class, "attach");
        b.awaitLine(p, "READY", 60);
        assertThatThrownBy(() -> attach(p, "exit=jvm")).isInstanceOf(AgentInitializationException.class);
        assertThat(p.isAlive()).as("the JVM runs on").isTrue();
        attach(p, "exit=lwp"); // a second attach, with good options, works
        go(p);
        ChildJvm.Result r = b.finish(p);
        assertThat(r.failedChecks()).as(r.describe()).isEmpty();
        assertThat(r.passedChecks()).as(r.describe()).hasSize(14);
        assertThat(r.exitCode()).as(r.describe()).isZero();
        // The JVM prints the exception agentmain threw (the attach API gives the tool no message).
        assertThat(r.err()).as(r.describe()).anyMatch(l -> l.endsWith(
                "jreap: agent option exit=jvm is not valid; use exit=lwp or exit=sandbox"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jreap.agent.it.ChildJvm#jdks")
    void aHostWithItsOwnRuntimeCopyIsRefusedOrRunsUnsandboxedWithOnFailureContinue(String jdk) throws Exception {
        String runtime = Path.of(io.jreap.kernel.Kernel.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI()).toString();
        ChildJvm.Builder b = host(jdk, runtime);
        Process p = b.start(AttachHost.class, "preloaded");
        b.awaitLine(p, "READY", 60);
        assertThatThrownBy(() -> attach(p, null)).isInstanceOf(AgentInitializationException.class);
        assertThat(p.isAlive()).as("the JVM runs on").isTrue();
        attach(p, "onFailure=continue");
        go(p);
        ChildJvm.Result r = b.finish(p);
        assertThat(r.failedChecks()).as(r.describe()).isEmpty();
        assertThat(r.passedChecks()).as(r.describe()).hasSize(4);
        assertThat(r.exitCode()).as(r.describe()).isZero();
        String refusal = "could not instrument this JVM (the application already loaded jreap's runtime from its own "
                + "class path (io.jreap.";
        assertThat(r.err()).as(r.describe()).anyMatch(l -> l.contains("jreap: " + refusal)
                && l.endsWith("start the JVM with -javaagent instead of attaching); pass onFailure=continue to run it "
                        + "without sandboxing"));
        assertThat(r.err()).as(r.describe()).anyMatch(l -> l.startsWith("jreap: WARNING: " + refusal)
                && l.endsWith("it runs WITHOUT sandboxing because onFailure=continue"));
    }
}
