package io.jreap.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every option key and value, and every message a bad one gives (the whole line the user sees). */
class AgentOptionsTest {
    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.setProperty(kv[i], kv[i + 1]);
        }
        return p;
    }

    @Test
    void defaults() {
        assertThat(AgentOptions.defaults()).isEqualTo(new AgentOptions(false, false, false));
        assertThat(AgentOptions.parse(null, new Properties())).isEqualTo(AgentOptions.defaults());
        assertThat(AgentOptions.parse("", new Properties())).isEqualTo(AgentOptions.defaults());
        assertThat(AgentOptions.parse("  ", new Properties())).isEqualTo(AgentOptions.defaults());
    }

    @ParameterizedTest
    @CsvSource({
        "onFailure=stop,     false, false, false",
        "onFailure=continue, true,  false, false",
        "exit=lwp,           false, false, false",
        "exit=sandbox,       false, true,  false",
        "verbose=false,      false, false, false",
        "verbose=true,       false, false, true",
    })
    void everyKeyAndValue(String arg, boolean cont, boolean sandbox, boolean verbose) {
        AgentOptions expected = new AgentOptions(cont, sandbox, verbose);
        assertThat(AgentOptions.parse(arg, new Properties())).isEqualTo(expected);
        int eq = arg.indexOf('=');
        assertThat(AgentOptions.parse(null, props("jreap." + arg.substring(0, eq), arg.substring(eq + 1))))
                .as("the same as a system property").isEqualTo(expected);
    }

    @Test
    void severalOptionsSpacesAndEmptyParts() {
        assertThat(AgentOptions.parse("onFailure=continue, exit = sandbox ,verbose=true,", new Properties()))
                .isEqualTo(new AgentOptions(true, true, true));
        assertThat(AgentOptions.parse(",,exit=sandbox", new Properties())).isEqualTo(new AgentOptions(false, true, false));
    }

    @Test
    void agentOptionWinsOverSystemProperty() {
        Properties p = props("jreap.exit", "sandbox", "jreap.verbose", "true");
        assertThat(AgentOptions.parse("exit=lwp", p)).isEqualTo(new AgentOptions(false, false, true));
        assertThat(AgentOptions.parse(null, p)).isEqualTo(new AgentOptions(false, true, true));
    }

    @Test
    void otherSystemPropertiesAreIgnored() {
        assertThat(AgentOptions.parse(null, props("jreapx", "1", "java.home", "/x", "exit", "sandbox")))
                .isEqualTo(AgentOptions.defaults());
    }

    @ParameterizedTest
    @ValueSource(strings = {"foo", "=sandbox", "exit"})
    void notKeyValue(String arg) {
        assertThatThrownBy(() -> AgentOptions.parse(arg, new Properties()))
                .isInstanceOf(AgentOptions.Invalid.class)
                .hasMessage("agent option '" + arg + "' is not key=value; write -javaagent:jreap-agent.jar=key=value"
                        + "[,key=value...], e.g. exit=sandbox (options: onFailure, exit, verbose, log, log.roll, log.retain, log.full, log.stacks, log.capacity)");
    }

    @Test
    void unknownAgentOption() {
        assertThatThrownBy(() -> AgentOptions.parse("exit=lwp,foo=1", new Properties()))
                .isInstanceOf(AgentOptions.Invalid.class)
                .hasMessage("unknown agent option foo; remove it (the options are onFailure, exit, verbose, log, log.roll, log.retain, log.full, log.stacks, log.capacity; "
                        + "see docs/AGENT.md)");
    }

    @Test
    void wrongCaseKeyGetsASuggestion() {
        assertThatThrownBy(() -> AgentOptions.parse("onfailure=continue", new Properties()))
                .hasMessage("unknown agent option onfailure; did you mean onFailure? (the options are onFailure, "
                        + "exit, verbose, log, log.roll, log.retain, log.full, log.stacks, log.capacity; see docs/AGENT.md)");
        assertThatThrownBy(() -> AgentOptions.parse(null, props("jreap.EXIT", "lwp")))
                .hasMessage("unknown system property -Djreap.EXIT; did you mean -Djreap.exit? (the options are "
                        + "-Djreap.onFailure, -Djreap.exit, -Djreap.verbose, -Djreap.log, -Djreap.log.roll, -Djreap.log.retain, -Djreap.log.full, -Djreap.log.stacks, -Djreap.log.capacity; see docs/AGENT.md)");
    }

    @Test
    void unknownSystemProperty() {
        assertThatThrownBy(() -> AgentOptions.parse(null, props("jreap.x", "1")))
                .isInstanceOf(AgentOptions.Invalid.class)
                .hasMessage("unknown system property -Djreap.x; remove it (the options are -Djreap.onFailure, "
                        + "-Djreap.exit, -Djreap.verbose, -Djreap.log, -Djreap.log.roll, -Djreap.log.retain, -Djreap.log.full, -Djreap.log.stacks, -Djreap.log.capacity; see docs/AGENT.md)");
    }

    @ParameterizedTest
    @CsvSource({
        "onFailure, ignore, onFailure=stop or onFailure=continue",
        "exit,      jvm,    exit=lwp or exit=sandbox",
        "verbose,   TRUE,   verbose=false or verbose=true",
        "verbose,   yes,    verbose=false or verbose=true",
    })
    void badValue(String key, String value, String fix) {
        assertThatThrownBy(() -> AgentOptions.parse(key + "=" + value, new Properties()))
                .isInstanceOf(AgentOptions.Invalid.class)
                .hasMessage("agent option " + key + "=" + value + " is not valid; use " + fix);
        assertThatThrownBy(() -> AgentOptions.parse(null, props("jreap." + key, value)))
                .isInstanceOf(AgentOptions.Invalid.class)
                .hasMessage("system property -Djreap." + key + "=" + value + " is not valid; use "
                        + fix.replace(key + "=", "-Djreap." + key + "="));
    }

    @Test
    void emptyValue() {
        assertThatThrownBy(() -> AgentOptions.parse("exit=", new Properties()))
                .hasMessage("agent option exit= has no value; use exit=lwp or exit=sandbox");
    }

    @Test
    void sameKeyTwice() {
        assertThatThrownBy(() -> AgentOptions.parse("exit=lwp,verbose=true,exit=sandbox", new Properties()))
                .hasMessage("agent option exit is given twice (exit=lwp and exit=sandbox); keep one");
    }

    @Test
    void aBadSystemPropertyFailsEvenWhenTheAgentOptionIsGood() {
        assertThatThrownBy(() -> AgentOptions.parse("exit=lwp", props("jreap.exit", "jvm")))
                .hasMessageStartingWith("system property -Djreap.exit=jvm is not valid");
    }

    @Test
    void unsupportedJdk() {
        assertThat(JreapAgent.unsupportedJdk(11)).isEqualTo("JDK 11 is not supported: jreap needs JDK 17 or newer; "
                + "run this application on JDK 17+, or start it without the jreap agent");
        assertThat(JreapAgent.unsupportedJdk(8)).startsWith("JDK 8 is not supported");
        assertThat(JreapAgent.unsupportedJdk(16)).startsWith("JDK 16 is not supported");
        assertThat(JreapAgent.unsupportedJdk(0)).startsWith("JDK (unknown version) is not supported");
        assertThat(JreapAgent.unsupportedJdk(17)).isNull();
        assertThat(JreapAgent.unsupportedJdk(25)).isNull();
        assertThat(JreapAgent.unsupportedJdk(26)).isNull();
    }

    @ParameterizedTest
    @CsvSource({"1.8, 8", "9, 9", "11, 11", "17, 17", "25, 25", "26.0.1, 26", "'', 0", "garbage, 0"})
    void featureFromSpecificationVersion(String spec, int feature) {
        assertThat(JreapAgent.feature(spec)).isEqualTo(feature);
    }

    @Test
    void featureOfNull() {
        assertThat(JreapAgent.feature(null)).isZero();
    }

    @Test
    void theEntryPointLoadsOnJava8() throws Exception {
        // So that on JDK 8 to 16 the agent can say "not supported" instead of UnsupportedClassVersionError.
        try (var in = JreapAgent.class.getResourceAsStream("JreapAgent.class")) {
            byte[] head = in.readNBytes(8);
            int major = ((head[6] & 0xff) << 8) | (head[7] & 0xff);
            assertThat(major).as("class file major version of JreapAgent").isEqualTo(52);
        }
    }

    // ------------------------------------------------------------------------------------ the event log

    @Test
    void theLogIsOffByDefaultAndTakesItsDefaults() {
        assertThat(AgentOptions.defaults().log()).isNull();
        AgentOptions o = AgentOptions.parse("log=/var/log/jreap", new Properties());
        assertThat(o.log()).isEqualTo(new AgentOptions.LogSettings(java.nio.file.Path.of("/var/log/jreap"),
                "FAST_HOURLY", 0, false, false, 65_536));
    }

    @Test
    void everyLogOptionAsAgentOptionOrProperty() {
        AgentOptions.LogSettings expected = new AgentOptions.LogSettings(java.nio.file.Path.of("d"), "FAST_DAILY", 3,
                true, true, 1024);
        assertThat(AgentOptions.parse("log=d,log.roll=FAST_DAILY,log.retain=3,log.full=drop,log.stacks=true,"
                + "log.capacity=1024", new Properties()).log()).isEqualTo(expected);
        assertThat(AgentOptions.parse(null, props("jreap.log", "d", "jreap.log.roll", "FAST_DAILY", "jreap.log.retain",
                "3", "jreap.log.full", "drop", "jreap.log.stacks", "true", "jreap.log.capacity", "1024")).log())
                .isEqualTo(expected);
    }

    @Test
    void theRollCyclesAreChroniclesOwn() {
        assertThat(AgentOptions.ROLL_CYCLES).containsExactlyElementsOf(
                java.util.Arrays.stream(net.openhft.chronicle.queue.RollCycles.values()).map(Enum::name).toList());
        assertThat(AgentOptions.ROLL_CYCLES).contains(AgentOptions.DEFAULT_ROLL);
        assertThat(AgentOptions.DEFAULT_ROLL).isEqualTo(io.jreap.log.sink.EventLogOptions.DEFAULT_ROLL_CYCLE);
        assertThat(AgentOptions.DEFAULT_CAPACITY).isEqualTo(io.jreap.log.sink.EventLogOptions.DEFAULT_CAPACITY);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "log.roll=HOURLY | agent option log.roll=HOURLY is not valid; use one of Chronicle's roll cycles: FIVE_MINUTELY, "
                + "TEN_MINUTELY, TWENTY_MINUTELY, HALF_HOURLY, FAST_HOURLY, TWO_HOURLY, FOUR_HOURLY, SIX_HOURLY, "
                + "FAST_DAILY, WEEKLY (default FAST_HOURLY)",
        "log.retain=-1 | agent option log.retain=-1 is not valid; use log.retain=N, the number of cycle files to keep "
                + "(0, the default, keeps all)",
        "log.retain=x | agent option log.retain=x is not valid; use log.retain=N, the number of cycle files to keep "
                + "(0, the default, keeps all)",
        "log.capacity=63 | agent option log.capacity=63 is not valid; use log.capacity=N, the events the hand-off "
                + "holds, from 64 to 16777216 (default 65536)",
        "log.capacity=99999999999 | agent option log.capacity=99999999999 is not valid; use log.capacity=N, the "
                + "events the hand-off holds, from 64 to 16777216 (default 65536)",
        "log.full=wait | agent option log.full=wait is not valid; use log.full=block or log.full=drop",
        "log.stacks=yes | agent option log.stacks=yes is not valid; use log.stacks=false or log.stacks=true",
        "log= | agent option log= has no value; give the directory to write the event log to: log=<directory>",
    })
    void badLogValues(String option, String message) {
        String args = option.startsWith("log=") ? option : "log=d," + option;
        assertThatThrownBy(() -> AgentOptions.parse(args, new Properties()))
                .isInstanceOf(AgentOptions.Invalid.class).hasMessage(message);
    }

    @Test
    void aLogDirectoryThatIsAFileIsRefused(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createFile(tmp.resolve("f"));
        assertThatThrownBy(() -> AgentOptions.parse("log=" + file, new Properties()))
                .hasMessage("agent option log=" + file + " is not valid; it is a file; give a directory (it is created "
                        + "if missing)");
    }

    @Test
    void aLogOptionWithoutTheLogSaysSo() {
        assertThatThrownBy(() -> AgentOptions.parse("log.full=drop", new Properties()))
                .hasMessage("agent option log.full needs log=<directory>: without it the event log is off; add it or "
                        + "remove log.full");
        assertThatThrownBy(() -> AgentOptions.parse(null, props("jreap.log.stacks", "true")))
                .hasMessage("system property -Djreap.log.stacks needs -Djreap.log=<directory>: without it the event "
                        + "log is off; add it or remove -Djreap.log.stacks");
    }
}
