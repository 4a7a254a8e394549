package clipbench.reports;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;

/**
 * The fine-tuning section's charts: top-1 against k with one line per head and mode (the study's Pic. 8), one
 * chart per backend/backbone/upsampler of a {@link FineTuneComparison.Table} with two or more modes; and per trained
 * mode the training curves from training.csv (train loss and validation accuracy against epoch, mean over seeds,
 * one colour per head and k).
 */
final class FineTuneCharts {
    private FineTuneCharts() {
    }

    /** Top-1 against k by mode: colour by mode (the same in every chart of the table), line style by head. */
    static List<Charts.Figure> accuracyByMode(FineTuneComparison.Table t, Path reportDir, Set<String> names)
            throws IOException {
        List<Charts.Figure> out = new ArrayList<>();
        List<String> modes = t.modes();
        if (modes.size() < 2) {
            return out;
        }
        Map<String, List<FineTuneComparison.Line>> bySystem = new LinkedHashMap<>();
        t.lines().forEach(l -> bySystem.computeIfAbsent(l.system(), s -> new ArrayList<>()).add(l));
        for (List<FineTuneComparison.Line> lines : bySystem.values()) {
            if (lines.stream().map(FineTuneComparison.Line::mode).distinct().count() < 2) {
                continue;
            }
            FineTuneComparison.Line first = lines.get(0);
            String title = "Top-1 by fine-tuning mode: " + t.dataset() + " · " + system(t, first);
            XYChart chart = Charts.kChart(title, 900, 480);
            Charts.kAxis(chart, t.ks());
            double[] span = Charts.emptySpan();
            List<String> heads = lines.stream().map(FineTuneComparison.Line::head).distinct().toList();
            Set<String> seriesNames = new LinkedHashSet<>();
            for (FineTuneComparison.Line l : lines) {
                XYSeries s = Charts.addKLine(chart, Names.unique(l.head() + " " + l.mode(), seriesNames), l.cells(),
                        span);
                Charts.paint(s, modes.indexOf(l.mode()), heads.indexOf(l.head()));
            }
            Charts.yAxisAround(chart, span);
            String name = Names.unique(Names.slug("finetune-by-k", t.dataset(), first.backend(), first.backbone(),
                    first.upsampler()), names);
            out.add(Charts.save(chart, reportDir, name, title, "Line chart: top-1 accuracy (%) against k ("
                    + String.join(", ", t.ks().stream().map(ReportRow::kLabel).toList()) + ") for " + lines.size()
                    + " head/mode lines (" + String.join(", ", seriesNames) + ") of " + system(t, first) + " on "
                    + t.dataset() + "; error bars one standard deviation over seeds."));
        }
        return out;
    }

    /**
     * Per line of {@code t} that trained the tower: train loss (solid, left axis) and validation accuracy (dashed,
     * right axis, %) against epoch, from {@code training} (training.csv rows), one colour per head and k, each the
     * mean over the seeds that reached that epoch (early stopping ends seeds at different epochs).
     */
    static List<Charts.Figure> trainingCurves(FineTuneComparison.Table t, List<ReportRow> training, Path reportDir,
                                              Set<String> names, List<String> notes) throws IOException {
        List<Charts.Figure> out = new ArrayList<>();
        Map<String, List<FineTuneComparison.Line>> byMode = new LinkedHashMap<>();
        t.lines().stream().filter(l -> !l.mode().equals(FineTuneComparison.HEAD))
                .forEach(l -> byMode.computeIfAbsent(l.system() + "|" + l.mode(), m -> new ArrayList<>()).add(l));
        for (List<FineTuneComparison.Line> lines : byMode.values()) {
            FineTuneComparison.Line first = lines.get(0);
            Map<String, Curve> curves = new LinkedHashMap<>();
            for (FineTuneComparison.Line l : lines) {
                for (int k : t.ks()) {
                    Curve c = Curve.of(training, t.dataset(), l, k);
                    if (!c.epochs().isEmpty()) {
                        curves.put(l.head() + " k=" + ReportRow.kLabel(k), c);
                    }
                }
            }
            String what = system(t, first) + " · " + first.mode();
            if (curves.isEmpty()) {
                notes.add("training.csv has no epochs for " + t.dataset() + " · " + what + "; no training curves.");
                continue;
            }
            out.add(curveChart(t, first, what, curves, reportDir, names));
        }
        return out;
    }

