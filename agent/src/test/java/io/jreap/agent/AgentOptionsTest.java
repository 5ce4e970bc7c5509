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
                        + "[,key=value...], e.g. exit=sandbox (options: onFailure, exit, verbose)");
    }

    @Test
    void unknownAgentOption() {
        assertThatThrownBy(() -> AgentOptions.parse("exit=lwp,foo=1", new Properties()))
                .isInstanceOf(AgentOptions.Invalid.class)
                .hasMessage("unknown agent option foo; remove it (the options are onFailure, exit, verbose; "
                        + "see docs/AGENT.md)");
    }

    @Test
    void wrongCaseKeyGetsASuggestion() {
        assertThatThrownBy(() -> AgentOptions.parse("onfailure=continue", new Properties()))
                .hasMessage("unknown agent option onfailure; did you mean onFailure? (the options are onFailure, "
                        + "exit, verbose; see docs/AGENT.md)");
        assertThatThrownBy(() -> AgentOptions.parse(null, props("jreap.EXIT", "lwp")))
                .hasMessage("unknown system property -Djreap.EXIT; did you mean -Djreap.exit? (the options are "
                        + "-Djreap.onFailure, -Djreap.exit, -Djreap.verbose; see docs/AGENT.md)");
    }

    @Test
    void unknownSystemProperty() {
        assertThatThrownBy(() -> AgentOptions.parse(null, props("jreap.x", "1")))
                .isInstanceOf(AgentOptions.Invalid.class)
                .hasMessage("unknown system property -Djreap.x; remove it (the options are -Djreap.onFailure, "
                        + "-Djreap.exit, -Djreap.verbose; see docs/AGENT.md)");
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
}
