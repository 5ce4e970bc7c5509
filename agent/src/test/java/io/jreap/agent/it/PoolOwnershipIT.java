package io.jreap.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jreap.agent.scenario.PoolOwnership;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Host pools a plugin uses stay the host's; pools a plugin creates are its child LWPs and die with
 * it; the common pool is untouched (JDK 17 and 25).
 */
class PoolOwnershipIT {
    static java.util.stream.Stream<String> jdks() {
        return ChildJvm.jdks();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void poolsBelongToTheirCreators(String jdk) throws Exception {
        ChildJvm.Result r = ChildJvm.on(jdk).run(PoolOwnership.class);
        assertThat(r.failedChecks()).as(r.describe()).isEmpty();
        assertThat(r.finished()).as(r.describe()).isTrue();
        assertThat(r.passedChecks()).as(r.describe()).hasSizeGreaterThan(ChildJvm.feature(jdk) >= 25 ? 70 : 65);
        assertThat(r.err()).as("a clean run prints nothing on stderr\n" + r.describe()).isEmpty();
        assertThat(r.exitCode()).as(r.describe()).isZero();
    }
}
