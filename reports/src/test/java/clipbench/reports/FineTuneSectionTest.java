package clipbench.reports;

import static clipbench.reports.ReportAssertions.assertLinksRelativeAndPresent;
import static clipbench.reports.ReportAssertions.assertPngNotBlank;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's fine-tuning section: the table by mode, top-1 by mode, training curves, inference-only backends. */
class FineTuneSectionTest {
    private static final Pattern SECTION = Pattern.compile("(?s)<section id=\"finetune\">.*?</section>");
    private static final Pattern TABLE = Pattern.compile("(?s)<table class=\"data finetune\".*?</table>");
    private static final Pattern HEADER = Pattern.compile("<th>([^<]*)</th>");
    private static final Pattern ROW = Pattern.compile("(?s)<tr>(<td.*?)</tr>");
    private static final Pattern CELL = Pattern.compile("<td[^>]*>([^<]*)</td>");

    private static final String[] KS = {"1", "4"};
    private static final List<String> MODES = List.of("head", "last:1", "last:2");
    private static final String ONNX_NOTE = "backend onnx is inference-only: it cannot train the image tower";

    /**
     * djl trains lite and pro with head, last:1, last:2 at k = 1, 4 over 3 seeds; onnx has the head rows and, for the
     * trained modes, rows that say it is inference-only. Seed s stops after 5 + s + (index of k) epochs, best 2 + s.
     */
    static Path run(Path root) throws Exception {
        SyntheticRun r = new SyntheticRun("run-ft");
        for (String backend : List.of("djl", "onnx")) {
            r.row(backend, "bicubic", "zero-shot", "zero-shot", "0", -1, 0.4, 0.7, 0.35);
        }
        for (String head : List.of("lite", "pro")) {
            for (int ki = 0; ki < KS.length; ki++) {
                for (int seed = 0; seed < 3; seed++) {
                    for (int mi = 0; mi < MODES.size(); mi++) {
                        String mode = MODES.get(mi);
                        double top1 = 0.4 + 0.1 * ki + 0.05 * mi + (head.equals("pro") ? 0.03 : 0) + 0.02 * seed;
                        if (mode.equals("head")) {
                            for (String backend : List.of("djl", "onnx")) {
                                r.tuned(backend, "bicubic", "k-shot", head, KS[ki], seed, top1, "",
                                        new SyntheticRun.Training("head", 0, -1, params(head, mi), 0.1 + 0.1 * seed));
                            }
                            continue;
                        }
                        int epochs = 5 + seed + ki;
                        r.tuned("djl", "bicubic", "fine-tune", head, KS[ki], seed, top1, "",
                                new SyntheticRun.Training(mode, epochs, 2 + seed, params(head, mi), fit(mi, seed)));
                        r.tuned("onnx", "bicubic", "fine-tune", head, KS[ki], seed, Double.NaN, ONNX_NOTE,
                                new SyntheticRun.Training(mode, 0, -1, 0, 0));
                        for (int e = 0; e <= epochs; e++) {
                            r.epoch("djl", "bicubic", head, mode, KS[ki], seed, e, loss(e, seed),
                                    Math.min(1, 0.3 + 0.05 * e));
                        }
                    }
                }
            }
        }
        Path dir = root.resolve("run-ft");
        r.write(dir);
        return dir;
    }

    private static long params(String head, int mode) {
        return 1000L * mode + (head.equals("pro") ? 10 : 20);
    }

    private static double fit(int mode, int seed) {
        return 1.0 + mode + 0.5 * seed;
    }

    private static double loss(int epoch, int seed) {
        return 2.0 / (1 + epoch) + 0.1 * seed;
    }

