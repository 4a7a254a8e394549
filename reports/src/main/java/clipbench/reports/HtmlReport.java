package clipbench.reports;

import clipbench.api.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * report.html: one self-contained page (inline CSS and a tiny inline script, no external resources, relative
 * links only) with the run settings, the summary table, the charts (PNG, linking to the SVG), the most confused
 * class pairs, per-class recall, the prediction galleries and notes; with several upsamplers an upsampler
 * comparison ({@link UpsamplerComparison}) and, per dataset, a strip of example images ({@link ExampleStrip}); with
 * fine-tuning rows a fine-tuning section ({@link FineTuneSection}).
 * Every text is HTML-escaped.
 *
 * <p>On load, the script counts the page's images and those that failed to load and stores both on the body
 * as {@code data-images} and {@code data-broken-images}, so a headless browser can check the page.
 */
public final class HtmlReport {
    public static final String FILE = "report.html";

    private HtmlReport() {
    }

    /**
     * A run's settings.
     *
     * @param runId      the run id
     * @param resultsLink relative link to its results.csv from the report, or null
     * @param settings   run.json's keys (but run_id) as text
     * @param rows       results.csv rows used
     */
    public record RunInfo(String runId, String dir, String resultsLink, Map<String, String> settings, int rows) {
    }

    /** A table: a title, column names and rows of cells (already formatted text). */
    public record Table(String title, List<String> header, List<List<String>> rows) {
    }

    /**
     * Everything on the page.
     *
     * @param confusionNote shown in the confused-pairs section when there is no table (why), or null
     */
    public record Content(String title, List<RunInfo> runs, List<Summary.Row> summary, String summaryLink,
                          List<Table> parity, List<Charts.Figure> charts, List<Table> confusedPairs,
                          List<Charts.Figure> heatMaps, List<Table> perClass, List<Charts.Figure> galleries,
                          List<UpsamplerView> upsamplers, List<FineTuneSection> fineTuning, List<String> notes) {
    }

    /**
     * The upsamplers section of one dataset: its comparison table and charts (null and empty with fewer than two
     * upsamplers) and its example strip (null when there is none).
     */
    record UpsamplerView(String dataset, UpsamplerComparison.Table table, List<Charts.Figure> charts,
                                ExampleStrip.Strip strip) {
    }

    public static void write(Path file, Content c) throws IOException {
        String html = render(c);
        AtomicFiles.write(file, out -> out.write(html));
    }

