package clipbench.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartsTest {

    @Test
    void kTicksAreCategoricalWithAllLast() {
        List<Integer> ks = List.of(1, 2, 4, ReportRow.K_ALL);
        assertEquals("1", Charts.kTick(0.0, ks));
        assertEquals("4", Charts.kTick(2.0, ks));
        assertEquals("all", Charts.kTick(3.0, ks));
        // blanks elsewhere, but distinct ones (XChart wants distinct tick labels)
        assertEquals("  ", Charts.kTick(1.5, ks));
        assertEquals(" ", Charts.kTick(-1.0, ks));
        assertEquals("   ", Charts.kTick(4.0, ks));
    }

    private static ReportRow row(String head, String k, String seed, String top1) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("backend", "onnx");
        m.put("backbone", "tiny");
        m.put("dataset", "fruit");
        m.put("upsampler", "bicubic");
        m.put("protocol", head.equals("zero-shot") ? "zero-shot" : "k-shot");
        m.put("head", head);
        m.put("k", k);
        m.put("seed", seed);
        m.put("top1", top1);
        return new ReportRow(m);
    }

    @Test
    void aSingleKStillDraws(@TempDir Path dir) throws Exception {
        List<ReportRow> rows = new ArrayList<>(List.of(row("lite", "all", "0", "0.4"), row("lite", "all", "1", "0.5"),
                row("zero-shot", "0", "-1", "0.3")));
        List<Charts.Figure> f = facets(rows, dir);
        assertEquals(1, f.size());
        assertTrue(Files.size(dir.resolve(f.get(0).png())) > 1000);
        assertTrue(Files.readString(dir.resolve(f.get(0).svg())).contains("<svg"));
    }

    @Test
    void linesWithDifferentKsDrawPromptly(@TempDir Path dir) throws Exception {
        // the first line lacks the middle k: XChart once looped forever on such tick positions
        List<ReportRow> rows = new ArrayList<>();
        for (String k : List.of("1", "all")) {
            rows.add(withBackend(row("lite", k, "0", "0.4"), "a-first"));
        }
        for (String k : List.of("1", "2", "8", "all")) {
            rows.add(withBackend(row("pro", k, "0", "0.6"), "b-second"));
            rows.add(withBackend(row("pro", k, "1", "0.7"), "b-second"));
        }
        rows.add(withBackend(row("zero-shot", "0", "-1", "0.3"), "b-second"));
        List<Charts.Figure> f = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                java.time.Duration.ofSeconds(30), () -> facets(rows, dir));
        assertEquals(1, f.size());
        ReportAssertions.assertPngNotBlank(dir.resolve(f.get(0).png()));
        // (XChart's SVG draws text as paths, so the tick labels are checked by eye, not here)
        assertTrue(Files.readString(dir.resolve(f.get(0).svg())).contains("<svg"));
    }

    /** The headline's top-1 vs k panels of {@code rows} (no parity: backends folded only where alone). */
    private static List<Charts.Figure> facets(List<ReportRow> rows, Path dir) throws java.io.IOException {
        List<Charts.Figure> out = new ArrayList<>();
        for (Headline h : Headline.of(Summary.of(rows), BackendParity.of(List.of()))) {
            out.addAll(FacetCharts.panels(h, dir, new java.util.HashSet<>()));
        }
        return out;
    }

    private static ReportRow withBackend(ReportRow r, String backend) {
        Map<String, String> m = new LinkedHashMap<>(r.cells());
        m.put("backend", backend);
        return new ReportRow(m);
    }

    @Test
    void noKShotRowsMeansNoAccuracyVsKChart(@TempDir Path dir) throws Exception {
        List<String> notes = new ArrayList<>();
        List<Charts.Figure> f = facets(List.of(row("zero-shot", "0", "-1", "0.3")), dir);
        assertTrue(f.isEmpty());
        assertEquals(1, Charts.upsamplerBars(Summary.of(List.of(row("zero-shot", "0", "-1", "0.3"))), dir, notes)
                .size());
    }
}
