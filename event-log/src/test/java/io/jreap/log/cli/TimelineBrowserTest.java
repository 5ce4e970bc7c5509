package io.jreap.log.cli;

import static io.jreap.log.cli.TestLogs.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders a 50-LWP timeline in headless Chromium and checks what a person would see: the DOM after
 * the page's script ran has a lane per LWP, the kill band and its "kill" label, and the time axis;
 * a screenshot shows green lanes and red kill marks. Skipped when /usr/bin/chromium is absent
 * (Debian's package "chromium").
 */
@Tag("browser")
class TimelineBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @TempDir
    static Path tmp;
    static Path html;

    @BeforeAll
    static void writeTimeline() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM),
                "skipped: /usr/bin/chromium is absent; install Debian's package with: apt-get install -y chromium");
        Path dir = tmp.resolve("small-log");
        try (TestLogs.Synthetic s = new TestLogs.Synthetic(dir)) {
            TestLogs.writeBig(s, 7, 7, 3); // 49 LWPs and the sandbox's reaper
            s.flush();
        }
        html = tmp.resolve("timeline.html");
        TestLogs.Run r = run("timeline", "--html", html.toString(), dir.toString());
        assertThat(r.code()).as(r.err()).isZero();
    }

    private static String chromium(String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + Files.createTempDirectory(tmp, "chromium-profile")));
        cmd.addAll(List.of(extra));
        cmd.add(html.toUri().toString());
        Path stdout = Files.createTempFile(tmp, "chromium", ".out");
        Path stderr = Files.createTempFile(tmp, "chromium", ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("chromium did not finish in 120 s: " + Files.readString(stderr));
        }
        assertThat(p.exitValue()).as(Files.readString(stderr)).isZero();
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    @Test
    void theRenderedPageHasALanePerLwpTheKillAndTheAxis() throws Exception {
        String dom = chromium("--dump-dom");
        assertThat(TimelineTest.count(dom, "<g class=\"lane\" data-pid=\"\\d+\"")).isEqualTo(50);
        assertThat(TimelineTest.count(dom, "<g class=\"group\" ")).as("no group collapsed").isEqualTo(8);
        assertThat(TimelineTest.count(dom, "<g class=\"kill\"")).isEqualTo(1);
        // Made by the page's script: the kill's label and the axis ticks.
        assertThat(dom).containsPattern("<text class=\"kill-label\"[^>]*>kill killpg SIGKILL -&gt; \\d+: 7 killed</text>");
        assertThat(TimelineTest.count(dom, "class=\"ticklabel\"")).isGreaterThan(3);
        assertThat(dom).containsPattern("<svg id=\"tl\" [^>]*height=\"(\\d{3,})\"");
    }

    @Test
    void theScreenshotShowsLanesAndTheKill() throws Exception {
        Path png = tmp.resolve("timeline.png");
        chromium("--screenshot=" + png, "--window-size=1400,900", "--hide-scrollbars");
        BufferedImage img = ImageIO.read(new File(png.toString()));
        assertThat(img.getWidth()).isEqualTo(1400);
        Set<Integer> colors = new HashSet<>();
        int green = 0;
        int red = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                colors.add(rgb);
                int r = rgb >> 16;
                int g = (rgb >> 8) & 0xff;
                int b = rgb & 0xff;
                if (near(r, 0x3a) && near(g, 0x8a) && near(b, 0x55)) {
                    green++; // running lanes
                }
                if (near(r, 0xd6) && near(g, 0x27) && near(b, 0x28)) {
                    red++; // the kill line and the killed group's lanes
                }
            }
        }
        assertThat(colors.size()).isGreaterThan(20);
        assertThat(green).isGreaterThan(1000);
        assertThat(red).isGreaterThan(100);
    }

    private static boolean near(int a, int b) {
        return Math.abs(a - b) <= 24;
    }
}
