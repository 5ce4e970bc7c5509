package io.jreap.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jreap.agent.scenario.HostWarning;
import io.jreap.agent.scenario.Trivial;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A clean run prints nothing of the agent's: no class-data-sharing warning (the runtime is defined
 * in the bootstrap loader, not appended to its class path), no {@code sun.misc.Unsafe} warning (the
 * agent uses {@code jdk.internal.misc.Unsafe}). And nothing is silenced: the host's own warnings,
 * from the JDK's libraries or from the VM, come out exactly as they do without the agent.
 */
class CleanOutputIT {
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jreap.agent.it.ChildJvm#jdks")
    void aTrivialHostPrintsNothingOnStandardError(String jdk) throws Exception {
        ChildJvm.Result r = ChildJvm.on(jdk).run(Trivial.class);
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.err()).as("nothing on stderr\n" + r.describe()).isEmpty();
        assertThat(r.out()).as(r.describe()).containsExactly("MAIN RAN", "DONE");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jreap.agent.it.ChildJvm#jdks")
    void theHostsOwnJdkWarningIsStillPrinted(String jdk) throws Exception {
        ChildJvm.Result with = ChildJvm.on(jdk).run(HostWarning.class);
        ChildJvm.Result without = ChildJvm.on(jdk).noAgent().run(HostWarning.class);
        assertThat(with.exitCode()).as(with.describe()).isZero();
        assertThat(with.finished()).as(with.describe()).isTrue();
        String culprit = HostWarning.class.getName();
        if (ChildJvm.feature(jdk) >= 24) {
            assertThat(with.err()).as(with.describe()).contains(
                    "WARNING: A terminally deprecated method in sun.misc.Unsafe has been called");
            assertThat(String.join("\n", with.err())).as("the warning names the host, not the agent")
                    .contains("sun.misc.Unsafe::objectFieldOffset has been called by " + culprit);
        } else {
            assertThat(with.err()).as(with.describe()).contains(
                    "WARNING: A terminally deprecated method in java.lang.System has been called");
            assertThat(String.join("\n", with.err())).contains("System::setSecurityManager has been called by " + culprit);
        }
        assertThat(with.err()).as("the same as without the agent\n" + without.describe()).isEqualTo(without.err());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jreap.agent.it.ChildJvm#jdks")
    void theHostsOwnVmWarningIsStillPrinted(String jdk) throws Exception {
        ChildJvm.Result with = ChildJvm.on(jdk).jvmArgs("-Xverify:none").run(Trivial.class);
        ChildJvm.Result without = ChildJvm.on(jdk).noAgent().jvmArgs("-Xverify:none").run(Trivial.class);
        assertThat(with.exitCode()).as(with.describe()).isZero();
        assertThat(with.err()).as(with.describe()).hasSize(1);
        assertThat(with.err().get(0)).contains("VM warning: Options -Xverify:none and -noverify were deprecated");
        assertThat(with.err()).as(without.describe()).isEqualTo(without.err());
    }
}
