package io.jreap.agent.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs a scenario class in a child JVM on a given JDK with the built agent jar (the jar a user
 * would attach, not test classes on the class path) and collects what it printed.
 */
public final class ChildJvm {
    /** The JDKs every integration test runs on. */
    public static final String JDK17 = "/usr/lib/jvm/java-17-openjdk-amd64";
    public static final String JDK25 = "/usr/lib/jvm/temurin-25-jdk-amd64";

    public static Stream<String> jdks() {
        return Stream.of(JDK17, JDK25);
    }

    /** The agent jar the build just produced. */
    public static Path agentJar() {
        String p = System.getProperty("jreap.agent.jar");
        if (p == null) {
            throw new IllegalStateException("system property jreap.agent.jar is not set; run the integration tests "
                    + "with mvn verify (failsafe sets it)");
        }
        return Path.of(p);
    }

    public static String testClasses() {
        return System.getProperty("jreap.test.classes", "target/test-classes");
    }

    public static int feature(String jdk) {
        return jdk.contains("-17-") ? 17 : 25;
    }

    /** Skips the calling test when {@code jdk} is not installed on this machine (and says so). */
    public static void assumeInstalled(String jdk) {
        Assumptions.assumeTrue(Files.isExecutable(Path.of(jdk, "bin", "java")),
                () -> "skipped: " + jdk + " is not installed here");
    }

    public record Result(int exitCode, List<String> out, List<String> err, String command) {
        public String describe() {
            return "command: " + command + "\nexit code " + exitCode + "\n--- stdout ---\n" + String.join("\n", out)
                    + "\n--- stderr ---\n" + String.join("\n", err);
        }

        /** The lines {@code CHECK <name> FAIL ...} a scenario printed. */
        public List<String> failedChecks() {
            return out.stream().filter(l -> l.startsWith("CHECK ") && l.contains(" FAIL")).toList();
        }

        public List<String> passedChecks() {
            return out.stream().filter(l -> l.startsWith("CHECK ") && l.endsWith(" ok")).toList();
        }

        public boolean finished() {
            return out.contains("DONE");
        }
    }

    public static Builder on(String jdk) {
        return new Builder(jdk);
    }

    public static final class Builder {
        private final String jdk;
        private final List<String> jvmArgs = new ArrayList<>();
        private String agentOptions;
        private boolean agent = true;
        private final List<String> classPath = new ArrayList<>();
        private long timeoutSeconds = 120;
        private Path directory;

        private Builder(String jdk) {
            this.jdk = jdk;
            classPath.add(testClasses());
        }

        public Builder agentOptions(String options) {
            this.agentOptions = options;
            return this;
        }

        public Builder noAgent() {
            this.agent = false;
            return this;
        }

        public Builder jvmArgs(String... args) {
            jvmArgs.addAll(Arrays.asList(args));
            return this;
        }

        public Builder classPath(String entry) {
            classPath.add(entry);
            return this;
        }

        /** The child's working directory (default: the test's). */
        public Builder directory(Path dir) {
            this.directory = dir;
            return this;
        }

        public Builder timeoutSeconds(long s) {
            this.timeoutSeconds = s;
            return this;
        }

        public List<String> command(Class<?> main, String... args) {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(jdk, "bin", "java").toString());
            if (agent) {
                cmd.add("-javaagent:" + agentJar() + (agentOptions == null ? "" : "=" + agentOptions));
            }
            cmd.add("-ea");
            cmd.addAll(jvmArgs);
            cmd.add("-cp");
            cmd.add(String.join(java.io.File.pathSeparator, classPath));
            cmd.add(main.getName());
            cmd.addAll(Arrays.asList(args));
            return cmd;
        }

        public Result run(Class<?> main, String... args) throws IOException, InterruptedException {
            return finish(start(main, args));
        }

        public Process start(Class<?> main, String... args) throws IOException {
            assumeInstalled(jdk);
            ProcessBuilder pb = new ProcessBuilder(command(main, args));
            if (directory != null) {
                pb.directory(directory.toFile());
            }
            Path dir = Files.createTempDirectory("jreap-child");
            pb.redirectOutput(dir.resolve("out.txt").toFile());
            pb.redirectError(dir.resolve("err.txt").toFile());
            pb.environment().remove("JAVA_TOOL_OPTIONS");
            pb.environment().remove("JDK_JAVA_OPTIONS");
            Process p = pb.start();
            started.put(p, dir);
            return p;
        }

        public Result finish(Process p) throws IOException, InterruptedException {
            Path dir = started.remove(p);
            boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!done) {
                String dump = jstack(p.pid());
                p.destroyForcibly().waitFor();
                List<String> out = Files.readAllLines(dir.resolve("out.txt"), StandardCharsets.UTF_8);
                throw new AssertionError("child JVM did not finish in " + timeoutSeconds + " s\n--- stdout ---\n"
                        + String.join("\n", out) + "\n--- thread dump ---\n" + dump);
            }
            return new Result(p.exitValue(), Files.readAllLines(dir.resolve("out.txt"), StandardCharsets.UTF_8),
                    Files.readAllLines(dir.resolve("err.txt"), StandardCharsets.UTF_8), String.join(" ", p.info().command().orElse("?")));
        }

        private String jstack(long pid) {
            try {
                Process j = new ProcessBuilder(Path.of(jdk, "bin", "jstack").toString(), String.valueOf(pid))
                        .redirectErrorStream(true).start();
                String s = new String(j.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                j.waitFor(30, TimeUnit.SECONDS);
                return s;
            } catch (IOException | InterruptedException e) {
                return "(no thread dump: " + e + ")";
            }
        }

        /**
         * Waits until the started child has printed {@code line} on its standard output (a scenario
         * saying it is ready for the test's next step); fails with what it printed if it does not
         * within {@code seconds}, or if it ends first.
         */
        public void awaitLine(Process p, String line, long seconds) throws IOException, InterruptedException {
            Path out = started.get(p).resolve("out.txt");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (!Files.readAllLines(out, StandardCharsets.UTF_8).contains(line)) {
                if (!p.isAlive() || System.nanoTime() - deadline > 0) {
                    Path err = started.get(p).resolve("err.txt");
                    throw new AssertionError("child JVM " + (p.isAlive() ? "did not print" : "ended before it printed")
                            + " '" + line + "'\n--- stdout ---\n" + Files.readString(out) + "\n--- stderr ---\n"
                            + Files.readString(err));
                }
                Thread.sleep(20);
            }
        }

        private final java.util.Map<Process, Path> started = new java.util.concurrent.ConcurrentHashMap<>();
    }

    private ChildJvm() {
    }
}
