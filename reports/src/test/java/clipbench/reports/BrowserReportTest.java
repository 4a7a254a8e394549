package clipbench.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.Map;
import java.util.Set;
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
        // a file missing when the page is written keeps its relative src: the browser cannot load it
        String page = Files.readString(result.html());
        Files.writeString(result.html(), page.replaceFirst("<img data-src=\"([^\"]*)\" src=\"data:[^\"]*\"",
                "<img src=\"charts/deleted.png\""));
        String dom = chromium(root, "broken", List.of("--dump-dom"), result.html());
        Matcher broken = BROKEN.matcher(dom);
        assertTrue(broken.find(), "the load script did not run");
        assertEquals(1, Integer.parseInt(broken.group(1)), "the missing image counts as broken");
    }

    @Test
    void thePageIsOneFileThatLoadsWithoutItsFolder(@TempDir Path root) throws Exception {
        requireChromium();
        Path a = ReportBuilderTest.runA(root);
        Path out = root.resolve("report");
        ReportBuilder.Result result = ReportBuilder.build(List.of(a), out);
        int expectedImages = ReportAssertions.imgSources(result.html()).size();
        Path alone = Files.createDirectories(root.resolve("mailed")).resolve("report.html");
        Files.copy(result.html(), alone);
        String dom = chromium(root, "alone", List.of("--dump-dom"), alone);
        Matcher images = IMAGES.matcher(dom);
        Matcher broken = BROKEN.matcher(dom);
        assertTrue(images.find() && broken.find(), "the load script did not run");
        assertEquals(expectedImages, Integer.parseInt(images.group(1)), "images on the page");
        assertEquals(0, Integer.parseInt(broken.group(1)), "every image is in the page itself");
    }

    private static final Pattern HEADLINE = Pattern.compile(
            "(?s)<table class=\"data headline\" data-dataset=\"([^\"]*)\">.*?</table>");
    private static final Pattern HEADLINE_CELL = Pattern.compile("(?s)<td class=\"num[^\"]*\" data-backbone=\"([^\"]*)\""
            + " data-upsampler=\"([^\"]*)\" data-head=\"([^\"]*)\" data-column=\"([^\"]*)\">(.*?)</td>");
    private static final Pattern PART = Pattern.compile(
            "<span class=\"part\" data-backends=\"([^\"]*)\">(?:<small>[^<]*</small> )?([^<]*)</span>");
    private static final Pattern URL = Pattern.compile("(?i)(?<![-\\w])(?:src|href)\\s*=\\s*\"([^\"]*)\"");

    /**
     * The comparison page of two runs as a reader sees it at 1400 px: the headline pivot holds exactly the
     * summary's top-1 values, the page asks for nothing over the network, and the pivot and a chart are within
     * the first 1,500 pixels.
     */
    @Test
    void theHeadlineComesFirstEqualsTheSummaryAndNeedsNoNetwork(@TempDir Path root) throws Exception {
        requireChromium();
        Path out = root.resolve("cmp");
        ReportBuilder.Result result = ReportBuilder.build(List.of(ReportBuilderTest.runA(root),
                ReportBuilderTest.runB(root)), out);
        String page = Files.readString(result.html());

        // no network: a CSP that allows none, no http(s) anywhere, every src a data URI, every href local
        assertTrue(page.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"),
                "CSP");
        assertFalse(page.matches("(?s).*(?i:https?:|//[a-z0-9.-]+\\.[a-z]{2,}/).*"), "a network URL on the page");
        Matcher url = URL.matcher(page);
        int urls = 0;
        while (url.find()) {
            String u = url.group(1);
            boolean src = url.group().toLowerCase(java.util.Locale.ROOT).startsWith("src");
            assertTrue(src ? u.startsWith("data:image/") : u.startsWith("#") || !u.contains(":") || u.startsWith("./"),
                    "external " + url.group().substring(0, Math.min(80, url.group().length())));
            urls++;
        }
        assertTrue(urls > 10, "the page has images and links: " + urls);

        // in the browser, with a probe that writes element positions into the DOM
        String probe = "<script>window.addEventListener('load', function () {"
                + " var t = document.querySelector('table.headline').getBoundingClientRect();"
                + " var c = document.querySelector('.facets img').getBoundingClientRect();"
                + " document.body.dataset.headlineBottom = String(Math.round(t.bottom + window.scrollY));"
                + " document.body.dataset.chartTop = String(Math.round(c.top + window.scrollY));"
                + " document.body.dataset.chartBottom = String(Math.round(c.bottom + window.scrollY)); });</script>";
        Path probed = out.resolve("probe.html");
        Files.writeString(probed, page.replace("</body>", probe + "</body>"));
        String dom = chromium(root, "headline", List.of("--dump-dom", "--window-size=1400,1500"), probed);
        int headlineBottom = attribute(dom, "data-headline-bottom");
        int chartTop = attribute(dom, "data-chart-top");
        int chartBottom = attribute(dom, "data-chart-bottom");
        assertTrue(headlineBottom > 0 && headlineBottom <= 1500, "headline table ends at " + headlineBottom);
        assertTrue(chartBottom > chartTop && chartTop < 1500 - 200, "a chart starts at " + chartTop);

        // every headline cell part equals summary.csv for each backend it names; every summary value is shown once
        Map<String, String> expected = new java.util.HashMap<>();
        for (ReportRow r : ReportCsv.readAll(result.summary())) {
            if (r.get("top1_mean").isEmpty()) {
                continue;
            }
            boolean zeroShot = r.get("protocol").equals(Summary.ZERO_SHOT);
            String head = zeroShot || r.get("finetune").isEmpty() || r.get("finetune").equals("head")
                    ? r.get("head") : r.get("head") + " " + r.get("finetune");
            String std = r.get("top1_std");
            expected.put(String.join("|", r.get("backend"), r.get("backbone"), r.get("dataset"), r.get("upsampler"),
                    head, zeroShot ? Summary.ZERO_SHOT : r.get("k")),
                    String.format(java.util.Locale.ROOT, "%.1f", 100 * r.number("top1_mean"))
                            + (std.isEmpty() ? "" : String.format(java.util.Locale.ROOT, " ± %.1f",
                            100 * Double.parseDouble(std))));
        }
        Set<String> seen = new java.util.HashSet<>();
        Matcher table = HEADLINE.matcher(dom);
        int tables = 0;
        while (table.find()) {
            tables++;
            Matcher cell = HEADLINE_CELL.matcher(table.group());
            while (cell.find()) {
                Matcher part = PART.matcher(cell.group(5));
                while (part.find()) {
                    for (String backend : part.group(1).split(" ")) {
                        String key = String.join("|", backend, cell.group(1), table.group(1), cell.group(2),
                                cell.group(3), cell.group(4));
                        assertEquals(expected.get(key), part.group(2).strip(), key);
                        assertTrue(seen.add(key), "shown twice: " + key);
                    }
                }
            }
        }
        assertEquals(1, tables, "one dataset, one headline table");
        assertEquals(expected.keySet(), seen, "every summary value is in the headline");
        assertTrue(page.indexOf("class=\"data headline\"") < page.indexOf("id=\"details\""), "headline first");

        Path shot = root.resolve("headline.png");
        chromium(root, "headline-shot", List.of("--screenshot=" + shot, "--window-size=1400,1500",
                "--hide-scrollbars"), result.html());
        BufferedImage img = ImageIO.read(shot.toFile());
        assertEquals(1400, img.getWidth());
        assertTrue(ReportAssertions.variance(img) > 100, "screenshot looks blank");
        String keep = System.getProperty("clipbench.keepHeadlineScreenshot");
        if (keep != null && !keep.isEmpty()) {
            Files.copy(shot, Path.of(keep), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static int attribute(String dom, String name) {
        Matcher m = Pattern.compile(name + "=\"(-?\\d+)\"").matcher(dom);
        assertTrue(m.find(), "the probe did not write " + name);
        return Integer.parseInt(m.group(1));
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
