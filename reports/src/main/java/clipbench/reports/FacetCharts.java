package clipbench.reports;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Top-1 against k from a {@link Headline}, one panel per backbone: one line per upsampler × head (colour by
 * upsampler, dash by head), drawn once for backends the headline folded and once per backend where a cell is
 * split; one standard deviation over seeds as a translucent band (left out of the legend). Zero-shot is a
 * column of the table, not a point here.
 */
final class FacetCharts {
    private FacetCharts() {
    }

    static List<Charts.Figure> panels(Headline t, Path reportDir, Set<String> names) throws IOException {
        List<Integer> kColumns = new ArrayList<>();
        List<Integer> ks = new ArrayList<>();
        for (int c = 0; c < t.columns().size(); c++) {
            if (!t.columns().get(c).equals(Headline.ZERO_SHOT)) {
                kColumns.add(c);
                ks.add(ReportRow.parseK(t.columns().get(c)));
            }
        }
        List<Charts.Figure> out = new ArrayList<>();
        if (kColumns.isEmpty()) {
            return out;
        }
        List<String> upsamplers = t.lines().stream().map(Headline.Line::upsampler).distinct().toList();
        List<String> heads = t.lines().stream().map(Headline.Line::head).distinct().toList();
        for (String backbone : t.lines().stream().map(Headline.Line::backbone).distinct().toList()) {
            String title = "Top-1 vs k: " + backbone;
            XYChart chart = Charts.kChart(title, 680, 420);
            Charts.kAxis(chart, ks);
            double[] span = Charts.emptySpan();
            Set<String> seriesNames = new LinkedHashSet<>();
            List<String> drawn = new ArrayList<>();
            for (Headline.Line l : t.lines()) {
                if (!l.backbone().equals(backbone)) {
                    continue;
                }
                for (String backend : backendsOf(l, kColumns)) {
                    String label = l.upsampler() + (heads.size() > 1 ? " · " + l.head() : "")
                            + (backend.isEmpty() ? "" : " · " + backend);
                    if (line(chart, Names.unique(label, seriesNames), l, kColumns, backend,
                            upsamplers.indexOf(l.upsampler()), heads.indexOf(l.head()), span)) {
                        drawn.add(label);
                    }
                }
            }
            if (drawn.isEmpty()) {
                continue;
            }
            Charts.yAxisAround(chart, span);
            String name = Names.unique(Names.slug("accuracy-vs-k", t.dataset(), backbone), names);
            out.add(Charts.save(chart, reportDir, name, title + " (" + t.dataset() + ")", "Line chart: top-1"
                    + " accuracy (%) against k for " + backbone + " on " + t.dataset() + ", lines "
                    + String.join(", ", drawn) + "; bands one standard deviation over seeds."));
        }
        return out;
    }

    /** {""} when every k cell of the line is folded; else each backend that has a value. */
    private static List<String> backendsOf(Headline.Line l, List<Integer> kColumns) {
        boolean split = kColumns.stream().anyMatch(c -> l.cells().get(c).split());
        if (!split) {
            return List.of("");
        }
        Set<String> backends = new LinkedHashSet<>();
        kColumns.forEach(c -> l.cells().get(c).parts().forEach(p -> backends.addAll(p.backends())));
        return List.copyOf(backends);
    }

    /** Adds the line and its band; false when the line has no point. */
    private static boolean line(XYChart chart, String name, Headline.Line l, List<Integer> kColumns, String backend,
                                int color, int style, double[] span) {
        List<double[]> points = new ArrayList<>();
        for (int p = 0; p < kColumns.size(); p++) {
            for (Headline.Part part : l.cells().get(kColumns.get(p)).parts()) {
                if (backend.isEmpty() || part.backends().contains(backend)) {
                    double mean = 100 * part.top1().mean();
                    double sd = 100 * part.top1().stdOrZero();
                    points.add(new double[] {p, mean, sd});
                    span[0] = Math.min(span[0], mean - sd);
                    span[1] = Math.max(span[1], mean + sd);
                    break;
                }
            }
        }
        if (points.isEmpty()) {
            return false;
        }
        if (points.stream().anyMatch(q -> q[2] > 0)) {
            int n = points.size();
            double[] bx = new double[2 * n];
            double[] by = new double[2 * n];
            for (int i = 0; i < n; i++) {
                double[] q = points.get(i);
                double[] back = points.get(n - 1 - i);
                // top-1 stays within 0..100 %, and so does its band
                bx[i] = q[0];
                by[i] = Math.min(100, q[1] + q[2]);
                bx[n + i] = back[0];
                by[n + i] = Math.max(0, back[1] - back[2]);
            }
            XYSeries band = chart.addSeries(name + " ±1 sd", bx, by);
            band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
            band.setShowInLegend(false);
            band.setMarker(SeriesMarkers.NONE);
            Color line = Charts.color(color);
            Color fill = new Color(line.getRed(), line.getGreen(), line.getBlue(), 48);
            band.setFillColor(fill);
            band.setLineColor(fill);
        }
        XYSeries s = chart.addSeries(name, points.stream().mapToDouble(q -> q[0]).toArray(),
                points.stream().mapToDouble(q -> q[1]).toArray());
        Charts.paint(s, color, style);
        return true;
    }
}
