package clipbench.reports;

import static clipbench.reports.HtmlReport.esc;

import java.util.Arrays;
import java.util.List;

/**
 * A {@link Headline} as HTML: the pivot (each cell's backends, backbone, upsampler, head and column as data
 * attributes, so a test can compare it with summary.csv; the best cell of each column in bold; a split cell one
 * span per backend, marked ≠), the sentences, the embedding cost beside it and the faceted charts under it.
 */
final class HeadlineHtml {
    private HeadlineHtml() {
    }

    static void render(StringBuilder h, Headline t, EmbedCost cost, List<Charts.Figure> panels) {
        h.append("<h3>").append(esc(t.dataset())).append("</h3>\n<div class=\"headline-row\">\n");
        table(h, t);
        costTable(h, cost);
        h.append("</div>\n<ul class=\"sentences\">\n");
        HeadlineSentences.of(t).forEach(s -> h.append("<li>").append(esc(s)).append("</li>\n"));
        h.append("</ul>\n");
        if (!panels.isEmpty()) {
            h.append("<div class=\"facets\">\n");
            panels.forEach(f -> HtmlReport.figure(h, f));
            h.append("</div>\n");
        }
    }

    private static void table(StringBuilder h, Headline t) {
        h.append("<div class=\"scroll\"><table class=\"data headline\" data-dataset=\"").append(esc(t.dataset()))
                .append("\">\n<caption>Top-1 accuracy (%), mean ± std over ").append(t.seeds())
                .append(t.seeds() == 1 ? " seed" : " seeds");
        if (t.backends().size() > 1) {
            h.append("; backends ").append(esc(String.join(", ", t.backends())))
                    .append(t.anySplit() ? " (≠: they differ)" : " (one value: they agree)");
        }
        h.append("</caption>\n<thead><tr><th>backbone</th><th>upsampler</th>");
        if (t.showHead()) {
            h.append("<th>head</th>");
        }
        t.columns().forEach(c -> h.append("<th>").append(esc(Headline.columnLabel(c))).append("</th>"));
        h.append("</tr></thead>\n<tbody>\n");
        double[] best = columnBest(t);
        for (Headline.Line l : t.lines()) {
            h.append("<tr><td>").append(esc(l.backbone())).append("</td><td>").append(esc(l.upsampler()))
                    .append("</td>");
            if (t.showHead()) {
                h.append("<td>").append(esc(l.head())).append("</td>");
            }
            for (int c = 0; c < t.columns().size(); c++) {
                cell(h, l, t.columns().get(c), l.cells().get(c), best[c]);
            }
            h.append("</tr>\n");
        }
        h.append("</tbody></table></div>\n");
    }

    private static void cell(StringBuilder h, Headline.Line l, String column, Headline.Cell c, double best) {
        boolean isBest = !c.empty() && c.best() >= best - 1e-12;
        h.append("<td class=\"num").append(c.split() ? " split" : "").append(isBest ? " best" : "")
                .append("\" data-backbone=\"").append(esc(l.backbone())).append("\" data-upsampler=\"")
                .append(esc(l.upsampler())).append("\" data-head=\"").append(esc(l.head()))
                .append("\" data-column=\"").append(esc(column)).append("\">");
        if (c.empty()) {
            h.append("–");
        }
        for (int i = 0; i < c.parts().size(); i++) {
            Headline.Part p = c.parts().get(i);
            if (i > 0) {
                h.append(" <span class=\"ne\">≠</span> ");
            }
            h.append("<span class=\"part\" data-backends=\"").append(esc(String.join(" ", p.backends())))
                    .append("\">");
            if (c.split()) {
                h.append("<small>").append(esc(String.join("+", p.backends()))).append("</small> ");
            }
            h.append(esc(HtmlReport.percent(p.top1()))).append("</span>");
        }
        h.append("</td>");
    }

    private static double[] columnBest(Headline t) {
        double[] best = new double[t.columns().size()];
        Arrays.fill(best, Double.NEGATIVE_INFINITY);
        for (Headline.Line l : t.lines()) {
            for (int c = 0; c < best.length; c++) {
                if (!l.cells().get(c).empty()) {
                    best[c] = Math.max(best[c], l.cells().get(c).best());
                }
            }
        }
        return best;
    }

    private static void costTable(StringBuilder h, EmbedCost cost) {
        if (cost.lines().isEmpty()) {
            h.append("<p class=\"cost empty\">No embedding timings: every block came from the cache.</p>\n");
            return;
        }
        h.append("<div class=\"scroll cost\"><table class=\"data cost\">\n<caption>Embedding cost</caption>\n")
                .append("<thead><tr>");
        EmbedCost.HEADER.forEach(c -> h.append("<th>").append(esc(c)).append("</th>"));
        h.append("</tr></thead>\n<tbody>\n");
        for (EmbedCost.Line l : cost.lines()) {
            h.append("<tr>");
            List<String> cells = l.cells();
            for (int i = 0; i < cells.size(); i++) {
                h.append(i < 2 ? "<td>" : "<td class=\"num\">").append(esc(cells.get(i))).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</tbody></table>\n<p class=\"source\">From results.csv (images_per_second, embed_seconds) of")
                .append(" the rows that embedded; cached timings carry the run that made the block and are left out")
                .append(cost.cached().isEmpty() ? "." : " (" + esc(String.join("; ", cost.cached())) + ").")
                .append("</p></div>\n");
    }
}
