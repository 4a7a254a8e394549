package clipbench.reports;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The fine-tuning comparison of one dataset (issue 15; the study's Pic. 8): top-1 by fine-tuning mode for each
 * backbone and trainable head, as a table of mean ± std over seeds per k (the summary's values) with the trainable
 * parameters, epochs and fit time from results.csv. Only for a dataset with {@code fine-tune} rows.
 *
 * <p>A line is a backend, backbone, upsampler, head and mode; its head mode ({@code k-shot} rows) is shown beside the
 * trained modes so the frozen head is the baseline. Only heads that trained some tower ({@code fine-tune} rows with
 * a result) get lines. Rows of a backend that cannot train (its note says inference-only: ONNX Runtime) are said
 * once per backend, not as lines.
 */
final class FineTuneComparison {
    /** The protocol of rows that trained blocks of the tower. */
    static final String FINE_TUNE = "fine-tune";
    /** The mode of frozen-feature rows; runs before fine-tuning left it empty. */
    static final String HEAD = "head";
    /** What the runner's note says of a backend that cannot train (see {@code Runner.fineTune}). */
    static final String INFERENCE_ONLY = "is inference-only";

    private FineTuneComparison() {
    }

    /**
     * One table row and chart line.
     *
     * @param cells           the summary row at each of the table's k (null where there is none)
     * @param trainableParams as results.csv has them ("min–max" when they differ between rows)
     * @param bestEpoch       over the rows that trained the tower: the epoch early stopping kept
     * @param epochs          over the same rows: epochs run
     * @param fitSeconds      over every row of the line with a result
     */
    record Line(String backend, String backbone, String upsampler, String head, String mode, List<Summary.Row> cells,
                String trainableParams, Summary.Stat bestEpoch, Summary.Stat epochs, Summary.Stat fitSeconds) {
        /** Backend, backbone and upsampler: the lines one chart compares. */
        String system() {
            return String.join("|", backend, backbone, upsampler);
        }
    }

    /**
     * The comparison of one dataset.
     *
     * @param ks            the table's columns of k, ascending ("all" last)
     * @param inferenceOnly per backend that could not train: the modes asked of it
     */
    record Table(String dataset, List<Integer> ks, List<Line> lines, Map<String, Set<String>> inferenceOnly,
                 boolean showBackend, boolean showUpsampler) {

        /** The modes of the lines, head first. */
        List<String> modes() {
            return lines.stream().map(Line::mode).distinct().sorted(MODE_ORDER).toList();
        }

        /** The table as HTML, then one line per backend that cannot train. */
        void html(StringBuilder h) {
            if (!lines.isEmpty()) {
                h.append("<div class=\"scroll\"><table class=\"data finetune\" data-dataset=\"")
                        .append(HtmlReport.esc(dataset)).append("\">\n<caption>Top-1 accuracy (%) by fine-tuning mode: ")
                        .append(HtmlReport.esc(dataset)).append("</caption>\n<thead><tr>");
                List<String> header = new ArrayList<>();
                if (showBackend) {
                    header.add("backend");
                }
                header.add("backbone");
                if (showUpsampler) {
                    header.add("upsampler");
                }
                header.addAll(List.of("head", "mode"));
                ks.forEach(k -> header.add("k=" + ReportRow.kLabel(k)));
                header.addAll(List.of("trainable params", "epochs: best / run", "fit s"));
                header.forEach(c -> h.append("<th>").append(HtmlReport.esc(c)).append("</th>"));
                h.append("</tr></thead>\n<tbody>\n");
                for (Line l : lines) {
                    h.append("<tr>");
                    List<String> text = new ArrayList<>();
                    if (showBackend) {
                        text.add(l.backend());
                    }
                    text.add(l.backbone());
                    if (showUpsampler) {
                        text.add(l.upsampler());
                    }
                    text.addAll(List.of(l.head(), l.mode()));
                    text.forEach(v -> h.append("<td>").append(HtmlReport.esc(v)).append("</td>"));
                    for (Summary.Row r : l.cells()) {
                        num(h, r == null ? "–" : HtmlReport.percent(r.top1()));
                    }
                    num(h, l.trainableParams());
                    num(h, l.bestEpoch().present() ? mean(l.bestEpoch(), 1) + " / " + mean(l.epochs(), 1) : "–");
                    num(h, mean(l.fitSeconds(), 2));
                    h.append("</tr>\n");
                }
                h.append("</tbody></table></div>\n<p class=\"source\">Top-1: mean ± sample standard deviation over")
                        .append(" seeds, as in the summary. Epochs (best: kept by early stopping; run) and fit")
                        .append(" seconds: means over every k and seed of the line.</p>\n");
            }
            inferenceOnly.forEach((backend, modes) -> h.append("<p class=\"source inference-only\">")
                    .append(HtmlReport.esc(backend + ": inference-only, cannot train the image tower (asked: "
                            + String.join(", ", modes) + ")."))
                    .append("</p>\n"));
        }

        private static void num(StringBuilder h, String v) {
            h.append("<td class=\"num\">").append(HtmlReport.esc(v)).append("</td>");
        }
    }

    /** head, then last:1, last:2, …, then after:LAYER, then all; unknown modes by name after those. */
    static final Comparator<String> MODE_ORDER = Comparator.comparingInt(FineTuneComparison::modeRank)
            .thenComparingInt(FineTuneComparison::lastBlocks).thenComparing(Comparator.naturalOrder());

    private static int modeRank(String mode) {
        if (mode.equals(HEAD)) {
            return 0;
        }
        if (mode.startsWith("last:")) {
            return 1;
        }
        if (mode.startsWith("after:")) {
            return 2;
        }
        return mode.equals("all") ? 3 : 4;
    }

    private static int lastBlocks(String mode) {
        try {
            return mode.startsWith("last:") ? Integer.parseInt(mode.substring(5)) : 0;
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }

    /** The mode of a row: its finetune cell, or head where a run before fine-tuning left it empty. */
    static String mode(Summary.Row r) {
        return r.finetune().isEmpty() ? HEAD : r.finetune();
    }

    /** Whether the row is a fine-tuning row of a backend that cannot train (said once, by the section). */
    static boolean inferenceOnly(Summary.Row r) {
        return FINE_TUNE.equals(r.protocol()) && r.note().contains(INFERENCE_ONLY);
    }

    /** The comparison of each dataset with fine-tune rows, in the summary's order. */
    static List<Table> of(List<Summary.Row> summary, List<ReportRow> results) {
        List<Table> out = new ArrayList<>();
        Summary.byDataset(summary).forEach((dataset, rows) -> {
            if (rows.stream().anyMatch(r -> FINE_TUNE.equals(r.protocol()))) {
                out.add(table(dataset, rows, results));
            }
        });
        return out;
    }

    private static Table table(String dataset, List<Summary.Row> rows, List<ReportRow> results) {
        Map<String, Set<String>> inferenceOnly = new LinkedHashMap<>();
        rows.stream().filter(FineTuneComparison::inferenceOnly).forEach(r ->
                inferenceOnly.computeIfAbsent(r.backend(), b -> new TreeSet<>(MODE_ORDER)).add(mode(r)));
        // heads that trained some tower, per backend, backbone and upsampler
        Set<String> trained = new LinkedHashSet<>();
        rows.stream().filter(r -> FINE_TUNE.equals(r.protocol()) && r.top1().present())
                .forEach(r -> trained.add(group(r)));
        List<Summary.Row> shown = rows.stream().filter(r -> !r.zeroShot() && trained.contains(group(r))
                && (FINE_TUNE.equals(r.protocol()) || mode(r).equals(HEAD))).toList();
        List<Integer> ks = shown.stream().map(Summary.Row::k).distinct().sorted(ReportRow::compareK).toList();
        Map<String, List<Summary.Row>> byLine = new LinkedHashMap<>();
        shown.stream().sorted(Comparator.comparing(Summary.Row::backbone).thenComparing(Summary.Row::backend)
                        .thenComparing(Summary.Row::upsampler).thenComparing(Summary.Row::head)
                        .thenComparing(FineTuneComparison::mode, MODE_ORDER))
                .forEach(r -> byLine.computeIfAbsent(group(r) + "|" + mode(r), x -> new ArrayList<>()).add(r));
        List<Line> lines = new ArrayList<>();
        for (List<Summary.Row> line : byLine.values()) {
            lines.add(line(line, ks, results));
        }
        return new Table(dataset, ks, lines, inferenceOnly,
                lines.stream().map(Line::backend).distinct().count() > 1,
                lines.stream().map(Line::upsampler).distinct().count() > 1);
    }

    private static String group(Summary.Row r) {
        return String.join("|", r.backend(), r.backbone(), r.upsampler(), r.head());
    }

    private static Line line(List<Summary.Row> rows, List<Integer> ks, List<ReportRow> results) {
        Summary.Row first = rows.get(0);
        List<Summary.Row> cells = new ArrayList<>();
        for (int k : ks) {
            cells.add(rows.stream().filter(r -> r.k() == k).findFirst().orElse(null));
        }
        Set<String> keys = new LinkedHashSet<>();
        rows.forEach(r -> keys.add(MergedResults.key(r)));
        List<ReportRow> own = results.stream().filter(r -> keys.contains(MergedResults.key(r, false))
                && !Double.isNaN(r.number("top1"))).toList();
        List<ReportRow> trainedRows = own.stream().filter(r -> FINE_TUNE.equals(r.get("protocol"))).toList();
        TreeSet<Long> params = new TreeSet<>();
        own.forEach(r -> params.add(r.integer("trainable_params", -1)));
        params.remove(-1L);
        String trainable = params.isEmpty() ? "–" : params.size() == 1 ? count(params.first())
                : count(params.first()) + "–" + count(params.last());
        return new Line(first.backend(), first.backbone(), first.upsampler(), first.head(), mode(first), cells,
                trainable, Summary.Stat.of(trainedRows.stream().map(r -> selected(r, "best_epoch")).toList()),
                Summary.Stat.of(trainedRows.stream().map(r -> r.number("epochs")).toList()),
                Summary.Stat.of(own.stream().map(r -> r.number("fit_seconds")).toList()));
    }

    /** A value of the row's {@code selected} cell ({@code key=value;…}), NaN when absent. */
    static double selected(ReportRow r, String key) {
        for (String part : r.get("selected").split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).strip().equals(key)) {
                try {
                    return Double.parseDouble(part.substring(eq + 1).strip());
                } catch (NumberFormatException e) {
                    return Double.NaN;
                }
            }
        }
        return Double.NaN;
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String mean(Summary.Stat s, int decimals) {
        return s.present() ? String.format(Locale.ROOT, "%." + decimals + "f", s.mean()) : "–";
    }
}
