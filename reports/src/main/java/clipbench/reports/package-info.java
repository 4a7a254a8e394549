/**
 * Run directories and reports.
 *
 * <p>{@link clipbench.reports.RunDirectory} writes a run's CSVs and thumbnails. {@link clipbench.reports.ReportBuilder#build}
 * reads one or more run directories (CSVs only: run.json, results.csv, predictions.csv, and the optional
 * confusions.csv, per_class.csv, parity.csv and training.csv, all read by column name) and writes a report folder:
 * <ul>
 *   <li>{@code summary.csv} ({@link clipbench.reports.Summary}): mean and sample std over seeds;</li>
 *   <li>per dataset, the headline ({@link clipbench.reports.Headline}): top-1 mean ± std pivoted by backbone ×
 *       upsampler × head against zero-shot and k, backends folded into one value where parity.csv and the numbers
 *       agree ({@link clipbench.reports.BackendParity}), with sentences read off it
 *       ({@link clipbench.reports.HeadlineSentences}), embedding cost per backend ({@link clipbench.reports.EmbedCost})
 *       and {@code charts/accuracy-vs-k_*}, one panel per backbone with ±1 sd bands
 *       ({@link clipbench.reports.FacetCharts}); as HTML ({@link clipbench.reports.HeadlineHtml}) and as text
 *       for the terminal ({@link clipbench.reports.HeadlineText}); what could not run, one line per reason
 *       ({@link clipbench.reports.Unavailable});</li>
 *   <li>{@code charts/*.png} and {@code charts/*.svg} ({@link clipbench.reports.Charts}, XChart):
 *       top-1 by upsampler, top-1 by backend, confusion heat maps of the most confused classes;</li>
 *   <li>{@code gallery/*.png} ({@link clipbench.reports.Gallery}): test images captioned "predicted (true)",
 *       drawn from the run's {@code thumbnails/} ({@link clipbench.reports.Thumbnails}: the images as the
 *       upsampler made them, written by the run), so the dataset is never read;</li>
 *   <li>per dataset with two or more upsamplers, an upsampler comparison
 *       ({@link clipbench.reports.UpsamplerComparison}: a table of top-1 mean ± std by backbone × upsampler × k,
 *       and {@code charts/upsamplers-by-k_*}), and per dataset a strip of example images
 *       ({@link clipbench.reports.ExampleStrip}: the originals and each upsampler's images of a few test images,
 *       copied from the thumbnails into {@code examples/});</li>
 *   <li>per dataset with {@code fine-tune} rows, a fine-tuning comparison ({@link clipbench.reports.FineTuneSection}:
 *       a table of top-1 mean ± std by backbone × head × mode × k with trainable parameters, epochs and fit seconds;
 *       {@code charts/finetune-by-k_*}, top-1 against k with one line per head and mode; {@code charts/training_*},
 *       train loss and validation accuracy against epoch from training.csv); a backend that cannot train is said
 *       once;</li>
 *   <li>{@code report.html} ({@link clipbench.reports.HtmlReport}): one self-contained page (images as data URIs,
 *       {@link clipbench.reports.InlineImages}; a CSP allowing no network), the headline first, the flat tables and
 *       run settings collapsed at the end (sortable, filterable); links to the CSVs and chart files relative.</li>
 * </ul>
 * Every file is replaced atomically.
 *
 * <p>Tests: {@code BrowserReportTest} opens report.html in headless Chromium ({@code /usr/bin/chromium}, Debian's
 * {@code chromium} package, which CI installs) and fails when it is missing; {@code -Dclipbench.skipBrowser=true}
 * skips that one test where no browser can be installed, {@code -Dclipbench.chromium=PATH} names another binary
 * and {@code -Dclipbench.keepScreenshot=FILE} / {@code -Dclipbench.keepHeadlineScreenshot=FILE} keep its
 * screenshots.
 */
package clipbench.reports;
