package clipbench.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens report.html in headless Chromium: every image on the page must load, and a screenshot must not be
 * blank. Needs {@code /usr/bin/chromium} (Debian's {@code chromium} package; CI installs it). Without it the
 * test fails, unless the system property {@code clipbench.skipBrowser=true} is set
 * ({@code mvn test -Dclipbench.skipBrowser=true}), which skips it.
 */
class BrowserReportTest {
    static final Path CHROMIUM = Path.of(System.getProperty("clipbench.chromium", "/usr/bin/chromium"));
    static final String SKIP = "clipbench.skipBrowser";

    private static final Pattern IMAGES = Pattern.compile("data-images=\"(\\d+)\"");
    private static final Pattern BROKEN = Pattern.compile("data-broken-images=\"(\\d+)\"");

    @Test
    void everyImageLoadsInHeadlessChromium(@TempDir Path root) throws Exception {
        requireChromium();
        Path a = ReportBuilderTest.runA(root);
        Path b = ReportBuilderTest.runB(root);
        Path out = root.resolve("cmp");
        ReportBuilder.Result result = ReportBuilder.build(List.of(a, b), out);
        int expectedImages = ReportAssertions.imgSources(result.html()).size();
        assertTrue(expectedImages >= 8, "the page has charts and galleries: " + expectedImages);

        // 1. the DOM after load: the page's own script counted the images that did not load
        String dom = chromium(root, "dom", List.of("--dump-dom"), result.html());
        Matcher images = IMAGES.matcher(dom);
        Matcher broken = BROKEN.matcher(dom);
        assertTrue(images.find() && broken.find(), "the load script did not run; DOM starts: "
                + dom.substring(0, Math.min(400, dom.length())));
        assertEquals(expectedImages, Integer.parseInt(images.group(1)), "images on the page");
        assertEquals(0, Integer.parseInt(broken.group(1)), "images that failed to load");

        // 2. a screenshot that is not blank
        Path shot = root.resolve("report-screenshot.png");
        chromium(root, "shot", List.of("--screenshot=" + shot, "--window-size=1280,2000",
                "--hide-scrollbars"), result.html());
        assertTrue(Files.isRegularFile(shot), "no screenshot written");
        BufferedImage img = ImageIO.read(shot.toFile());
        assertNotNull(img, "screenshot does not decode");
        assertEquals(1280, img.getWidth());
        assertTrue(ReportAssertions.variance(img) > 100, "screenshot looks blank");
        String keep = System.getProperty("clipbench.keepScreenshot");
        if (keep != null && !keep.isEmpty()) {
            Files.copy(shot, Path.of(keep), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    void aMissingImageIsCounted(@TempDir Path root) throws Exception {
        requireChromium();
        Path a = ReportBuilderTest.runA(root);
        ReportBuilder.Result result = ReportBuilder.build(List.of(a), a);
        Files.delete(a.resolve("charts/upsamplers.png"));
        String dom = chromium(root, "broken", List.of("--dump-dom"), result.html());
        Matcher broken = BROKEN.matcher(dom);
        assertTrue(broken.find(), "the load script did not run");
        assertEquals(1, Integer.parseInt(broken.group(1)), "the deleted chart counts as broken");
    }

    @Test
    void theFineTuningSectionsImagesLoad(@TempDir Path root) throws Exception {
        requireChromium();
        Path run = FineTuneSectionTest.run(root);
        ReportBuilder.Result result = ReportBuilder.build(List.of(run), run);
        int expectedImages = ReportAssertions.imgSources(result.html()).size();
        assertTrue(Files.readString(result.html()).contains("src=\"charts/training_"), "training curves on the page");
        String dom = chromium(root, "finetune", List.of("--dump-dom"), result.html());
        Matcher images = IMAGES.matcher(dom);
        Matcher broken = BROKEN.matcher(dom);
        assertTrue(images.find() && broken.find(), "the load script did not run");
        assertEquals(expectedImages, Integer.parseInt(images.group(1)), "images on the page");
        assertEquals(0, Integer.parseInt(broken.group(1)), "images that failed to load");
    }

    /** Skips with {@code clipbench.skipBrowser=true}; otherwise fails without Chromium. */
    private static void requireChromium() {
        assumeFalse(Boolean.getBoolean(SKIP), SKIP + "=true: browser check skipped");
        if (!Files.isExecutable(CHROMIUM)) {
            fail(CHROMIUM + " not found: install Debian's chromium (apt-get update && DEBIAN_FRONTEND=noninteractive"
                    + " apt-get install -y chromium; CI installs it), or run with -D" + SKIP + "=true to skip"
                    + " this check");
        }
    }

    /** Runs headless Chromium on {@code page} with {@code extra} options; returns its standard output. */
    static String chromium(Path work, String tag, List<String> extra, Path page) throws IOException,
            InterruptedException {
        Path profile = Files.createTempDirectory(work, "chromium-" + tag + "-");
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile, "--virtual-time-budget=5000"));
        cmd.addAll(extra);
        cmd.add(page.toUri().toString());
        Path stdout = work.resolve(tag + ".out");
        Path stderr = work.resolve(tag + ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("chromium did not finish in 120 s: " + cmd + "\n" + tail(stderr));
        }
        String out = Files.readString(stdout, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            fail("chromium exited " + p.exitValue() + ": " + cmd + "\n" + tail(stderr));
        }
        return out;
    }

    private static String tail(Path file) throws IOException {
        String s = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
    }
}
