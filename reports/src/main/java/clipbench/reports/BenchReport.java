package clipbench.reports;

import clipbench.api.io.AtomicFiles;
import clipbench.protocol.bench.Agreement;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler;

/**
 * {@code bench.html} beside {@code bench.csv}: a throughput chart (XChart, {@code charts/bench-throughput.*}) and
 * the table of every row. Made from bench.csv alone, like report.html from a run directory; a bench folder has
 * no results.csv or run.json, so it gets its own page instead of a section of report.html.
 */
public final class BenchReport {
    public static final String FILE = "bench.html";
    private static final List<String> SHOWN = List.of("backend", "precision", "equivalent", "speedup_vs_fp32",
            "min_cosine_vs_fp32", "top1_agreement_vs_fp32", "precision_note", "batch", "threads", "model_load_ms",
            "first_batch_ms", "images_per_second", "images_per_second_spread_pct", "latency_p50_ms", "latency_p90_ms",
            "latency_p99_ms", "peak_rss_mb", "java_heap_mb", "pipeline_images_per_second", "raw_images_per_second",
            "pipeline_raw_ratio");
    private static final List<String> PROVENANCE = List.of("backend", "model", "model_sha256", "image_size",
            "clipbench_version", "runtime_version", "java_version", "os", "cpu_model", "cpu_flags",
            "available_processors", "repeats", "seconds_per_repeat", "warmup_seconds");

    private BenchReport() {
    }

    /** Reads {@code dir/bench.csv}, writes the chart and {@code dir/bench.html}; returns the page. */
    public static Path write(Path dir) throws IOException {
        List<Map<String, String>> rows = BenchCsv.read(dir.resolve(BenchCsv.FILE));
        Charts.Figure figure = rows.isEmpty() ? null : throughputChart(rows, dir);
        Path page = dir.resolve(FILE);
        AtomicFiles.write(page, out -> out.write(render(rows, figure)));
        return page;
    }

    static Charts.Figure throughputChart(List<Map<String, String>> rows, Path dir) throws IOException {
        Map<String, Map<String, Double>> bySeries = new LinkedHashMap<>();
        Set<String> categories = new LinkedHashSet<>();
        for (Map<String, String> r : rows) {
            String threads = "0".equals(r.get("threads")) ? "default threads" : r.get("threads") + " threads";
            String category = "batch " + r.get("batch") + ", " + threads;
            categories.add(category);
            bySeries.computeIfAbsent(r.get("backend") + " " + r.get("precision"), x -> new LinkedHashMap<>())
                    .put(category, Double.parseDouble(r.get("images_per_second")));
        }
        CategoryChart chart = new CategoryChartBuilder().width(960).height(560).title("Backbone throughput")
                .xAxisTitle("").yAxisTitle("images per second (median of repeats)").build();
        Charts.style(chart.getStyler());
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisTitleVisible(false);
        chart.getStyler().setLabelsVisible(false);
        if (categories.size() > 4) {
            chart.getStyler().setXAxisLabelRotation(30);
        }
        List<String> cats = new ArrayList<>(categories);
        int color = 0;
        for (Map.Entry<String, Map<String, Double>> e : bySeries.entrySet()) {
            // every backend runs every batch x threads, so no bar is missing
            List<Double> y = cats.stream().map(c -> e.getValue().getOrDefault(c, 0.0)).toList();
            CategorySeries s = chart.addSeries(e.getKey(), cats, y);
            s.setFillColor(Charts.color(color++));
            s.setLineColor(Color.DARK_GRAY);
        }
        return Charts.save(chart, dir, "bench-throughput", "Backbone throughput",
                "Bar chart: median images per second over repeats for each backend at each batch size and thread"
                        + " count (synthetic input, warm-up excluded).");
    }

    static String render(List<Map<String, String>> rows, Charts.Figure figure) {
        StringBuilder h = new StringBuilder(16_384);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>clipbench bench")
                .append("</title>\n<style>\n").append(HtmlReport.CSS)
                .append("tr.not-equivalent td { background: #fde2e2; }\n").append("</style>\n</head>\n<body>\n")
                .append("<header><h1>clipbench bench</h1></header>\n<main>\n<section>\n<p>Each row ran in its own JVM")
                .append(" (peak RSS is that process's VmHWM). Rates: median over repeats, spread = (max &minus; min)")
                .append(" / median; latencies: nearest-rank percentiles of every timed batch call. Warm-up excluded.")
                .append(" All numbers in <a href=\"").append(BenchCsv.FILE).append("\">").append(BenchCsv.FILE)
                .append("</a>.</p>\n");
        if (figure != null) {
            h.append("<figure><img src=\"").append(HtmlReport.esc(figure.png())).append("\" alt=\"")
                    .append(HtmlReport.esc(figure.alt())).append("\"></figure>\n");
        }
        table(h, rows, SHOWN);
        if (!rows.isEmpty()) {
            h.append("<h2>Provenance</h2>\n");
            Map<String, Map<String, String>> perBackend = new LinkedHashMap<>();
            rows.forEach(r -> perBackend.putIfAbsent(r.get("backend"), r));
            table(h, new ArrayList<>(perBackend.values()), PROVENANCE);
        }
        return h.append("</section>\n</main>\n</body>\n</html>\n").toString();
    }

    private static void table(StringBuilder h, List<Map<String, String>> rows, List<String> columns) {
        h.append("<div class=\"scroll\"><table class=\"data\">\n<thead><tr>");
        columns.forEach(c -> h.append("<th>").append(HtmlReport.esc(c)).append("</th>"));
        h.append("</tr></thead>\n<tbody>\n");
        for (Map<String, String> r : rows) {
            // a reduced precision whose predictions differ from fp32 is marked, never shown as equivalent
            boolean differs = "false".equals(r.get("equivalent"));
            h.append(differs ? "<tr class=\"not-equivalent\" title=\"NOT EQUIVALENT to fp32: top-1 agreement below "
                    + Agreement.EQUIVALENT_TOP1 + "\">" : "<tr>");
            columns.forEach(c -> h.append("<td>").append(HtmlReport.esc(differs && c.equals("equivalent")
                    ? "NOT EQUIVALENT" : r.getOrDefault(c, ""))).append("</td>"));
            h.append("</tr>\n");
        }
        h.append("</tbody></table></div>\n");
    }
}
