package clipbench.reports;

import clipbench.api.io.AtomicFiles;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's charts (XChart), each written as {@code charts/NAME.png} and {@code charts/NAME.svg}, atomically:
 * top-1 by upsampler, top-1 by backend, confusion heat maps, and the helpers of the top-1-against-k charts
 * ({@link FacetCharts}, {@link UpsamplerComparison}). Accuracies are shown in
 * percent; error bars are the standard deviation over seeds.
 */
public final class Charts {
    /** The folder, inside the report folder, that holds the chart files. */
    public static final String DIR = "charts";

    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
        new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
        new Color(0xbcbd22), new Color(0x17becf)};
    private static final Marker[] MARKERS = {SeriesMarkers.CIRCLE, SeriesMarkers.SQUARE, SeriesMarkers.DIAMOND,
        SeriesMarkers.TRIANGLE_UP, SeriesMarkers.TRIANGLE_DOWN, SeriesMarkers.CROSS};
    private static final BasicStroke[] LINES = {SeriesLines.SOLID, SeriesLines.DASH_DOT, SeriesLines.DOT_DOT};

    private Charts() {
    }

    /**
     * A chart on disk.
     *
     * @param title   what it shows, one line
     * @param alt     text alternative for the image
     * @param png     path of the PNG relative to the report folder ('/'-separated)
     * @param svg     path of the SVG relative to the report folder, or null when there is none
     */
    public record Figure(String title, String alt, String png, String svg) {
    }

    // ------------------------------------------------------------------ accuracy vs k (FacetCharts, UpsamplerComparison)

    /**
     * Puts the values of k on the x positions 0..n-1, labelled with the k there. An invisible first series on
     * every position, in order: XChart then places one tick on each position (its "equally spaced values"
     * path) instead of searching for a tick spacing, a search that never ends when labels between positions
     * repeat. Returns the first and last position, which a line across the axis must use so ticks stay put.
     */
    static double[] kAxis(XYChart chart, List<Integer> ks) {
        List<Integer> kList = List.copyOf(ks);
        chart.getStyler().setxAxisTickLabelsFormattingFunction(x -> kTick(x, kList));
        double[] axisX = ks.size() == 1 ? new double[] {-1, 0, 1} : new double[ks.size()];
        for (int i = 0; ks.size() > 1 && i < ks.size(); i++) {
            axisX[i] = i;
        }
        XYSeries axis = chart.addSeries(" ", axisX, new double[axisX.length]);
        axis.setShowInLegend(false);
        axis.setMarker(SeriesMarkers.NONE);
        axis.setLineStyle(SeriesLines.NONE);
        axis.setLineColor(new Color(0, 0, 0, 0));
        return new double[] {axisX[0], axisX[axisX.length - 1]};
    }

    /** An empty top-1-against-k line chart in the report's style: legend on the right, error bars in series colour. */
    static XYChart kChart(String title, int width, int height) {
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title)
                .xAxisTitle("k (training images per class)").yAxisTitle("top-1 accuracy (%)").build();
        style(chart.getStyler());
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setErrorBarsColorSeriesColor(true);
        chart.getStyler().setYAxisDecimalPattern("#0");
        return chart;
    }

    /**
     * Adds a top-1 line (%) on the k positions of {@link #kAxis}: {@code rows.get(p)} at position p (null: no point
     * there), error bars one standard deviation over seeds. Widens {@code span} ({lowest, highest}) to the points
     * ± their error.
     */
    static XYSeries addKLine(XYChart chart, String name, List<Summary.Row> rows, double[] span) {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        List<Double> err = new ArrayList<>();
        for (int p = 0; p < rows.size(); p++) {
            Summary.Row r = rows.get(p);
            if (r != null && r.top1().present()) {
                double mean = 100 * r.top1().mean();
                double sd = 100 * r.top1().stdOrZero();
                x.add((double) p);
                y.add(mean);
                err.add(sd);
                span[0] = Math.min(span[0], mean - sd);
                span[1] = Math.max(span[1], mean + sd);
            }
        }
        return chart.addSeries(name, x, y, err);
    }

    /** A span no point has widened yet, for {@link #addKLine}. */
    static double[] emptySpan() {
        return new double[] {100, 0};
    }

    /** A y range around {@code span} in steps of 5 % within 0..100: the differences between lines are the point. */
    static void yAxisAround(XYChart chart, double[] span) {
        double yMin = Math.max(0, 5 * Math.floor(span[0] / 5));
        double yMax = Math.min(100, 5 * Math.ceil(span[1] / 5));
        chart.getStyler().setYAxisMin(yMin).setYAxisMax(yMax > yMin ? yMax : Math.min(100, yMin + 5));
    }

    /** Colour number {@code i} of the palette (cycling). */
    static Color color(int i) {
        return PALETTE[i % PALETTE.length];
    }

    /** A line in colour number {@code color} with marker and dash pattern number {@code style} (both cycling). */
    static void paint(XYSeries s, int color, int style) {
        s.setLineColor(color(color));
        s.setMarkerColor(color(color));
        styleLine(s, style);
    }

    /** Marker and dash pattern number {@code style} (cycling), on a 2 px line. */
    static void styleLine(XYSeries s, int style) {
        s.setMarker(MARKERS[style % MARKERS.length]);
        s.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f,
                LINES[style % LINES.length].getDashArray(), 0f));
    }

    /**
     * Tick label at position x: the k there; blank elsewhere (one space before the first position, two between
     * positions, three after the last: distinct, as XChart wants tick labels, and not empty, which it refuses).
     */
    static String kTick(double x, List<Integer> ks) {
        long i = Math.round(x);
        if (Math.abs(x - i) > 1e-6) {
            return "  ";
        }
        if (i < 0) {
            return " ";
        }
        if (i >= ks.size()) {
            return "   ";
        }
        return ReportRow.kLabel(ks.get((int) i));
    }

    // ------------------------------------------------------------------ bars

    /** Top-1 per upsampler (series) for each backend/protocol/head (categories), one chart per dataset. */
    public static List<Figure> upsamplerBars(List<Summary.Row> rows, Path reportDir, List<String> notes)
            throws IOException {
        return bars(rows, reportDir, notes, "upsampler", Summary.Row::upsampler, "Top-1 accuracy by upsampler",
                "upsamplers");
    }

    /** Top-1 per backend (series) for each upsampler/protocol/head (categories), one chart per dataset. */
    public static List<Figure> backendBars(List<Summary.Row> rows, Path reportDir, List<String> notes)
            throws IOException {
        return bars(rows, reportDir, notes, "backend", Summary.Row::backend, "Top-1 accuracy by backend",
                "backends");
    }

    private static List<Figure> bars(List<Summary.Row> rows, Path reportDir, List<String> notes, String dim,
                                     Function<Summary.Row, String> seriesOf, String baseTitle, String baseName)
            throws IOException {
        List<Figure> out = new ArrayList<>();
        Map<String, List<Summary.Row>> byDataset = Summary.byDataset(rows);
        for (Map.Entry<String, List<Summary.Row>> e : byDataset.entrySet()) {
            String dataset = e.getKey();
            List<Summary.Row> reps = representatives(e.getValue());
            if (reps.isEmpty()) {
                continue;
            }
            Dims dims = Dims.of(reps).without(dim);
            boolean severalProtocols = reps.stream().filter(r -> !r.zeroShot()).map(Summary.Row::protocol)
                    .distinct().count() > 1;
            List<Summary.Row> ordered = new ArrayList<>(reps);
            ordered.sort(Comparator.comparing(Summary.Row::protocol, Summary::compareProtocols)
                    .thenComparing(Summary.Row::head).thenComparing(Summary.Row::k, ReportRow::compareK)
                    .thenComparing(Summary.Row::backend).thenComparing(Summary.Row::backbone)
                    .thenComparing(Summary.Row::upsampler));
            Map<String, Map<String, Summary.Row>> bySeries = new LinkedHashMap<>();
            Set<String> categories = new LinkedHashSet<>();
            for (Summary.Row r : ordered) {
                String cat = dims.label(r, condition(r, severalProtocols));
                categories.add(cat);
                bySeries.computeIfAbsent(seriesOf.apply(r), x -> new LinkedHashMap<>()).putIfAbsent(cat, r);
            }
            List<String> seriesNames = new ArrayList<>(bySeries.keySet());
            seriesNames.sort(Comparator.naturalOrder());
            String title = baseTitle + (byDataset.size() > 1 ? " (" + dataset + ")" : "");
            CategoryChart chart = new CategoryChartBuilder().width(960).height(560).title(title)
                    .xAxisTitle("").yAxisTitle("top-1 accuracy (%)").build();
            style(chart.getStyler());
            chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
            chart.getStyler().setYAxisMin(0.0).setYAxisMax(100.0).setYAxisDecimalPattern("#0");
            chart.getStyler().setErrorBarsColor(Color.DARK_GRAY);
            chart.getStyler().setXAxisTitleVisible(false);
            // no value labels: a missing bar (drawn as 0) would be labelled 0; the summary table has the numbers
            chart.getStyler().setLabelsVisible(false);
            if (categories.size() > 4) {
                chart.getStyler().setXAxisLabelRotation(30);
            }
            List<String> cats = new ArrayList<>(categories);
            Map<String, Integer> missing = new LinkedHashMap<>();
            int color = 0;
            for (String series : seriesNames) {
                Map<String, Summary.Row> m = bySeries.get(series);
                List<Double> y = new ArrayList<>();
                List<Double> err = new ArrayList<>();
                for (String c : cats) {
                    Summary.Row r = m.get(c);
                    // XChart's bars mis-align after a null value, so a missing bar is drawn as 0 and noted.
                    y.add(r == null ? 0.0 : 100 * r.top1().mean());
                    err.add(r == null ? 0.0 : 100 * r.top1().stdOrZero());
                    if (r == null) {
                        missing.merge(series, 1, Integer::sum);
                    }
                }
                CategorySeries s = chart.addSeries(series.isEmpty() ? "(none)" : series, cats, y, err);
                s.setFillColor(color(color++));
            }
            if (!missing.isEmpty()) {
                List<String> parts = new ArrayList<>();
                missing.forEach((series, n) -> parts.add(series + " in " + n + " of " + cats.size()));
                notes.add(title + ": no result for " + String.join(", ", parts) + " conditions (no bar there).");
            }
            String name = Names.slug(baseName, byDataset.size() > 1 ? dataset : "");
            out.add(save(chart, reportDir, name, title, "Bar chart: top-1 accuracy (%) for each " + dim + " ("
                    + String.join(", ", seriesNames) + ") across " + cats.size()
                    + " conditions (zero-shot, and each k-shot head at its largest k); error bars one standard"
                    + " deviation over seeds."));
        }
        return out;
    }

    /** Zero-shot rows, and each k-shot protocol/head at the largest k it reached (so bars compare equal k). */
    static List<Summary.Row> representatives(List<Summary.Row> rows) {
        Map<String, Integer> maxK = new LinkedHashMap<>();
        for (Summary.Row r : rows) {
            if (!r.zeroShot() && r.top1().present()) {
                maxK.merge(r.protocol() + "|" + r.head(), r.k(),
                        (a, b) -> ReportRow.compareK(a, b) >= 0 ? a : b);
            }
        }
        List<Summary.Row> out = new ArrayList<>();
        for (Summary.Row r : rows) {
            if (!r.top1().present()) {
                continue;
            }
            if (r.zeroShot() || maxK.get(r.protocol() + "|" + r.head()) == r.k()) {
                out.add(r);
            }
        }
        return out;
    }

    static String condition(Summary.Row r, boolean withProtocol) {
        if (r.zeroShot()) {
            return Summary.ZERO_SHOT.equals(r.head()) ? "zero-shot" : "zero-shot " + r.head();
        }
        return (withProtocol ? r.protocol() + " " : "") + r.headLabel() + " k=" + r.kLabel();
    }

    // ------------------------------------------------------------------ heat map

    /**
     * A confusion sub-matrix as a heat map: rows are true classes (first at the top), columns predicted
     * classes; cells hold counts.
     */
    public static Figure heatMap(Path reportDir, String name, String title, List<String> trueClasses,
                                 List<String> predictedClasses, int[][] counts) throws IOException {
        HeatMapChart chart = new HeatMapChartBuilder().width(820).height(720).title(title)
                .xAxisTitle("predicted class").yAxisTitle("true class").build();
        style(chart.getStyler());
        chart.getStyler().setShowValue(true);
        chart.getStyler().setValueFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        chart.getStyler().setHeatMapValueDecimalPattern("#0");
        chart.getStyler().setXAxisLabelRotation(40);
        chart.getStyler().setRangeColors(new Color[] {Color.WHITE, new Color(0x9ecae1), new Color(0x08519c)});
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        int max = 1;
        for (int[] row : counts) {
            for (int v : row) {
                max = Math.max(max, v);
            }
        }
        chart.getStyler().setMin(0).setMax(max);
        int rows = trueClasses.size();
        List<String> y = new ArrayList<>(trueClasses);
        java.util.Collections.reverse(y); // XChart puts y index 0 at the bottom
        List<Number[]> data = new ArrayList<>();
        for (int t = 0; t < rows; t++) {
            for (int p = 0; p < predictedClasses.size(); p++) {
                data.add(new Number[] {p, rows - 1 - t, counts[t][p]});
            }
        }
        chart.addSeries("count", predictedClasses, y, data);
        return save(chart, reportDir, name, title, "Heat map: how often each of the " + rows
                + " most-confused true classes (rows) was predicted as each class (columns); darker is more.");
    }

    // ------------------------------------------------------------------ common

    /** Writes {@code charts/NAME.png} and {@code charts/NAME.svg} under {@code reportDir}, atomically. */
    static Figure save(Chart<?, ?> chart, Path reportDir, String name, String title, String alt)
            throws IOException {
        Path dir = reportDir.resolve(DIR);
        byte[][] encoded = withTimeout(name, () -> {
            byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
            java.io.ByteArrayOutputStream svg = new java.io.ByteArrayOutputStream();
            VectorGraphicsEncoder.saveVectorGraphic(chart, svg, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            return new byte[][] {png, svg.toByteArray()};
        });
        AtomicFiles.writeBytes(dir.resolve(name + ".png"), encoded[0]);
        AtomicFiles.writeBytes(dir.resolve(name + ".svg"), encoded[1]);
        return new Figure(title, alt, DIR + "/" + name + ".png", DIR + "/" + name + ".svg");
    }

    /** Longest a chart may take to draw. */
    static final long RENDER_TIMEOUT_SECONDS = 120;

    @FunctionalInterface
    interface Render {
        byte[][] run() throws IOException;
    }

    /**
     * Draws on a daemon thread and gives up after {@link #RENDER_TIMEOUT_SECONDS}: a chart library stuck on odd
     * data must cost one chart (the caller notes it), not the whole report. Failures come back as
     * {@link IllegalStateException}.
     */
    static byte[][] withTimeout(String name, Render render) throws IOException {
        java.util.concurrent.FutureTask<byte[][]> task = new java.util.concurrent.FutureTask<>(render::run);
        Thread t = new Thread(task, "clipbench-chart-" + name);
        t.setDaemon(true);
        t.start();
        try {
            return task.get(RENDER_TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            task.cancel(true);
            throw new IllegalStateException("chart " + name + " took over " + RENDER_TIMEOUT_SECONDS + " s to draw");
        } catch (InterruptedException e) {
            task.cancel(true);
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while drawing chart " + name);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException("chart " + name + " failed: " + c, c);
        }
    }

    static void style(org.knowm.xchart.style.AxesChartStyler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(new Color(0xcccccc));
        s.setPlotGridLinesColor(new Color(0xe5e5e5));
        s.setLegendBorderColor(new Color(0xdddddd));
        s.setChartTitleBoxVisible(false);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        s.setLocale(Locale.ROOT);
        s.setAntiAlias(true);
    }

    /** Which of backend, backbone, upsampler vary among some rows: only those go into labels. */
    record Dims(boolean backend, boolean backbone, boolean upsampler) {
        static Dims of(List<Summary.Row> rows) {
            return new Dims(rows.stream().map(Summary.Row::backend).distinct().count() > 1,
                    rows.stream().map(Summary.Row::backbone).distinct().count() > 1,
                    rows.stream().map(Summary.Row::upsampler).distinct().count() > 1);
        }

        Dims without(String dim) {
            return new Dims(backend && !dim.equals("backend"), backbone && !dim.equals("backbone"),
                    upsampler && !dim.equals("upsampler"));
        }

        String label(Summary.Row r, String what) {
            List<String> parts = new ArrayList<>();
            if (backend) {
                parts.add(r.backend());
            }
            if (backbone) {
                parts.add(r.backbone());
            }
            if (upsampler) {
                parts.add(r.upsampler());
            }
            parts.add(what);
            return String.join(" · ", parts);
        }
    }
}
