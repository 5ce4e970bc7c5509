package io.jreap.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jreap.agent.scenario.Trivial;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad options stop the JVM before {@code main} with one line on standard error that names the
 * option and the fix; the options that only print something print exactly that.
 */
class ConfigIT {
    /** jdk, agent options (null: none), extra JVM argument (null: none), the expected line. */
    static Stream<Arguments> badConfigurations() {
        return ChildJvm.jdks().flatMap(jdk -> Stream.of(
                Arguments.of(jdk, "foo", null, "jreap: agent option 'foo' is not key=value; write "
                        + "-javaagent:jreap-agent.jar=key=value[,key=value...], e.g. exit=sandbox (options: onFailure, "
                        + "exit, verbose, log, log.roll, log.retain, log.full, log.stacks, log.capacity)"),
                Arguments.of(jdk, "exit=jvm", null, "jreap: agent option exit=jvm is not valid; use exit=lwp or "
                        + "exit=sandbox"),
                Arguments.of(jdk, "verbose=true,colour=red", null, "jreap: unknown agent option colour; remove it (the "
                        + "options are onFailure, exit, verbose, log, log.roll, log.retain, log.full, log.stacks, log.capacity; see docs/AGENT.md)"),
                Arguments.of(jdk, "Exit=lwp", null, "jreap: unknown agent option Exit; did you mean exit? (the options "
                        + "are onFailure, exit, verbose, log, log.roll, log.retain, log.full, log.stacks, log.capacity; see docs/AGENT.md)"),
                Arguments.of(jdk, null, "-Djreap.x=1", "jreap: unknown system property -Djreap.x; remove it (the "
                        + "options are -Djreap.onFailure, -Djreap.exit, -Djreap.verbose, -Djreap.log, -Djreap.log.roll, -Djreap.log.retain, -Djreap.log.full, -Djreap.log.stacks, -Djreap.log.capacity; see docs/AGENT.md)"),
                Arguments.of(jdk, null, "-Djreap.onFailure=ignore", "jreap: system property -Djreap.onFailure=ignore "
                        + "is not valid; use -Djreap.onFailure=stop or -Djreap.onFailure=continue"),
                Arguments.of(jdk, "exit=sandbox", "-Djreap.verbose=yes", "jreap: system property -Djreap.verbose=yes "
                        + "is not valid; use -Djreap.verbose=false or -Djreap.verbose=true")));
    }

    @ParameterizedTest(name = "{0}: options {1}, {2}")
    @MethodSource("badConfigurations")
    void aBadOptionStopsTheJvmBeforeMainWithOneLine(String jdk, String options, String jvmArg, String line)
            throws Exception {
        ChildJvm.Builder b = ChildJvm.on(jdk).agentOptions(options);
        if (jvmArg != null) {
            b.jvmArgs(jvmArg);
        }
        ChildJvm.Result r = b.run(Trivial.class);
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(1);
        assertThat(r.err()).as(r.describe()).containsExactly(line);
        assertThat(r.out()).as("main did not run\n" + r.describe()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jreap.agent.it.ChildJvm#jdks")
    void aSecondJavaagentIsIgnoredWithOneLine(String jdk) throws Exception {
        ChildJvm.Result r = ChildJvm.on(jdk).jvmArgs("-javaagent:" + ChildJvm.agentJar() + "=exit=sandbox")
                .run(Trivial.class);
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.err()).as(r.describe()).containsExactly(
                "jreap: the agent is already installed in this JVM; this second -javaagent is ignored, with its options");
        assertThat(r.out()).as(r.describe()).containsExactly("MAIN RAN", "DONE");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jreap.agent.it.ChildJvm#jdks")
    void verboseListsTheInstrumentedMethods(String jdk) throws Exception {
        ChildJvm.Result r = ChildJvm.on(jdk).agentOptions("verbose=true").run(Trivial.class);
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.err()).as(r.describe()).hasSize(1);
        String line = r.err().get(0);
        assertThat(line).as(r.describe()).startsWith("jreap: ").contains("runtime classes in the bootstrap loader",
                "java.lang.Thread.start()V", "java.lang.Thread.exit()V", "java.lang.Runtime.exit(I)V",
                "java.lang.Runtime.halt(I)V", "java.lang.Thread.dispatchUncaughtException(Ljava/lang/Throwable;)V",
                "java.util.concurrent.ThreadPoolExecutor.<init>", "java.util.concurrent.ForkJoinPool.<init>",
                "java.util.concurrent.ThreadPoolExecutor$Worker.<init>",
                "java.util.concurrent.ThreadPoolExecutor.addWorkerFailed(",
                "java.util.concurrent.ThreadPoolExecutor.shutdown()V",
                "java.util.concurrent.ThreadPoolExecutor.shutdownNow()Ljava/util/List;",
                "java.util.concurrent.ForkJoinPool.shutdown()V",
                "java.util.concurrent.ForkJoinPool.shutdownNow()Ljava/util/List;");
        if (ChildJvm.feature(jdk) >= 21) {
            assertThat(line).contains("java.lang.Thread.start(Ljdk/internal/vm/ThreadContainer;)V",
                    "java.lang.VirtualThread.start(Ljdk/internal/vm/ThreadContainer;)V",
                    "java.lang.VirtualThread.run(Ljava/lang/Runnable;)V",
                    "java.util.concurrent.ThreadPerTaskExecutor.<init>",
                    "java.util.concurrent.ForkJoinPool.close()V");
        } else {
            assertThat(line).doesNotContain("VirtualThread", "ThreadContainer", "close()");
        }
        assertThat(r.out()).containsExactly("MAIN RAN", "DONE");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.jreap.agent.it.ChildJvm#jdks")
    void theAgentJarAsAProgramSaysHowToUseIt(String jdk) throws Exception {
        ChildJvm.assumeInstalled(jdk);
        Process p = new ProcessBuilder(java.nio.file.Path.of(jdk, "bin", "java").toString(), "-jar",
                ChildJvm.agentJar().toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        assertThat(out).contains("-javaagent:jreap-agent.jar", "onFailure=stop|continue", "exit=lwp|sandbox",
                "verbose=false|true", "docs/AGENT.md");
    }
}
