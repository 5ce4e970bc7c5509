package io.jreap.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jreap.agent.scenario.ExitCalls;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code System.exit} and {@code Runtime.halt} from LWPs and from the host, on JDK 17 and 25. */
class ExitCallsIT {
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jreap.agent.it.ChildJvm#jdks")
    void byDefaultAnExitEndsTheCallingLwpOnly(String jdk) throws Exception {
        ChildJvm.Result r = ChildJvm.on(jdk).run(ExitCalls.class, "lwp");
        assertThat(r.failedChecks()).as(r.describe()).isEmpty();
        assertThat(r.finished()).as(r.describe()).isTrue();
        assertThat(r.passedChecks()).as(r.describe()).hasSize(ChildJvm.feature(jdk) >= 21 ? 20 : 16);
        assertThat(r.out()).contains("the JVM is still running");
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.err()).as(r.describe()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jreap.agent.it.ChildJvm#jdks")
    void withExitSandboxAnExitEndsTheWholeSandbox(String jdk) throws Exception {
        ChildJvm.Result r = ChildJvm.on(jdk).agentOptions("exit=sandbox").run(ExitCalls.class, "sandbox");
        assertThat(r.failedChecks()).as(r.describe()).isEmpty();
        assertThat(r.finished()).as(r.describe()).isTrue();
        assertThat(r.passedChecks()).as(r.describe()).hasSize(15);
        assertThat(r.out()).contains("the JVM is still running");
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.err()).as(r.describe()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jreap.agent.it.ChildJvm#jdks")
    void theHostsSystemExitEndsTheJvmWithItsCode(String jdk) throws Exception {
        ChildJvm.Result r = ChildJvm.on(jdk).run(ExitCalls.class, "host-exit");
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(7);
        assertThat(r.out()).as(r.describe()).containsExactly("EXITING");
        assertThat(r.err()).as(r.describe()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jreap.agent.it.ChildJvm#jdks")
    void theHostsRuntimeHaltEndsTheJvmWithItsCode(String jdk) throws Exception {
        ChildJvm.Result r = ChildJvm.on(jdk).agentOptions("exit=sandbox").run(ExitCalls.class, "host-halt");
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(8);
        assertThat(r.out()).as(r.describe()).containsExactly("HALTING");
        assertThat(r.err()).as(r.describe()).isEmpty();
    }
}
