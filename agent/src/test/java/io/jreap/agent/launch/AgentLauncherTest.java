package io.jreap.agent.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The Java 8 entry point's version check. (No JDK older than 17 is installed here, so the refusal
 * itself is tested through {@link AgentLauncher#feature}; the line it prints is fixed text.)
 */
class AgentLauncherTest {
    @Test
    void readsOldAndNewVersionStrings() {
        assertThat(AgentLauncher.feature("1.8")).isEqualTo(8);
        assertThat(AgentLauncher.feature("11")).isEqualTo(11);
        assertThat(AgentLauncher.feature("17")).isEqualTo(17);
        assertThat(AgentLauncher.feature("25")).isEqualTo(25);
        assertThat(AgentLauncher.feature("26.0.1")).isEqualTo(26);
    }

    @Test
    void anUnreadableVersionIsAnError() {
        assertThatThrownBy(() -> AgentLauncher.feature("x")).isInstanceOf(NumberFormatException.class);
    }

    @Test
    void theLauncherIsJava8Bytecode() throws Exception {
        try (var in = AgentLauncher.class.getResourceAsStream("AgentLauncher.class")) {
            byte[] head = in.readNBytes(8);
            int major = ((head[6] & 0xff) << 8) | (head[7] & 0xff);
            assertThat(major).as("class file major version").isEqualTo(52);
        }
    }
}
