package clipbench.reports;

import static clipbench.reports.ReportAssertions.assertLinksRelativeAndPresent;
import static clipbench.reports.ReportAssertions.assertPngNotBlank;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.protocol.ThumbnailKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's upsamplers section: the comparison table, its charts and the strip of example images. */
class UpsamplerComparisonTest {
    private static final Pattern TABLE = Pattern.compile("(?s)<table class=\"data upsamplers\".*?</table>");
    private static final Pattern HEADER = Pattern.compile("<th>([^<]*)</th>");
    private static final Pattern ROW = Pattern.compile("(?s)<tr><td>([^<]*)</td><td>([^<]*)</td>(.*?)</tr>");
    private static final Pattern CELL = Pattern.compile("<td class=\"num( best)?\">(?:<strong>)?([^<]*)");
    private static final Pattern STRIP = Pattern.compile("(?s)<table class=\"strip\".*?</table>");
    private static final Pattern STRIP_IMG = Pattern.compile(
            "<img data-src=\"([^\"]*)\" src=\"data:image/png;base64,[^\"]*\" width=\"(\\d+)\" height=\"(\\d+)\"( class=\"pixelated\")? data-column=\"([^\"]*)\""
                    + " data-item=\"([^\"]*)\"");

    /** Two upsamplers on two backends that agree, lite and pro k-shot over 3 seeds, zero-shot. */
    private static Path run(Path root, double djlShift) throws Exception {
        SyntheticRun r = new SyntheticRun("run-up").standard("onnx", "nearest", 0.3)
                .standard("onnx", "esrgan-slim-x8", 0.45).standard("djl", "nearest", 0.3 + djlShift)
                .standard("djl", "esrgan-slim-x8", 0.45);
        Path dir = root.resolve("run-up");
        r.write(dir);
        return dir;
    }

