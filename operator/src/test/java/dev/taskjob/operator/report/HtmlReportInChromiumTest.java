package dev.taskjob.operator.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders the report in headless Chromium (Debian's {@code chromium}) and checks that every chart drew each
 * of its series and that the browser logged no console message. Skipped where Chromium is missing, unless
 * {@code CI} is set ({@code .ci/run} installs it).
 */
class HtmlReportInChromiumTest {

  /** More pixels than a legend swatch (10 x 10) has: only a drawn line or bar reaches it. */
  private static final int MIN_PIXELS_PER_SERIES = 150;

  @TempDir Path dir;

  @Test
  void chartsDrawEverySeriesWithNoConsoleMessage() throws Exception {
    Path chromium = chromium();
    Path page = dir.resolve("report.html");
    Files.writeString(page, HtmlReport.render(ReportFixtures.finishedJob()), StandardCharsets.UTF_8);
    Path screenshot = dir.resolve("report.png");

    Process browser = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--hide-scrollbars", "--force-device-scale-factor=1", "--force-color-profile=srgb",
        "--user-data-dir=" + dir.resolve("profile"), "--window-size=900,2600", "--enable-logging=stderr", "--v=0",
        "--screenshot=" + screenshot, page.toUri().toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile()).start();
    if (!browser.waitFor(3, TimeUnit.MINUTES)) {
      browser.destroyForcibly();
      fail("chromium did not finish within 3 minutes: " + Files.readString(dir.resolve("chromium.log")));
    }
    String log = Files.readString(dir.resolve("chromium.log"));

    assertThat(browser.exitValue()).as(log).isZero();
    assertThat(log.lines().filter(line -> line.contains(":CONSOLE")).toList()).as("console messages").isEmpty();
    BufferedImage image = ImageIO.read(screenshot.toFile());
    Map<String, Integer> pixels = new LinkedHashMap<>();
    for (String color : List.of(HtmlReport.TASKS_RUNNING, HtmlReport.TASKS_SUCCEEDED, HtmlReport.TASKS_FAILED,
        HtmlReport.INSTANCES_PENDING, HtmlReport.INSTANCES_RUNNING, HtmlReport.INSTANCES_TERMINATING,
        HtmlReport.COST, HtmlReport.HISTOGRAM)) {
      pixels.put(color, count(image, Integer.parseInt(color.substring(1), 16)));
    }
    assertThat(pixels).as("pixels drawn per series colour in " + screenshot).allSatisfy(
        (color, count) -> assertThat(count).as(color).isGreaterThanOrEqualTo(MIN_PIXELS_PER_SERIES));
  }

  private static int count(BufferedImage image, int rgb) {
    int n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) & 0xffffff) == rgb) {
          n++;
        }
      }
    }
    return n;
  }

  /** Chromium from the PATH; its absence skips the test on a developer's machine and fails it in CI. */
  private static Path chromium() {
    Optional<Path> found = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .flatMap(d -> Stream.of("chromium", "chromium-browser", "google-chrome").map(n -> Path.of(d, n)))
        .filter(Files::isExecutable).findFirst();
    if (found.isEmpty()) {
      String ci = System.getenv("CI");
      if (ci != null && !ci.isBlank() && !ci.equals("false")) {
        fail("chromium is not installed: install the Debian package chromium (.ci/run does)");
      }
      assumeTrue(false, "chromium is not installed (Debian package chromium): the report is not rendered");
    }
    return found.get();
  }
}