    private static Charts.Figure curveChart(FineTuneComparison.Table t, FineTuneComparison.Line first, String what,
                                            Map<String, Curve> curves, Path reportDir, Set<String> names)
            throws IOException {
        String title = "Training: " + t.dataset() + " · " + what;
        XYChart chart = new XYChartBuilder().width(900).height(480).title(title).xAxisTitle("epoch")
                .yAxisTitle("train loss").build();
        Charts.style(chart.getStyler());
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisDecimalPattern("#0");
        chart.setYAxisGroupTitle(0, "train loss");
        chart.setYAxisGroupTitle(1, "validation accuracy (%)");
        chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        chart.getStyler().setYAxisMin(1, 0.0).setYAxisMax(1, 100.0);
        chart.getStyler().putYAxisGroupDecimalPatternMap(1, "#0");
        chart.getStyler().setYAxisMin(0, 0.0);
        int color = 0;
        boolean anyValidation = false;
        for (Map.Entry<String, Curve> e : curves.entrySet()) {
            Curve c = e.getValue();
            Color col = Charts.color(color++);
            XYSeries loss = chart.addSeries(e.getKey() + " train loss", c.epochs(), c.trainLoss());
            line(loss, col, SeriesLines.SOLID);
            if (!c.valEpochs().isEmpty()) {
                anyValidation = true;
                XYSeries acc = chart.addSeries(e.getKey() + " val acc", c.valEpochs(), c.valAccuracy());
                acc.setYAxisGroup(1);
                line(acc, col, SeriesLines.DASH_DASH);
            }
        }
        String name = Names.unique(Names.slug("training", t.dataset(), first.backend(), first.backbone(),
                first.upsampler(), first.mode()), names);
        return Charts.save(chart, reportDir, name, title, "Line chart: train loss (solid, left axis)"
                + (anyValidation ? " and validation accuracy in % (dashed, right axis)" : "") + " against epoch for "
                + String.join(", ", curves.keySet()) + "; each the mean over the seeds that reached the epoch.");
    }

    private static void line(XYSeries s, Color color, BasicStroke dash) {
        s.setLineColor(color);
        s.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        s.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f, dash.getDashArray(),
                0f));
    }

    private static String system(FineTuneComparison.Table t, FineTuneComparison.Line l) {
        List<String> parts = new ArrayList<>();
        if (t.showBackend()) {
            parts.add(l.backend());
        }
        parts.add(l.backbone());
        if (t.showUpsampler()) {
            parts.add(l.upsampler());
        }
        return String.join(" · ", parts);
    }

    /**
     * One head's and k's curve: per epoch the mean over seeds of train loss and of validation accuracy (%), the
     * latter only at epochs where some seed has it.
     */
    record Curve(List<Integer> epochs, List<Double> trainLoss, List<Integer> valEpochs, List<Double> valAccuracy) {
        static Curve of(List<ReportRow> training, String dataset, FineTuneComparison.Line l, int k) {
            TreeMap<Integer, List<Double>> loss = new TreeMap<>();
            TreeMap<Integer, List<Double>> acc = new TreeMap<>();
            for (ReportRow r : training) {
                if (r.get("dataset").equals(dataset) && r.get("backend").equals(l.backend())
                        && r.get("backbone").equals(l.backbone()) && r.get("upsampler").equals(l.upsampler())
                        && r.get("head").equals(l.head()) && r.get("finetune").equals(l.mode()) && r.k() == k) {
                    int epoch = (int) r.integer("epoch", -1);
                    add(loss, epoch, r.number("train_loss"));
                    add(acc, epoch, 100 * r.number("val_accuracy"));
                }
            }
            List<Integer> valEpochs = new ArrayList<>();
            List<Double> valMeans = new ArrayList<>();
            acc.forEach((epoch, v) -> {
                valEpochs.add(epoch);
                valMeans.add(Summary.Stat.of(v).mean());
            });
            return new Curve(List.copyOf(loss.keySet()),
                    loss.values().stream().map(v -> Summary.Stat.of(v).mean()).toList(), valEpochs, valMeans);
        }

        private static void add(TreeMap<Integer, List<Double>> m, int epoch, double v) {
            if (epoch >= 0 && !Double.isNaN(v)) {
                m.computeIfAbsent(epoch, e -> new ArrayList<>()).add(v);
            }
        }
    }
}
