package clipbench.reports;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/**
 * The upsampler comparison of one dataset (the study's question: does a super-resolution network beat
 * bicubic?): top-1 by upsampler for each backbone and condition (zero-shot, each k-shot head and k), as a table
 * of mean ± std over seeds (the summary's values, the best upsampler per backbone and column marked) and one
 * chart per backbone and k-shot head (x = k, one line per upsampler). Only for a dataset with two or more
 * upsamplers.
 *
 * <p>Backends that run the same backbone give the same accuracy up to a few images; when all of a backbone's
 * cells agree within {@link #AGREE} the values of one backend (the one with most rows, then by name) stand for
 * all, and the table says which. Otherwise each backend gets its own rows and lines.
 */
final class UpsamplerComparison {
    /** Largest difference of top-1 means (a fraction) between backends still shown as one line. */
    static final double AGREE = 0.005;

    /** Upsamplers without a network, from least to most smoothing; any other upsampler comes after, by name. */
    private static final List<String> CLASSICAL = List.of("none", "nearest", "bilinear", "bicubic", "lanczos");

    private UpsamplerComparison() {
    }

    /** One table cell: the summary row (null where there is none) and whether it is its column's best. */
    record Cell(Summary.Row row, boolean best) {
    }

    /** One table row and chart line: {@code backend} is empty when one backend stands for all. */
    record Line(String backend, String backbone, String upsampler, List<Cell> cells) {
        /** The upsampler, after the backend where each backend has its own line. */
        String label() {
            return backend.isEmpty() ? upsampler : backend + " · " + upsampler;
        }
    }

    /**
     * The comparison of one dataset.
     *
     * @param columns  one summary row per column, naming its protocol, head and k
     * @param sources  per backbone: which backend's values are shown and why
     */
    record Table(String dataset, List<String> upsamplers, List<Summary.Row> columns, List<Line> lines,
                 Map<String, String> sources) {

        List<String> columnLabels() {
            boolean severalProtocols = columns.stream().filter(r -> !r.zeroShot()).map(Summary.Row::protocol)
                    .distinct().count() > 1;
            return columns.stream().map(r -> Charts.condition(r, severalProtocols)).toList();
        }

        /** The table as HTML: best cells in bold; cells as the summary table writes them. */
        void html(StringBuilder h) {
            h.append("<div class=\"scroll\"><table class=\"data upsamplers\" data-dataset=\"")
                    .append(HtmlReport.esc(dataset)).append("\">\n<caption>Top-1 accuracy (%) by upsampler: ")
                    .append(HtmlReport.esc(dataset)).append("</caption>\n<thead><tr><th>backbone</th>")
                    .append("<th>upsampler</th>");
            columnLabels().forEach(c -> h.append("<th>").append(HtmlReport.esc(c)).append("</th>"));
            h.append("</tr></thead>\n<tbody>\n");
            for (Line l : lines) {
                h.append("<tr><td>").append(HtmlReport.esc(l.backbone())).append("</td><td>")
                        .append(HtmlReport.esc(l.label())).append("</td>");
                for (Cell c : l.cells()) {
                    h.append(c.best() ? "<td class=\"num best\"><strong>" : "<td class=\"num\">")
                            .append(c.row() == null ? "–" : HtmlReport.esc(HtmlReport.percent(c.row().top1())))
                            .append(c.best() ? "</strong></td>" : "</td>");
                }
                h.append("</tr>\n");
            }
            h.append("</tbody></table></div>\n<p class=\"source\">Mean ± sample standard deviation over seeds, as in")
                    .append(" the summary; <strong>bold</strong>: the best upsampler of each backbone in that column.");
            sources.forEach((backbone, source) -> h.append(' ').append(HtmlReport.esc(backbone)).append(": ")
                    .append(HtmlReport.esc(source)).append('.'));
            h.append("</p>\n");
        }
    }

    /** The comparison of each dataset with two or more upsamplers, in the summary's order. */
    static List<Table> of(List<Summary.Row> summary) {
        List<Table> out = new ArrayList<>();
        List<Summary.Row> measured = summary.stream().filter(r -> r.top1().present()).toList();
        Summary.byDataset(measured).forEach((dataset, rows) -> {
            List<String> upsamplers = ordered(rows.stream().map(Summary.Row::upsampler).toList());
            if (upsamplers.size() >= 2) {
                out.add(table(dataset, upsamplers, rows));
            }
        });
        return out;
    }

