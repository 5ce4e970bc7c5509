package io.jreap.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jreap.agent.scenario.RefusedStarts;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Refused and failed thread starts leave no LWP and run nothing, on JDK 17 and 25. */
class RefusedStartsIT {
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jreap.agent.it.ChildJvm#jdks")
    void refusedStartsLeaveNothingBehind(String jdk) throws Exception {
        ChildJvm.Result r = ChildJvm.on(jdk).run(RefusedStarts.class);
        assertThat(r.failedChecks()).as(r.describe()).isEmpty();
        assertThat(r.finished()).as(r.describe()).isTrue();
        assertThat(r.passedChecks()).as(r.describe()).hasSize(ChildJvm.feature(jdk) >= 21 ? 45 : 33);
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.err()).as(r.describe()).isEmpty();
    }
}