    @Test
    void tableEqualsTheSummaryAndTheStripShowsTheSameItemsInEveryColumn(@TempDir Path root) throws Exception {
        Path run = run(root, 0);
        Path out = root.resolve("report");
        ReportBuilder.Result result = ReportBuilder.build(List.of(run), out);
        String page = Files.readString(result.html());
        assertTrue(page.contains("href=\"#upsamplers\""), "in the navigation");

        // summary.csv by backend|upsampler|protocol|head|k: the cell text as the table must write it
        Map<String, String> expected = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(result.summary());
        List<String> columns = List.of(lines.get(0).split(",", -1));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",", -1);
            String std = f[columns.indexOf("top1_std")];
            double mean = Double.parseDouble(f[columns.indexOf("top1_mean")]);
            String cell = String.format(Locale.ROOT, "%.1f", 100 * mean) + (std.isEmpty() ? ""
                    : String.format(Locale.ROOT, " ± %.1f", 100 * Double.parseDouble(std)));
            expected.put(String.join("|", f[0], f[3], f[4], f[5], f[columns.indexOf("k")]), cell);
        }

        Matcher t = TABLE.matcher(page);
        assertTrue(t.find(), "an upsampler comparison table");
        String table = t.group();
        assertFalse(TABLE.matcher(page).region(t.end(), page.length()).find(), "one dataset, one table");
        List<String> header = new ArrayList<>();
        Matcher h = HEADER.matcher(table.substring(0, table.indexOf("</thead>")));
        while (h.find()) {
            header.add(h.group(1));
        }
        assertEquals(List.of("backbone", "upsampler", "zero-shot", "lite k=1", "lite k=2", "lite k=all", "pro k=1",
                "pro k=2", "pro k=all"), header);
        List<String> conditions = List.of("zero-shot|zero-shot|0", "k-shot|lite|1", "k-shot|lite|2",
                "k-shot|lite|all", "k-shot|pro|1", "k-shot|pro|2", "k-shot|pro|all");
        Matcher row = ROW.matcher(table);
        List<String> upsamplers = new ArrayList<>();
        while (row.find()) {
            assertEquals("tiny-clip-vit", row.group(1));
            String up = row.group(2);
            upsamplers.add(up);
            Matcher cell = CELL.matcher(row.group(3));
            for (String condition : conditions) {
                assertTrue(cell.find(), up + " " + condition);
                // the backends agree: one row per upsampler, the values of djl (first by name)
                assertEquals(expected.get("djl|" + up + "|" + condition), cell.group(2), up + " " + condition);
                assertEquals(expected.get("onnx|" + up + "|" + condition), cell.group(2), up + " " + condition);
                assertEquals(up.equals("esrgan-slim-x8"), cell.group(1) != null, "best marked: " + up + " " + condition);
            }
            assertFalse(cell.find(), "one cell per column");
        }
        assertEquals(List.of("nearest", "esrgan-slim-x8"), upsamplers, "classical upsamplers first");
        assertTrue(page.contains("values of backend djl; onnx agree within 0.5 pp (largest difference 0.0 pp)"), page);

        // one chart per backbone and k-shot head
        for (String head : List.of("lite", "pro")) {
            Path png = out.resolve("charts/upsamplers-by-k_emoji-fruit_tiny-clip-vit_k-shot_" + head + ".png");
            assertPngNotBlank(png);
            assertTrue(result.charts().contains(png), result.charts().toString());
            assertTrue(page.contains("data-src=\"charts/upsamplers-by-k_emoji-fruit_tiny-clip-vit_k-shot_" + head + ".png\""));
        }

        // the strip: original, nearest, esrgan-slim-x8; the same items in each, from four classes
        Matcher s = STRIP.matcher(page);
        assertTrue(s.find(), "an example strip");
        Map<String, List<String>> items = new LinkedHashMap<>();
        Matcher img = STRIP_IMG.matcher(s.group());
        while (img.find()) {
            String column = img.group(5);
            String item = img.group(6);
            items.computeIfAbsent(column, c -> new ArrayList<>()).add(item);
            assertEquals(48, Integer.parseInt(img.group(2)), "every image at the widest stored width (48 px)");
            assertEquals(column.equals(ExampleStrip.ORIGINAL), img.group(4) != null, "pixelated when enlarged");
            String upsampler = column.equals(ExampleStrip.ORIGINAL) ? ThumbnailKey.ORIGINAL : column;
            assertArrayEquals(Files.readAllBytes(Thumbnails.file(run, new ThumbnailKey("emoji-fruit", upsampler, item))),
                    Files.readAllBytes(out.resolve(img.group(1))), "the run's thumbnail, copied: " + column + " " + item);
        }
        assertEquals(List.of(ExampleStrip.ORIGINAL, "nearest", "esrgan-slim-x8"), List.copyOf(items.keySet()));
        List<String> first = items.get(ExampleStrip.ORIGINAL);
        assertEquals(ExampleStrip.ITEMS, first.size());
        items.values().forEach(v -> assertEquals(first, v, "same items in every column"));
        assertEquals(ExampleStrip.ITEMS, first.stream().map(i -> i.split("/")[1]).distinct().count(),
                "classes in turn: " + first);
        assertLinksRelativeAndPresent(result.html());
    }

    @Test
    void backendsThatDisagreeGetTheirOwnRowsAndOneUpsamplerGetsNoTable(@TempDir Path root) throws Exception {
        List<Summary.Row> summary = Summary.of(RunData.load(run(root, 0.05)).results());
        List<UpsamplerComparison.Table> tables = UpsamplerComparison.of(summary);
        assertEquals(1, tables.size());
        UpsamplerComparison.Table t = tables.get(0);
        assertEquals(List.of("djl|nearest", "djl|esrgan-slim-x8", "onnx|nearest", "onnx|esrgan-slim-x8"),
                t.lines().stream().map(l -> l.backend() + "|" + l.upsampler()).toList());
        assertTrue(t.sources().get("tiny-clip-vit").contains("differ by up to 5.0 pp"), t.sources().toString());
        // each cell is the summary row of its backend, upsampler and condition
        for (UpsamplerComparison.Line l : t.lines()) {
            for (int i = 0; i < t.columns().size(); i++) {
                Summary.Row c = t.columns().get(i);
                Summary.Row expected = summary.stream().filter(r -> r.backend().equals(l.backend())
                        && r.upsampler().equals(l.upsampler()) && r.protocol().equals(c.protocol())
                        && r.head().equals(c.head()) && r.k() == c.k()).findFirst().orElseThrow();
                assertEquals(expected, l.cells().get(i).row());
            }
        }

        Path single = root.resolve("single");
        new SyntheticRun("run-one").standard("onnx", "bicubic", 0.5).write(single);
        assertTrue(UpsamplerComparison.of(Summary.of(RunData.load(single).results())).isEmpty());
        ReportBuilder.Result result = ReportBuilder.build(List.of(single), single);
        String page = Files.readString(result.html());
        assertFalse(page.contains("class=\"data upsamplers\""), "no comparison with one upsampler");
        assertTrue(page.contains("<table class=\"strip\""), "the strip still shows original and bicubic");
    }
}