    static String render(Content c) {
        StringBuilder h = new StringBuilder(32_768);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(esc(c.title())).append("</title>\n<style>\n").append(CSS)
                .append("</style>\n</head>\n<body>\n");
        h.append("<header><h1>").append(esc(c.title())).append("</h1>\n<nav>");
        nav(h, "runs", "Runs");
        nav(h, "summary", "Summary");
        if (!c.parity().isEmpty()) {
            nav(h, "parity", "Backend parity");
        }
        if (!c.charts().isEmpty()) {
            nav(h, "charts", "Charts");
        }
        if (!c.upsamplers().isEmpty()) {
            nav(h, "upsamplers", "Upsamplers");
        }
        if (!c.fineTuning().isEmpty()) {
            nav(h, "finetune", "Fine-tuning");
        }
        if (!c.confusedPairs().isEmpty() || !c.heatMaps().isEmpty()) {
            nav(h, "confusions", "Confused classes");
        }
        if (!c.perClass().isEmpty()) {
            nav(h, "per-class", "Per-class recall");
        }
        if (!c.galleries().isEmpty()) {
            nav(h, "gallery", "Gallery");
        }
        nav(h, "notes", "Notes");
        h.append("</nav></header>\n<main>\n");

        // Runs
        h.append("<section id=\"runs\">\n<h2>Runs</h2>\n");
        for (RunInfo r : c.runs()) {
            h.append("<table class=\"kv\">\n<caption>Run ").append(esc(r.runId())).append("</caption>\n");
            kv(h, "run_id", esc(r.runId()));
            kv(h, "directory", esc(r.dir()));
            kv(h, "results rows", Integer.toString(r.rows())
                    + (r.resultsLink() == null ? "" : " (" + link(r.resultsLink(), "results.csv") + ")"));
            r.settings().forEach((k, v) -> kv(h, esc(k), esc(v)));
            h.append("</table>\n");
        }
        h.append("</section>\n");

        // Summary
        h.append("<section id=\"summary\">\n<h2>Summary</h2>\n<p>Accuracies in percent, mean ± sample standard")
                .append(" deviation over seeds. Also as ").append(link(c.summaryLink(), "summary.csv"))
                .append(".</p>\n");
        if (c.summary().isEmpty()) {
            h.append("<p class=\"empty\">No results.</p>\n");
        } else {
            h.append("<div class=\"scroll\"><table class=\"data\">\n<thead><tr>");
            for (String col : List.of("backend", "backbone", "dataset", "upsampler", "protocol", "head", "finetune", "k",
                    "seeds", "top-1", "top-5", "mean per-class recall", "note")) {
                h.append("<th>").append(esc(col)).append("</th>");
            }
            h.append("</tr></thead>\n<tbody>\n");
            for (Summary.Row r : c.summary()) {
                h.append(r.top1().present() ? "<tr>" : "<tr class=\"skipped\">");
                for (String v : List.of(r.backend(), r.backbone(), r.dataset(), r.upsampler(), r.protocol(),
                        r.head(), r.finetune())) {
                    td(h, v);
                }
                h.append("<td class=\"num\">").append(esc(r.zeroShot() && r.k() == 0 ? "–" : r.kLabel()))
                        .append("</td>");
                h.append("<td class=\"num\">").append(r.nSeeds()).append("</td>");
                pct(h, r.top1());
                pct(h, r.top5());
                pct(h, r.meanPerClassRecall());
                td(h, r.note());
                h.append("</tr>\n");
            }
            h.append("</tbody></table></div>\n");
        }
        h.append("</section>\n");

        if (!c.parity().isEmpty()) {
            h.append("<section id=\"parity\">\n<h2>Backend parity</h2>\n<p>The same test images on each pair of")
                    .append(" backends: cosine and largest absolute difference of the normalised embeddings, and")
                    .append(" whether their predictions agree (zero-shot with a text tower, else each backend's")
                    .append(" nearest class centroid). A flip is an image predicted differently.</p>\n");
            c.parity().forEach(t -> table(h, t));
            h.append("</section>\n");
        }

        // Charts
        if (!c.charts().isEmpty()) {
            h.append("<section id=\"charts\">\n<h2>Charts</h2>\n");
            c.charts().forEach(f -> figure(h, f));
            h.append("</section>\n");
        }

        if (!c.upsamplers().isEmpty()) {
            h.append("<section id=\"upsamplers\">\n<h2>Upsamplers</h2>\n<p>What each upsampler made of the")
                    .append(" small test images, and the accuracy it led to.</p>\n");
            for (UpsamplerView v : c.upsamplers()) {
                h.append("<h3>").append(esc(v.dataset())).append("</h3>\n");
                if (v.table() != null) {
                    v.table().html(h);
                }
                v.charts().forEach(f -> figure(h, f));
                if (v.strip() != null) {
                    v.strip().html(h);
                }
            }
            h.append("</section>\n");
        }

        FineTuneSection.html(h, c.fineTuning());

        // Confusions
        if (!c.confusedPairs().isEmpty() || !c.heatMaps().isEmpty()) {
            h.append("<section id=\"confusions\">\n<h2>Most confused classes</h2>\n")
                    .append("<p>m_ab: images of class a predicted as b; n_a: images of class a; iou as")
                    .append(" in confusions.csv. Summed over seeds (iou averaged).</p>\n");
            c.confusedPairs().forEach(t -> table(h, t));
            c.heatMaps().forEach(f -> figure(h, f));
            h.append("</section>\n");
        }

        if (!c.perClass().isEmpty()) {
            h.append("<section id=\"per-class\">\n<h2>Per-class recall (lowest first)</h2>\n");
            c.perClass().forEach(t -> table(h, t));
            h.append("</section>\n");
        }

        if (!c.galleries().isEmpty()) {
            h.append("<section id=\"gallery\">\n<h2>Prediction gallery</h2>\n")
                    .append("<p>Test images captioned <em>predicted (true)</em>; wrong predictions are framed")
                    .append(" in red.</p>\n");
            c.galleries().forEach(f -> figure(h, f));
            h.append("</section>\n");
        }

        h.append("<section id=\"notes\">\n<h2>Notes</h2>\n");
        if (c.notes().isEmpty()) {
            h.append("<p class=\"empty\">None.</p>\n");
        } else {
            h.append("<ul>\n");
            for (String n : c.notes()) {
                h.append("<li>").append(esc(n)).append("</li>\n");
            }
            h.append("</ul>\n");
        }
        h.append("</section>\n</main>\n");
        h.append("<footer>Generated by clipbench from the run CSVs.</footer>\n");
        h.append(SCRIPT);
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    /** Escapes text for HTML element content and double- or single-quoted attribute values. */
    public static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(ch);
            }
        }
        return b.toString();
    }

    /** A relative URL for a '/'-separated relative path: each segment percent-encoded where needed. */
    static String url(String relativePath) {
        StringBuilder b = new StringBuilder();
        for (String seg : relativePath.split("/", -1)) {
            if (b.length() > 0) {
                b.append('/');
            }
            b.append(java.net.URLEncoder.encode(seg, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"));
        }
        String u = b.toString();
        // "a:b" as a first segment would read as a URL scheme
        return u.contains(":") || u.startsWith("/") ? "./" + u : u;
    }

    private static String link(String relativePath, String text) {
        return "<a href=\"" + esc(url(relativePath)) + "\">" + esc(text) + "</a>";
    }

    private static void nav(StringBuilder h, String id, String text) {
        h.append("<a href=\"#").append(id).append("\">").append(esc(text)).append("</a> ");
    }

    private static void kv(StringBuilder h, String keyHtml, String valueHtml) {
        h.append("<tr><th>").append(keyHtml).append("</th><td>").append(valueHtml).append("</td></tr>\n");
    }

    private static void td(StringBuilder h, String v) {
        h.append("<td>").append(esc(v)).append("</td>");
    }

    private static void pct(StringBuilder h, Summary.Stat s) {
        h.append("<td class=\"num\">").append(percent(s)).append("</td>");
    }

    /** "62.0 ± 2.0": mean ± std in percent, one decimal; no std for one seed; "–" for no value. */
    static String percent(Summary.Stat s) {
        if (!s.present()) {
            return "–";
        }
        String mean = String.format(Locale.ROOT, "%.1f", 100 * s.mean());
        return Double.isNaN(s.std()) ? mean : mean + String.format(Locale.ROOT, " ± %.1f", 100 * s.std());
    }

    private static void table(StringBuilder h, Table t) {
        h.append("<div class=\"scroll\"><table class=\"data\">\n<caption>").append(esc(t.title()))
                .append("</caption>\n<thead><tr>");
        t.header().forEach(col -> h.append("<th>").append(esc(col)).append("</th>"));
        h.append("</tr></thead>\n<tbody>\n");
        for (List<String> row : t.rows()) {
            h.append("<tr>");
            for (String v : row) {
                boolean num = !v.isEmpty() && v.chars().allMatch(ch -> Character.isDigit(ch) || ch == '.'
                        || ch == '-' || ch == '%');
                h.append(num ? "<td class=\"num\">" : "<td>").append(esc(v)).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</tbody></table></div>\n");
    }

    static void figure(StringBuilder h, Charts.Figure f) {
        h.append("<figure>\n<img src=\"").append(esc(url(f.png()))).append("\" alt=\"").append(esc(f.alt()))
                .append("\">\n<figcaption>").append(esc(f.title()));
        if (f.svg() != null) {
            h.append(" — ").append(link(f.svg(), "SVG")).append(", ").append(link(f.png(), "PNG"));
        }
        h.append("</figcaption>\n</figure>\n");
    }

    static final String CSS = """
            :root { color-scheme: light; }
            body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
                   margin: 0; color: #1d1d1f; background: #fafafa; line-height: 1.45; }
            header { background: #243447; color: #fff; padding: 14px 24px; }
            header h1 { margin: 0 0 6px; font-size: 22px; }
            nav a { color: #cfe3ff; margin-right: 14px; text-decoration: none; font-size: 14px; }
            nav a:hover { text-decoration: underline; }
            main { padding: 8px 24px 24px; max-width: 1400px; }
            section { margin-top: 22px; }
            h2 { font-size: 18px; border-bottom: 2px solid #d9dee5; padding-bottom: 4px; }
            table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; background: #fff; }
            caption { text-align: left; font-weight: 600; padding: 4px 0; }
            th, td { border: 1px solid #d9dee5; padding: 4px 8px; vertical-align: top; }
            thead th { background: #eef2f7; position: sticky; top: 0; }
            table.kv th { text-align: left; background: #f4f6f9; font-weight: 600; white-space: nowrap; }
            td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
            tr.skipped td { color: #8a8a8a; font-style: italic; }
            .scroll { overflow-x: auto; }
            figure { margin: 12px 0 24px; }
            figure img { max-width: 100%; height: auto; border: 1px solid #d9dee5; background: #fff; }
            figcaption { font-size: 13px; color: #444; margin-top: 4px; }
            .empty { color: #777; font-style: italic; }
            h3 { font-size: 16px; margin: 18px 0 4px; }
            td.best { background: #e8f5e9; }
            p.source { font-size: 13px; color: #444; }
            table.strip td { text-align: center; vertical-align: bottom; }
            table.strip th small { font-weight: normal; color: #666; }
            table.strip img { display: block; margin: 0 auto; background: #fff; }
            img.pixelated { image-rendering: pixelated; }
            .size { font-size: 12px; color: #666; }
            footer { color: #777; font-size: 12px; padding: 12px 24px 24px; }
            """;

    private static final String SCRIPT = """
            <script>
            window.addEventListener('load', function () {
              var imgs = document.images, broken = 0;
              for (var i = 0; i < imgs.length; i++) {
                if (!imgs[i].complete || imgs[i].naturalWidth === 0) { broken++; }
              }
              document.body.dataset.images = String(imgs.length);
              document.body.dataset.brokenImages = String(broken);
            });
            </script>
            """;
}