    @Test
    void tableEqualsTheSummaryChartsAreDrawnAndInferenceOnlyIsSaidOnce(@TempDir Path root) throws Exception {
        Path out = root.resolve("report");
        ReportBuilder.Result result = ReportBuilder.build(List.of(run(root)), out);
        String page = Files.readString(result.html());
        assertTrue(page.contains("<a href=\"#finetune\">Fine-tuning</a>"), "in the navigation");
        assertTrue(page.contains("<th>finetune</th>"), "the summary table shows the mode");

        // summary.csv by backend|head|finetune|k, by column name: the cell text the table must show
        Map<String, String> expected = new LinkedHashMap<>();
        for (ReportRow s : ReportCsv.readAll(result.summary())) {
            Summary.Stat top1 = new Summary.Stat((int) s.integer("n_seeds", 0), s.number("top1_mean"),
                    s.number("top1_std"));
            expected.put(String.join("|", s.get("backend"), s.get("head"), s.get("finetune"), s.get("k")),
                    HtmlReport.percent(top1));
        }

        Matcher section = SECTION.matcher(page);
        assertTrue(section.find(), "a fine-tuning section");
        Matcher t = TABLE.matcher(section.group());
        assertTrue(t.find(), "a fine-tuning table");
        String table = t.group();
        List<String> header = new ArrayList<>();
        Matcher h = HEADER.matcher(table.substring(0, table.indexOf("</thead>")));
        while (h.find()) {
            header.add(h.group(1));
        }
        assertEquals(List.of("backbone", "head", "mode", "k=1", "k=4", "trainable params", "epochs: best / run",
                "fit s"), header, "one backend trained: no backend column");
        List<List<String>> rows = new ArrayList<>();
        Matcher row = ROW.matcher(table);
        while (row.find()) {
            List<String> cells = new ArrayList<>();
            Matcher c = CELL.matcher(row.group(1));
            while (c.find()) {
                cells.add(c.group(1));
            }
            rows.add(cells);
        }
        List<String> order = new ArrayList<>();
        for (List<String> cells : rows) {
            String head = cells.get(1);
            String mode = cells.get(2);
            int mi = MODES.indexOf(mode);
            order.add(head + " " + mode);
            assertEquals("tiny-clip-vit", cells.get(0));
            for (int ki = 0; ki < KS.length; ki++) {
                assertEquals(expected.get(String.join("|", "djl", head, mode, KS[ki])), cells.get(3 + ki),
                        head + " " + mode + " k=" + KS[ki]);
            }
            assertEquals(String.format(Locale.ROOT, "%,d", params(head, mi)), cells.get(5), "trainable params");
            // best epoch 2 + seed, epochs 5 + seed + index of k: means 3.0 and 6.5; fit s averaged the same way
            assertEquals(mode.equals("head") ? "–" : "3.0 / 6.5", cells.get(6), head + " " + mode + " epochs");
            double fit = mode.equals("head") ? 0.2 : fit(mi, 1);
            assertEquals(String.format(Locale.ROOT, "%.2f", fit), cells.get(7), head + " " + mode + " fit s");
        }
        assertEquals(List.of("lite head", "lite last:1", "lite last:2", "pro head", "pro last:1", "pro last:2"), order,
                "head first, then the trained modes by depth; onnx trained nothing and has no line");

        // onnx's 24 inference-only rows: one line in the section, not repeated there or in the notes
        String sec = section.group();
        assertEquals(1, count(sec, "cannot train the image tower"), sec);
        assertTrue(sec.contains("onnx: inference-only, cannot train the image tower (asked: last:1, last:2)."), sec);
        String notes = page.substring(page.indexOf("<section id=\"notes\">"));
        assertFalse(notes.contains("inference-only"), notes);
        assertFalse(result.notes().stream().anyMatch(n -> n.contains("inference-only")), result.notes().toString());

        // top-1 by mode, and one training chart per trained mode
        for (String name : List.of("finetune-by-k_emoji-fruit_djl_tiny-clip-vit_bicubic",
                "training_emoji-fruit_djl_tiny-clip-vit_bicubic_last-1",
                "training_emoji-fruit_djl_tiny-clip-vit_bicubic_last-2")) {
            Path png = out.resolve("charts/" + name + ".png");
            assertPngNotBlank(png);
            assertTrue(Files.size(out.resolve("charts/" + name + ".svg")) > 0, name + ".svg");
            assertTrue(result.charts().contains(png), result.charts().toString());
            assertTrue(sec.contains("data-src=\"charts/" + name + ".png\""), name + " in the section");
        }
        try (Stream<Path> charts = Files.list(out.resolve("charts"))) {
            assertEquals(3, charts.filter(p -> p.getFileName().toString().matches("(finetune|training).*\\.png"))
                    .count(), "no chart for a head mode or for onnx");
        }
        assertLinksRelativeAndPresent(result.html());
    }

    @Test
    void curvesAreTheMeanOverTheSeedsThatReachedEachEpoch(@TempDir Path root) throws Exception {
        RunData run = RunData.load(run(root));
        List<ReportRow> training = run.training().orElseThrow();
        FineTuneComparison.Table t = FineTuneComparison.of(Summary.of(run.results()), run.results()).get(0);
        FineTuneComparison.Line lite1 = t.lines().stream()
                .filter(l -> l.head().equals("lite") && l.mode().equals("last:1")).findFirst().orElseThrow();
        FineTuneCharts.Curve c = FineTuneCharts.Curve.of(training, t.dataset(), lite1, 1);
        // k = 1: seeds 0, 1, 2 stop after 5, 6, 7 epochs
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7), c.epochs());
        assertEquals((loss(0, 0) + loss(0, 1) + loss(0, 2)) / 3, c.trainLoss().get(0), 1e-6);
        assertEquals((loss(6, 1) + loss(6, 2)) / 2, c.trainLoss().get(6), 1e-6, "seed 0 stopped at 5");
        assertEquals(loss(7, 2), c.trainLoss().get(7), 1e-6, "only seed 2 reached 7");
        assertEquals(100 * (0.3 + 0.05 * 7), c.valAccuracy().get(7), 1e-4);
    }

    @Test
    void noSectionWithoutFineTuneRows(@TempDir Path root) throws Exception {
        Path dir = root.resolve("plain");
        new SyntheticRun("run-plain").standard("djl", "bicubic", 0.4).write(dir);
        assertTrue(FineTuneComparison.of(Summary.of(RunData.load(dir).results()), RunData.load(dir).results())
                .isEmpty());
        ReportBuilder.Result result = ReportBuilder.build(List.of(dir), dir);
        String page = Files.readString(result.html());
        assertFalse(page.contains("id=\"finetune\""), "no section");
        assertFalse(page.contains("#finetune"), "no navigation link");
        assertFalse(result.charts().stream().anyMatch(p -> p.getFileName().toString().startsWith("finetune")
                || p.getFileName().toString().startsWith("training")), result.charts().toString());
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
