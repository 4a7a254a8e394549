package clipbench.reports;

import clipbench.api.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * report.html: one self-contained page that can be mailed (inline CSS and script, images as data URIs through
 * {@link InlineImages}, a Content-Security-Policy that allows no network; links to the CSV, PNG and SVG files
 * beside it are relative). The answer first: per dataset the {@link Headline} pivot with its sentences, the
 * embedding cost ({@link EmbedCost}) and top-1 vs k per backbone ({@link FacetCharts}); what could not run, once
 * per reason ({@link Unavailable}); then, per dataset, the example strips and upsampler comparison
 * ({@link ExampleStrip}, {@link UpsamplerComparison}), the fine-tuning section ({@link FineTuneSection}), confused
 * classes, per-class recall and galleries; collapsed at the end the full summary and parity tables (sortable and
 * filterable by the page's script), the other charts and each run's settings; notes last.
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
                          List<UpsamplerView> upsamplers, List<FineTuneSection> fineTuning, List<String> notes,
                          List<HeadlineView> headlines, List<String> unavailable) {
    }

    /**
     * The upsamplers section of one dataset: its comparison table and charts (null and empty with fewer than two
     * upsamplers) and its example strip (null when there is none).
     */
    record UpsamplerView(String dataset, UpsamplerComparison.Table table, List<Charts.Figure> charts,
                                ExampleStrip.Strip strip) {
    }

    public static void write(Path file, Content c) throws IOException {
        String html = InlineImages.apply(render(c), file.toAbsolutePath().getParent());
        AtomicFiles.write(file, out -> out.write(html));
    }

    /**
     * The headline of one dataset as drawn: the pivot, its embedding cost and its faceted charts.
     */
    record HeadlineView(Headline headline, EmbedCost cost, List<Charts.Figure> panels) {
    }

    /** No network: images only as data URIs, styles and scripts only inline. */
    static final String CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline';"
            + " script-src 'unsafe-inline'";

    static String render(Content c) {
        StringBuilder h = new StringBuilder(32_768);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"").append(CSP).append("\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(esc(c.title())).append("</title>\n<style>\n").append(CSS)
                .append("</style>\n</head>\n<body>\n");
        h.append("<header><h1>").append(esc(c.title())).append("</h1>\n<nav>");
        nav(h, "headline", "Results");
        if (!c.unavailable().isEmpty()) {
            nav(h, "unavailable", "Could not run");
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
        nav(h, "details", "All results, settings");
        nav(h, "notes", "Notes");
        h.append("</nav></header>\n<main>\n");

        h.append("<section id=\"headline\">\n<h2>Results</h2>\n");
        if (c.headlines().isEmpty()) {
            h.append("<p class=\"empty\">No results.</p>\n");
        }
        c.headlines().forEach(v -> HeadlineHtml.render(h, v.headline(), v.cost(), v.panels()));
        h.append("</section>\n");

        if (!c.unavailable().isEmpty()) {
            h.append("<section id=\"unavailable\">\n<h2>Could not run</h2>\n<ul>\n");
            c.unavailable().forEach(line -> h.append("<li>").append(esc(line)).append("</li>\n"));
            h.append("</ul>\n</section>\n");
        }

        if (!c.upsamplers().isEmpty()) {
            h.append("<section id=\"upsamplers\">\n<h2>Upsamplers</h2>\n<p>What each upsampler made of the")
                    .append(" small test images, and the accuracy it led to.</p>\n");
            for (UpsamplerView v : c.upsamplers()) {
                h.append("<h3>").append(esc(v.dataset())).append("</h3>\n");
                if (v.strip() != null) {
                    v.strip().html(h);
                }
                if (v.table() != null) {
                    v.table().html(h);
                }
                v.charts().forEach(f -> figure(h, f));
            }
            h.append("</section>\n");
        }

        FineTuneSection.html(h, c.fineTuning());

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

        details(h, c);

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

    /** Collapsed at the end: every summary row (sortable, filterable), parity, the other charts, the runs. */
    private static void details(StringBuilder h, Content c) {
        h.append("<section id=\"details\">\n<h2>All results and settings</h2>\n");
        h.append("<details id=\"summary\">\n<summary>All results: ").append(c.summary().size())
                .append(" rows (").append(link(c.summaryLink(), "summary.csv")).append(")</summary>\n")
                .append("<p>Accuracies in percent, mean ± sample standard deviation over seeds. Click a column")
                .append(" to sort; type to filter.</p>\n");
        List<List<String>> rows = c.summary().stream().map(r -> List.of(r.backend(), r.backbone(), r.dataset(),
                r.upsampler(), r.protocol(), r.head(), r.finetune(), r.zeroShot() && r.k() == 0 ? "–" : r.kLabel(),
                Integer.toString(r.nSeeds()), percent(r.top1()), percent(r.top5()), percent(r.meanPerClassRecall()),
                r.note())).toList();
        table(h, new Table("", List.of("backend", "backbone", "dataset", "upsampler", "protocol", "head",
                "finetune", "k", "seeds", "top-1", "top-5", "mean per-class recall", "note"), rows), true);
        h.append("</details>\n");
        if (!c.parity().isEmpty()) {
            h.append("<details id=\"parity\">\n<summary>Backend parity</summary>\n<p>The same test images on")
                    .append(" each pair of backends: cosine and largest absolute difference of the normalised")
                    .append(" embeddings, and whether their predictions agree (zero-shot with a text tower, else")
                    .append(" each backend's nearest class centroid). A flip is an image predicted")
                    .append(" differently.</p>\n");
            c.parity().forEach(t -> table(h, t, true));
            h.append("</details>\n");
        }
        if (!c.charts().isEmpty()) {
            h.append("<details id=\"charts\">\n<summary>More charts</summary>\n");
            c.charts().forEach(f -> figure(h, f));
            h.append("</details>\n");
        }
        h.append("<details id=\"runs\">\n<summary>Runs: settings and provenance</summary>\n");
        for (RunInfo r : c.runs()) {
            h.append("<table class=\"kv\">\n<caption>Run ").append(esc(r.runId())).append("</caption>\n");
            kv(h, "run_id", esc(r.runId()));
            kv(h, "directory", esc(r.dir()));
            kv(h, "results rows", Integer.toString(r.rows())
                    + (r.resultsLink() == null ? "" : " (" + link(r.resultsLink(), "results.csv") + ")"));
            r.settings().forEach((k, v) -> kv(h, esc(k), esc(v)));
            h.append("</table>\n");
        }
        h.append("</details>\n</section>\n");
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

    /** "62.0 ± 2.0": mean ± std in percent, one decimal; no std for one seed; "–" for no value. */
    static String percent(Summary.Stat s) {
        if (!s.present()) {
            return "–";
        }
        String mean = String.format(Locale.ROOT, "%.1f", 100 * s.mean());
        return Double.isNaN(s.std()) ? mean : mean + String.format(Locale.ROOT, " ± %.1f", 100 * s.std());
    }

    private static void table(StringBuilder h, Table t) {
        table(h, t, false);
    }

    /** A sortable table gets the page script's column sorting and filter box. */
    private static void table(StringBuilder h, Table t, boolean sortable) {
        h.append("<div class=\"scroll\"><table class=\"data").append(sortable ? " sortable" : "")
                .append("\">\n<caption>").append(esc(t.title()))
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
        String shown = f.svg() != null ? f.svg() : f.png();
        h.append("<figure>\n<img src=\"").append(esc(url(shown))).append("\" alt=\"").append(esc(f.alt()))
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
            .headline-row { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
            table.headline td.split { background: #fff4e5; }
            table.headline span.ne { color: #b35c00; font-weight: 700; }
            table.headline td.best { font-weight: 700; }
            ul.sentences { margin: 4px 0 12px; padding-left: 20px; }
            .facets { display: flex; flex-wrap: wrap; gap: 12px; }
            .facets figure { flex: 1 1 560px; max-width: 680px; margin: 4px 0 12px; }
            details { margin: 8px 0; }
            details > summary { cursor: pointer; font-weight: 600; }
            input.filter { margin: 4px 0; padding: 3px 6px; width: 320px; }
            table.sortable thead th { cursor: pointer; }
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
            // the collapsed tables: a click on a column sorts it (numbers as numbers), a filter box hides rows
            document.querySelectorAll('table.sortable').forEach(function (table) {
              var body = table.tBodies[0];
              var box = document.createElement('input');
              box.className = 'filter';
              box.placeholder = 'filter rows';
              box.addEventListener('input', function () {
                var q = box.value.toLowerCase();
                Array.prototype.forEach.call(body.rows, function (r) {
                  r.style.display = r.textContent.toLowerCase().indexOf(q) >= 0 ? '' : 'none';
                });
              });
              table.parentNode.insertBefore(box, table);
              Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
                th.addEventListener('click', function () {
                  var dir = th.dataset.dir === 'asc' ? -1 : 1;
                  th.dataset.dir = dir === 1 ? 'asc' : 'desc';
                  var rows = Array.prototype.slice.call(body.rows);
                  rows.sort(function (a, b) {
                    var x = a.cells[col].textContent, y = b.cells[col].textContent;
                    var nx = parseFloat(x), ny = parseFloat(y);
                    var c = !isNaN(nx) && !isNaN(ny) ? nx - ny : x.localeCompare(y);
                    return dir * c;
                  });
                  rows.forEach(function (r) { body.appendChild(r); });
                });
              });
            });
            </script>
            """;
}
