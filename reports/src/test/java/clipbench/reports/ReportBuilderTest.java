package clipbench.reports;

import static clipbench.reports.ReportAssertions.assertLinksRelativeAndPresent;
import static clipbench.reports.ReportAssertions.assertPngNotBlank;
import static clipbench.reports.ReportAssertions.imgSources;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportBuilderTest {

    /** onnx with two upsamplers, zero-shot plus lite/pro k-shot; its thumbnails in the run directory. */
    static Path runA(Path root) throws IOException {
        SyntheticRun a = new SyntheticRun("run-a").standard("onnx", "bicubic", 0.5).standard("onnx", "none", 0.4);
        a.runJson.put("backend", List.of("onnx"));
        a.runJson.put("model", "testdata/models/tiny-clip-vit");
        a.runJson.put("dataset", "imagefolder:data/emoji-fruit");
        a.runJson.put("protocol", List.of("zero-shot", "k-shot"));
        a.runJson.put("upsampler", List.of("bicubic", "none"));
        Path dir = root.resolve("runs/run-a");
        a.write(dir);
        return dir;
    }

    /** djl without a text tower (zero-shot skipped), lite k-shot only; its dataset_root names no folder. */
    static Path runB(Path root) throws IOException {
        SyntheticRun b = new SyntheticRun("run-b");
        b.skipped("djl", "bicubic", "zero-shot", "zero-shot", "0", -1, "needs a text tower");
        b.row("djl", "bicubic", "k-shot", "lite", "1", 0, 0.3, 0.6, 0.25);
        b.row("djl", "bicubic", "k-shot", "lite", "1", 1, 0.4, 0.7, 0.35);
        b.row("djl", "bicubic", "k-shot", "lite", "all", 0, 0.75, 0.9, 0.7);
        b.runJson.put("backend", List.of("djl"));
        b.runJson.put("dataset", "imagefolder:elsewhere/emoji-fruit");
        b.runJson.put("dataset_root", root.resolve("gone/emoji-fruit").toAbsolutePath().toString());
        Path dir = root.resolve("runs/run-b");
        b.write(dir);
        return dir;
    }

    private static List<Path> files(Path dir, String ext) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(ext)).sorted(Comparator.naturalOrder()).toList();
        }
    }

    @Test
    void oneRunInPlaceWritesSummaryChartsGalleriesAndPage(@TempDir Path root) throws Exception {
        Path run = runA(root);
        byte[] resultsBefore = Files.readAllBytes(run.resolve("results.csv"));
        ReportBuilder.Result result = ReportBuilder.build(List.of(run), run);

        assertEquals(run.toAbsolutePath().normalize(), result.out());
        assertArrayEquals(resultsBefore, Files.readAllBytes(run.resolve("results.csv")), "inputs untouched");

        // summary.csv: lite k=1 on bicubic has top-1 0.60, 0.62, 0.64 over seeds 0..2
        List<String> summary = Files.readAllLines(run.resolve("summary.csv"));
        assertEquals(String.join(",", Summary.COLUMNS), summary.get(0));
        assertTrue(summary.contains("onnx,tiny-clip-vit,emoji-fruit,bicubic,k-shot,lite,,1,3,0.620000,0.020000,"
                + "0.820000,0.020000,0.600000,0.020000,"), String.join("\n", summary));
        assertTrue(summary.contains("onnx,tiny-clip-vit,emoji-fruit,bicubic,zero-shot,zero-shot,,0,1,0.500000,,"
                + "0.800000,,0.450000,,"), String.join("\n", summary));
        // 2 upsamplers × (1 zero-shot + 2 heads × 3 k) = 14 rows; "all" after 2 for each head
        assertEquals(15, summary.size());
        int k2 = summary.indexOf(summary.stream().filter(l -> l.contains(",bicubic,k-shot,lite,,2,")).findFirst()
                .orElseThrow());
        assertTrue(summary.get(k2 + 1).contains(",bicubic,k-shot,lite,,all,"));

        // charts: PNG + SVG, PNGs decode and are not flat
        List<Path> pngs = files(run.resolve("charts"), ".png");
        List<String> names = pngs.stream().map(p -> p.getFileName().toString()).toList();
        assertTrue(names.containsAll(List.of("upsamplers.png", "backends.png"))
                && names.stream().anyMatch(n -> n.startsWith("accuracy-vs-k_")), names.toString());
        assertEquals(2, names.stream().filter(n -> n.startsWith("confusion_")).count(), names.toString());
        for (Path png : pngs) {
            assertPngNotBlank(png);
            Path svg = png.resolveSibling(png.getFileName().toString().replace(".png", ".svg"));
            assertTrue(Files.readString(svg).contains("<svg"), svg + " is no SVG");
        }
        assertEquals(result.charts().size(), pngs.size() * 2);

        // galleries: zero-shot and the best k-shot head (pro, k=all) for each upsampler
        List<Path> galleries = files(run.resolve("gallery"), ".png");
        assertEquals(4, galleries.size(), galleries.toString());
        for (Path g : galleries) {
            assertPngNotBlank(g);
        }
        assertTrue(galleries.stream().anyMatch(p -> p.getFileName().toString().contains("pro_kall")), galleries.toString());

        // the page: relative links to files that exist, every image present
        Path html = run.resolve("report.html");
        assertLinksRelativeAndPresent(html);
        List<String> imgs = imgSources(html);
        List<Path> examples = files(run.resolve(ExampleStrip.DIR), ".png");
        assertEquals(3 * ExampleStrip.ITEMS, examples.size(), "original, bicubic, none: " + examples);
        assertEquals(pngs.size() + galleries.size() + examples.size(), imgs.size(), imgs.toString());
        String page = Files.readString(html);
        for (String section : List.of("id=\"runs\"", "id=\"summary\"", "id=\"charts\"", "id=\"upsamplers\"",
                "id=\"confusions\"",
                "id=\"per-class\"", "id=\"gallery\"", "id=\"notes\"")) {
            assertTrue(page.contains(section), section);
        }
        assertTrue(page.contains("62.0 ± 2.0"), "summary table in percent");
        assertTrue(page.contains("imagefolder:data/emoji-fruit"), "run settings shown");
        assertTrue(page.contains("href=\"charts/accuracy-vs-k_emoji-fruit_tiny-clip-vit.svg\""), "facet of the backbone");
        assertTrue(page.contains("alt=\"Line chart: top-1 accuracy"));
    }

    @Test
    void twoRunsMergeIntoOneComparison(@TempDir Path root) throws Exception {
        Path a = runA(root);
        Path b = runB(root);
        Path out = root.resolve("cmp");
        ReportBuilder.Result result = ReportBuilder.build(List.of(a, b), out);

        List<String> summary = Files.readAllLines(out.resolve("summary.csv"));
        assertTrue(summary.stream().anyMatch(l -> l.startsWith("onnx,")));
        assertTrue(summary.contains("djl,tiny-clip-vit,emoji-fruit,bicubic,k-shot,lite,,1,2,0.350000,0.070711,"
                + "0.650000,0.070711,0.300000,0.070711,"), String.join("\n", summary));
        assertTrue(summary.contains("djl,tiny-clip-vit,emoji-fruit,bicubic,zero-shot,zero-shot,,0,1,,,,,,,"
                + "needs a text tower"), String.join("\n", summary));
        assertEquals(1 + 14 + 3, summary.size());

        String page = Files.readString(result.html());
        assertTrue(page.contains("Run run-a") && page.contains("Run run-b"));
        assertTrue(page.contains("href=\"../runs/run-a/results.csv\""), "relative link to each run's results");
        // what could not run: said once, on the page, not as notes
        assertTrue(page.contains("<li>zero-shot: needs a text tower — tiny-clip-vit (backends djl)</li>"),
                page.substring(page.indexOf("<section id=\"unavailable\">") + 1).substring(0, 300));
        assertTrue(result.notes().stream().noneMatch(n -> n.contains("needs a text tower")), result.notes().toString());
        // djl's gallery drew its own run's thumbnails
        assertTrue(result.galleries().stream().anyMatch(p -> p.getFileName().toString().startsWith("gallery_djl")),
                result.galleries().toString());
        assertLinksRelativeAndPresent(result.html());
        for (String src : imgSources(result.html())) {
            assertPngNotBlank(out.resolve(src.replaceAll("\\.svg$", ".png")));
        }
        // the backend chart compares both
        assertTrue(Files.readString(out.resolve("charts/backends.svg")).length() > 1000);
    }

    @Test
    void backendsThatPredictedAlikeShareOneGalleryAndOthersKeepTheirOwn(@TempDir Path root) throws Exception {
        Path same = root.resolve("same");
        new SyntheticRun("run-same").standard("onnx", "bicubic", 0.5).standard("djl", "bicubic", 0.5).write(same);
        ReportBuilder.Result shared = ReportBuilder.build(List.of(same), root.resolve("report-same"));
        assertTrue(shared.galleries().stream().allMatch(p -> p.getFileName().toString().startsWith("gallery_djl")),
                "drawn once, for the first backend: " + shared.galleries());
        assertTrue(Files.readString(shared.html()).contains("the same predictions on onnx"));

        Path differ = root.resolve("differ");
        new SyntheticRun("run-differ").standard("onnx", "bicubic", 0.5).standard("djl", "bicubic", 0.3).write(differ);
        ReportBuilder.Result own = ReportBuilder.build(List.of(differ), root.resolve("report-differ"));
        assertTrue(own.galleries().stream().anyMatch(p -> p.getFileName().toString().startsWith("gallery_onnx")),
                own.galleries().toString());
        assertEquals(2 * shared.galleries().size(), own.galleries().size(), own.galleries().toString());
    }

    @Test
    void aRepeatedRunIsReadOnceAndRepeatedRowsAreDropped(@TempDir Path root) throws Exception {
        Path a = runA(root);
        Path copy = root.resolve("runs/run-a-copy");
        Files.createDirectories(copy);
        for (String f : List.of("results.csv", "predictions.csv", "run.json")) {
            Files.copy(a.resolve(f), copy.resolve(f));
        }
        ReportBuilder.Result result = ReportBuilder.build(List.of(a, copy, a), root.resolve("out"));
        List<String> summary = Files.readAllLines(result.summary());
        assertTrue(summary.contains("onnx,tiny-clip-vit,emoji-fruit,bicubic,k-shot,lite,,1,3,0.620000,0.020000,"
                + "0.820000,0.020000,0.600000,0.020000,"), "seeds not double counted");
        assertTrue(result.notes().stream().anyMatch(n -> n.contains("repeat rows of run run-a")), result.notes()
                .toString());
        assertTrue(result.notes().stream().anyMatch(n -> n.contains("given twice")));
    }

    @Test
    void missingOptionalFilesLeaveTheirSectionsOut(@TempDir Path root) throws Exception {
        SyntheticRun c = new SyntheticRun("run-c").standard("onnx", "bicubic", 0.5);
        c.confusions = false;
        c.perClass = false;
        c.runJson.put("dataset", "imagefolder:data/emoji-fruit");
        Path dir = root.resolve("run-c");
        c.write(dir);
        ReportBuilder.Result result = ReportBuilder.build(List.of(dir), dir);
        String page = Files.readString(result.html());
        assertFalse(page.contains("id=\"confusions\""));
        assertFalse(page.contains("id=\"per-class\""));
        assertTrue(page.contains("id=\"gallery\""));
        assertTrue(result.notes().stream().anyMatch(n -> n.startsWith("No confusions.csv")));
        assertTrue(result.notes().stream().anyMatch(n -> n.startsWith("No per_class.csv")));
        assertTrue(files(dir.resolve("charts"), ".png").stream()
                .noneMatch(p -> p.getFileName().toString().startsWith("confusion")));
        assertLinksRelativeAndPresent(result.html());
    }

    @Test
    void missingThumbnailsKeepAnEarlierGalleryOrLeaveItOut(@TempDir Path root) throws Exception {
        Path run = runA(root);
        ReportBuilder.build(List.of(run), run);
        List<Path> galleries = files(run.resolve("gallery"), ".png");
        assertEquals(4, galleries.size());
        byte[] before = Files.readAllBytes(galleries.get(0));

        // thumbnails gone: the gallery in place is kept, and a new report folder copies it from the run
        deleteTree(run.resolve(Thumbnails.DIR));
        ReportBuilder.Result again = ReportBuilder.build(List.of(run), run);
        assertArrayEquals(before, Files.readAllBytes(galleries.get(0)));
        assertEquals(4, again.galleries().size());
        assertTrue(again.notes().stream().anyMatch(n -> n.contains("kept the gallery drawn earlier")),
                again.notes().toString());
        ReportBuilder.Result copied = ReportBuilder.build(List.of(run), root.resolve("elsewhere"));
        assertEquals(4, copied.galleries().size());
        assertTrue(copied.notes().stream().anyMatch(n -> n.contains("copied the gallery drawn earlier")));
        assertLinksRelativeAndPresent(copied.html());

        // never drawn: left out, with a note on the page
        SyntheticRun d = new SyntheticRun("run-d").standard("onnx", "bicubic", 0.5);
        d.thumbnails = false;
        Path dd = root.resolve("run-d");
        d.write(dd);
        ReportBuilder.Result none = ReportBuilder.build(List.of(dd), dd);
        assertTrue(none.galleries().isEmpty());
        String page = Files.readString(none.html());
        assertFalse(page.contains("id=\"gallery\""));
        assertTrue(page.contains("the run kept no thumbnails of its test images; gallery omitted"), "note on the page");
        assertLinksRelativeAndPresent(none.html());
    }

    @Test
    void galleriesShowOnlyImagesTheRunKeptThumbnailsOf(@TempDir Path root) throws Exception {
        Path run = runA(root);
        Path folder = Thumbnails.Folder.of(run, "emoji-fruit", "bicubic").dir();
        try (Stream<Path> s = Files.list(folder)) {
            for (Path p : s.filter(p -> !p.getFileName().toString().contains("apple")).toList()) {
                Files.delete(p);
            }
        }
        ReportBuilder.Result result = ReportBuilder.build(List.of(run), run);
        assertEquals(4, result.galleries().size(), result.notes().toString());
        String page = Files.readString(result.html());
        // the bicubic galleries: the 3 apples out of 12 predictions; the none galleries all 12
        assertEquals(2, page.split(": 3 test images captioned", -1).length - 1, page);
        assertEquals(2, page.split(": 12 test images captioned", -1).length - 1, page);
        assertFalse(result.notes().stream().anyMatch(n -> n.contains("could not be read")), result.notes().toString());
    }

    @Test
    void allTextIsEscaped(@TempDir Path root) throws Exception {
        SyntheticRun e = new SyntheticRun("run-<e>");
        e.classes = List.of("a<b>", "c&d", "e\"f", "plain");
        e.row("onnx", "bi<cubic>", "zero-shot", "zero-shot", "0", -1, 0.5, 0.75, 0.5);
        e.skipped("onnx", "bi<cubic>", "k-shot", "lite", "1", 0, "<script>alert(1)</script>");
        e.runJson.put("templates", "<img src=x onerror=alert(1)>");
        Path dir = root.resolve("run-e");
        e.write(dir);
        ReportBuilder.Result result = ReportBuilder.build(List.of(dir), dir);
        String page = Files.readString(result.html());
        assertFalse(page.contains("<script>alert"), "note not escaped");
        assertFalse(page.contains("<img src=x"), "setting not escaped");
        assertFalse(page.contains("a<b>"), "class name not escaped");
        assertTrue(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assertTrue(page.contains("a&lt;b&gt;"));
        assertTrue(page.contains("c&amp;d"));
        assertTrue(page.contains("e&quot;f"));
        assertLinksRelativeAndPresent(result.html());
    }

    @Test
    void aFolderWithoutResultsIsRefused(@TempDir Path root) {
        IOException e = assertThrows(IOException.class, () -> ReportBuilder.build(List.of(root), root));
        assertTrue(e.getMessage().contains("results.csv"), e.getMessage());
    }

    static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
