package clipbench.reports;

import java.util.List;

/**
 * The report's fine-tuning part for one dataset: its {@link FineTuneComparison} table, the accuracy-by-mode charts
 * and the training curves ({@link FineTuneCharts}).
 */
record FineTuneSection(FineTuneComparison.Table table, List<Charts.Figure> byMode, List<Charts.Figure> curves) {

    /** The "Fine-tuning" section of report.html; nothing without sections. */
    static void html(StringBuilder h, List<FineTuneSection> sections) {
        if (sections.isEmpty()) {
            return;
        }
        h.append("<section id=\"finetune\">\n<h2>Fine-tuning</h2>\n<p>Top-1 by fine-tuning mode: <em>head</em>")
                .append(" trains the head on frozen features; <em>last:N</em> also the last N blocks of the image")
                .append(" tower; <em>all</em> the whole tower. Training curves from training.csv.</p>\n");
        for (FineTuneSection s : sections) {
            h.append("<h3>").append(HtmlReport.esc(s.table().dataset())).append("</h3>\n");
            s.table().html(h);
            s.byMode().forEach(f -> HtmlReport.figure(h, f));
            s.curves().forEach(f -> HtmlReport.figure(h, f));
        }
        h.append("</section>\n");
    }
}
