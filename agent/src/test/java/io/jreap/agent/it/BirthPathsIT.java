package io.jreap.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jreap.agent.scenario.BirthPaths;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every birth path is a fork, on JDK 17 and 25, with the common pool's parallelism at 1 and 4. */
class BirthPathsIT {
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> jdksAndParallelism() {
        return ChildJvm.jdks().flatMap(j -> java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of(j, 1), org.junit.jupiter.params.provider.Arguments.of(j, 4)));
    }

    @ParameterizedTest(name = "{0}, common pool parallelism {1}")
    @MethodSource("jdksAndParallelism")
    void everyBirthPathIsAFork(String jdk, int parallelism) throws Exception {
        ChildJvm.Builder b = ChildJvm.on(jdk)
                .classPath(System.getProperty("jreap.runtime.classes")) // a host that also ships the runtime
                .jvmArgs("-Djava.util.concurrent.ForkJoinPool.common.parallelism=" + parallelism);
        if (ChildJvm.feature(jdk) >= 25) {
            b.jvmArgs("--enable-preview", "-Dtest.preview=true");
        }
        ChildJvm.Result r = b.run(BirthPaths.class);
        assertThat(r.failedChecks()).as(r.describe()).isEmpty();
        assertThat(r.finished()).as(r.describe()).isTrue();
        assertThat(r.passedChecks()).as(r.describe()).hasSizeGreaterThan(ChildJvm.feature(jdk) >= 21 ? 20 : 10);
        assertThat(r.err()).as("a clean run prints nothing on stderr\n" + r.describe()).isEmpty();
        assertThat(r.exitCode()).as(r.describe()).isZero();
    }
}
