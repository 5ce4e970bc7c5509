package io.jreap.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jreap.agent.scenario.SystemThreads;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * JDK services first used by a plugin that is then killed keep working for the host, and their
 * threads never belong to an LWP (JDK 17 and 25).
 */
class SystemThreadsIT {
    static java.util.stream.Stream<String> jdks() {
        return ChildJvm.jdks();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void jdkServicesSurviveThePluginThatStartedThem(String jdk) throws Exception {
        ChildJvm.Result r = ChildJvm.on(jdk)
                .jvmArgs("-Djava.awt.headless=true", "-Djava.rmi.server.hostname=127.0.0.1")
                .run(SystemThreads.class);
        assertThat(r.failedChecks()).as(r.describe()).isEmpty();
        assertThat(r.finished()).as(r.describe()).isTrue();
        assertThat(r.passedChecks()).as(r.describe()).hasSizeGreaterThan(ChildJvm.feature(jdk) >= 21 ? 90 : 70);
        assertThat(r.err()).as("a clean run prints nothing on stderr\n" + r.describe()).isEmpty();
        assertThat(r.exitCode()).as(r.describe()).isZero();
    }
}