    /** Upsamplers without a network first (none, nearest, bilinear, bicubic, lanczos), then the rest by name. */
    static List<String> ordered(Collection<String> upsamplers) {
        return new TreeSet<>(upsamplers).stream().sorted(Comparator.comparingInt((String u) -> {
            int i = CLASSICAL.indexOf(u);
            return i < 0 ? CLASSICAL.size() : i;
        })).toList();
    }

    private static Table table(String dataset, List<String> upsamplers, List<Summary.Row> rows) {
        List<Summary.Row> columns = columns(rows);
        List<Line> lines = new ArrayList<>();
        Map<String, String> sources = new LinkedHashMap<>();
        Map<String, List<Summary.Row>> byBackbone = new LinkedHashMap<>();
        rows.stream().sorted(Comparator.comparing(Summary.Row::backbone))
                .forEach(r -> byBackbone.computeIfAbsent(r.backbone(), b -> new ArrayList<>()).add(r));
        byBackbone.forEach((backbone, bRows) -> {
            Map<String, List<Summary.Row>> byBackend = new LinkedHashMap<>();
            bRows.stream().sorted(Comparator.comparing(Summary.Row::backend))
                    .forEach(r -> byBackend.computeIfAbsent(r.backend(), b -> new ArrayList<>()).add(r));
            double spread = spread(bRows);
            List<String> shown;
            if (byBackend.size() == 1 || spread <= AGREE) {
                String chosen = byBackend.entrySet().stream()
                        .max(Comparator.comparingInt((Map.Entry<String, List<Summary.Row>> e) -> e.getValue().size())
                                .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
                        .orElseThrow().getKey();
                List<String> others = byBackend.keySet().stream().filter(b -> !b.equals(chosen)).toList();
                sources.put(backbone, "values of backend " + chosen + (others.isEmpty() ? ""
                        : "; " + String.join(", ", others) + " agree within " + pp(AGREE) + " pp (largest difference "
                        + pp(spread) + " pp)"));
                shown = List.of(chosen);
            } else {
                sources.put(backbone, "one row per backend: they differ by up to " + pp(spread) + " pp");
                shown = List.copyOf(byBackend.keySet());
            }
            List<Line> group = new ArrayList<>();
            for (String backend : shown) {
                for (String up : upsamplers) {
                    List<Cell> cells = new ArrayList<>();
                    for (Summary.Row c : columns) {
                        cells.add(new Cell(byBackend.get(backend).stream().filter(r -> r.upsampler().equals(up)
                                && sameCondition(r, c)).findFirst().orElse(null), false));
                    }
                    if (cells.stream().anyMatch(c -> c.row() != null)) {
                        group.add(new Line(shown.size() == 1 ? "" : backend, backbone, up, cells));
                    }
                }
            }
            lines.addAll(markBest(group, columns.size()));
        });
        return new Table(dataset, upsamplers, columns, lines, sources);
    }

    /** One row per condition, zero-shot first, then by protocol, head and k (as the summary). */
    private static List<Summary.Row> columns(List<Summary.Row> rows) {
        Map<String, Summary.Row> columns = new LinkedHashMap<>();
        rows.stream().sorted(Comparator.comparing(Summary.Row::protocol, Summary::compareProtocols)
                        .thenComparing(Summary.Row::head).thenComparing(Summary.Row::finetune)
                        .thenComparing(Summary.Row::k, ReportRow::compareK))
                .forEach(r -> columns.putIfAbsent(condition(r), r));
        return List.copyOf(columns.values());
    }

    private static String condition(Summary.Row r) {
        return r.protocol() + "|" + r.head() + "|" + r.finetune() + "|" + r.k();
    }

    private static boolean sameCondition(Summary.Row a, Summary.Row b) {
        return condition(a).equals(condition(b));
    }

    /** The largest difference of top-1 means between two backends on the same upsampler and condition. */
    private static double spread(List<Summary.Row> rows) {
        Map<String, double[]> range = new LinkedHashMap<>();
        for (Summary.Row r : rows) {
            double m = r.top1().mean();
            range.merge(r.upsampler() + "|" + condition(r), new double[] {m, m},
                    (a, b) -> new double[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
        }
        return range.values().stream().mapToDouble(v -> v[1] - v[0]).max().orElse(0);
    }

    /** The lines with each column's highest mean marked (ties all marked; not when a column has one value). */
    private static List<Line> markBest(List<Line> lines, int columns) {
        double[] best = new double[columns];
        int[] present = new int[columns];
        Arrays.fill(best, Double.NEGATIVE_INFINITY);
        for (Line l : lines) {
            for (int i = 0; i < columns; i++) {
                Summary.Row r = l.cells().get(i).row();
                if (r != null) {
                    best[i] = Math.max(best[i], r.top1().mean());
                    present[i]++;
                }
            }
        }
        List<Line> out = new ArrayList<>();
        for (Line l : lines) {
            List<Cell> cells = new ArrayList<>();
            for (int i = 0; i < columns; i++) {
                Summary.Row r = l.cells().get(i).row();
                cells.add(new Cell(r, r != null && present[i] > 1 && r.top1().mean() >= best[i] - 1e-12));
            }
            out.add(new Line(l.backend(), l.backbone(), l.upsampler(), cells));
        }
        return out;
    }

    private static String pp(double fraction) {
        return String.format(Locale.ROOT, "%.1f", 100 * fraction);
    }

    // ------------------------------------------------------------------ charts

    /**
     * One chart per backbone and k-shot head of {@code t}: top-1 against k, one line per upsampler (colour by
     * upsampler, the same in every chart of the dataset), error bars one standard deviation over seeds.
     */
    static List<Charts.Figure> charts(Table t, Path reportDir, Set<String> names) throws IOException {
        List<Charts.Figure> out = new ArrayList<>();
        Set<String> backbones = new LinkedHashSet<>();
        t.lines().forEach(l -> backbones.add(l.backbone()));
        Set<String> heads = new LinkedHashSet<>();
        t.columns().stream().filter(c -> !c.zeroShot()).forEach(c -> heads.add(c.protocol() + "|" + c.headLabel()));
        for (String backbone : backbones) {
            for (String head : heads) {
                List<Integer> columns = new ArrayList<>();
                for (int i = 0; i < t.columns().size(); i++) {
                    Summary.Row c = t.columns().get(i);
                    if ((c.protocol() + "|" + c.headLabel()).equals(head)) {
                        columns.add(i);
                    }
                }
                List<Line> lines = t.lines().stream().filter(l -> l.backbone().equals(backbone)
                        && columns.stream().anyMatch(i -> l.cells().get(i).row() != null)).toList();
                if (lines.isEmpty()) {
                    continue;
                }
                out.add(chart(t, backbone, t.columns().get(columns.get(0)), columns, lines, reportDir, names,
                        heads.size() > 1));
            }
        }
        return out;
    }

    private static Charts.Figure chart(Table t, String backbone, Summary.Row head, List<Integer> columns,
                                       List<Line> lines, Path reportDir, Set<String> names, boolean severalHeads)
            throws IOException {
        List<Integer> ks = columns.stream().map(i -> t.columns().get(i).k()).toList();
        String title = "Top-1 by upsampler: " + t.dataset() + " · " + backbone
                + (severalHeads ? " · " + head.protocol() + " " + head.headLabel() : " · " + head.headLabel());
        XYChart chart = Charts.kChart(title, 900, 480);
        Charts.kAxis(chart, ks);
        double[] span = Charts.emptySpan();
        List<String> backends = lines.stream().map(Line::backend).distinct().toList();
        Set<String> seriesNames = new LinkedHashSet<>();
        for (Line l : lines) {
            List<Summary.Row> points = columns.stream().map(i -> l.cells().get(i).row()).toList();
            XYSeries s = Charts.addKLine(chart, Names.unique(l.label(), seriesNames), points, span);
            Charts.paint(s, t.upsamplers().indexOf(l.upsampler()), backends.indexOf(l.backend()));
        }
        Charts.yAxisAround(chart, span);
        String name = Names.unique(Names.slug("upsamplers-by-k", t.dataset(), backbone, head.protocol(),
                head.headLabel()), names);
        return Charts.save(chart, reportDir, name, title, "Line chart: top-1 accuracy (%) against k ("
                + String.join(", ", ks.stream().map(ReportRow::kLabel).toList()) + ") for " + lines.size()
                + " upsampler lines (" + String.join(", ", lines.stream().map(l -> l.label()).toList())
                + ") of " + backbone + " on " + t.dataset() + "; error bars one standard deviation over seeds"
                + "; " + t.sources().get(backbone) + ".");
    }
}
