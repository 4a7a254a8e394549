package clipbench.reports;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds the report of one or more run directories from their CSVs alone (no model, no embedding): rows of
 * several runs are merged into one comparison (a row whose backend, backbone, dataset, upsampler, protocol,
 * head, k and seed repeat one already read is ignored, with a note). Writes into {@code out}:
 * {@code summary.csv}, {@code charts/} (PNG + SVG), {@code gallery/} (PNG), {@code examples/} (the example
 * strips' images, copied from the runs' thumbnails) and {@code report.html}; with one
 * run directory and {@code out} equal to it, the report is written beside the run's files.
 *
 * <p>Optional inputs: a run without confusions.csv, per_class.csv or predictions.csv gets the matching
 * sections left out with a note; galleries draw the run's {@link Thumbnails}, so the dataset is never read.
 *
 * <p>{@link #build} runs the stages in order: load the runs, merge their rows ({@link MergedResults}), write
 * summary.csv, the per-dataset {@link Headline} (folding backends by {@link BackendParity}) with its
 * {@link FacetCharts} and {@link EmbedCost}, the overview charts, choose what to show per system, the confused-pairs tables, one pass
 * over predictions.csv, the heat maps, the galleries, the upsampler comparison and example strips, the
 * fine-tuning comparison with its charts, the per-class tables, then report.html. {@link Result#headline} is
 * the headline as plain text for the terminal.
 */
public final class ReportBuilder {
    /** Images per gallery (a 4×6 grid). */
    public static final int GALLERY_SIZE = Gallery.COLUMNS * Gallery.ROWS;
    /** At most this many classes in a confusion heat map. */
    public static final int HEAT_MAP_CLASSES = 8;
    /** Pairs per confused-pairs table. */
    public static final int PAIRS_SHOWN = 10;
    /** Classes per per-class recall table. */
    public static final int PER_CLASS_SHOWN = 10;

    private static final String OTHER = "(other)";

    private ReportBuilder() {
    }

    /**
     * What was written.
     *
     * @param html      report.html
     * @param summary   summary.csv
     * @param charts    chart PNGs and SVGs written (heat maps included)
     * @param galleries gallery PNGs on the page (drawn now or kept from an earlier build)
     * @param notes     the notes shown on the page
     * @param headline  the page's headline pivots as plain text (fixed-width columns), for a terminal
     */
    public record Result(Path out, Path html, Path summary, List<Path> charts, List<Path> galleries,
                         List<String> notes, String headline) {
    }

    /**
     * Reads {@code runDirs} and writes the report into {@code out} (created if needed).
     *
     * @throws IOException when a directory is no run directory (no results.csv) or a file cannot be read or
     *                     written
     */
    public static Result build(List<Path> runDirs, Path out) throws IOException {
        if (runDirs == null || runDirs.isEmpty()) {
            throw new IllegalArgumentException("no run directory given");
        }
        Path outDir = out.toAbsolutePath().normalize();
        List<String> notes = new ArrayList<>();
        List<RunData> runs = loadRuns(runDirs, notes);
        Files.createDirectories(outDir);
        MergedResults merged = MergedResults.of(runs, notes);

        List<Summary.Row> summary = Summary.of(merged.rows());
        Path summaryFile = outDir.resolve(Summary.FILE);
        Summary.write(summary, summaryFile);
        resultNotes(merged.rows(), notes);

        Labels labels = new Labels(summary);
        Set<String> names = new HashSet<>();
        List<Headline> headlines = Headline.of(summary, BackendParity.of(runs));
        Drawn panels = new Drawn();
        List<HtmlReport.HeadlineView> headlineViews = new ArrayList<>();
        for (Headline t : headlines) {
            Drawn facets = new Drawn();
            chart(facets, outDir, notes, "top-1 vs k", () -> FacetCharts.panels(t, outDir, names));
            headlineViews.add(new HtmlReport.HeadlineView(t, EmbedCost.of(t.dataset(), merged.rows()),
                    facets.figures()));
            panels.addAll(facets);
        }
        Drawn charts = overviewCharts(summary, outDir, notes);
        Focus focus = Focus.of(summary);
        Confusions confusions = Confusions.of(runs, focus.rows(), labels, notes);
        Map<String, GalleryRequest> requests = galleryRequests(focus.galleryRows(), merged);
        Set<String> noPredictions = readPredictions(runs, merged, confusions.heat(), requests, notes);
        Drawn heatMaps = heatMaps(confusions.heat().values(), outDir, labels, names, notes);
        Drawn galleries = galleries(requests.values(), runs, outDir, labels, names, noPredictions, notes);
        Upsamplers upsamplers = Upsamplers.of(summary, runs, requests.values(), outDir, names, notes);
        Drawn fineTuneCharts = new Drawn();
        List<FineTuneSection> fineTuning = fineTuning(summary, merged, runs, outDir, names, notes, fineTuneCharts);
        List<HtmlReport.Table> perClass = perClassTables(runs, focus.rows(), labels, notes);

        String title = runs.size() == 1 ? "clipbench report: " + runs.get(0).runId()
                : "clipbench comparison of " + runs.size() + " runs";
        List<String> shownNotes = List.copyOf(new LinkedHashSet<>(notes));
        Path html = outDir.resolve(HtmlReport.FILE);
        HtmlReport.write(html, new HtmlReport.Content(title, runInfos(runs, merged, outDir), summary, Summary.FILE,
                parityTables(runs), charts.figures(), confusions.pairTables(), heatMaps.figures(), perClass,
                galleries.figures(), upsamplers.views(), fineTuning, shownNotes, headlineViews,
                Unavailable.lines(summary)));
        List<Path> chartFiles = new ArrayList<>(panels.files());
        chartFiles.addAll(charts.files());
        chartFiles.addAll(upsamplers.charts().files());
        chartFiles.addAll(fineTuneCharts.files());
        chartFiles.addAll(heatMaps.files());
        return new Result(outDir, html, summaryFile, List.copyOf(chartFiles), List.copyOf(galleries.files()),
                shownNotes, HeadlineText.render(headlines));
    }

    // ------------------------------------------------------------------ stages

    /** Figures drawn by one stage and the files written for them. */
    private record Drawn(List<Charts.Figure> figures, List<Path> files) {
        Drawn() {
            this(new ArrayList<>(), new ArrayList<>());
        }

        void addAll(Drawn other) {
            figures.addAll(other.figures());
            files.addAll(other.files());
        }
    }

    /** Each run directory once, in the order given; their reading problems join the notes. */
    private static List<RunData> loadRuns(List<Path> runDirs, List<String> notes) throws IOException {
        List<RunData> runs = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        for (Path d : runDirs) {
            RunData run = RunData.load(d);
            Path real = run.dir().toRealPath();
            if (!seen.add(real)) {
                notes.add(d + " was given twice; read once.");
                continue;
            }
            runs.add(run);
            notes.addAll(run.notes());
        }
        return runs;
    }

    /** Top-1 by upsampler and by backend (collapsed at the end of the page; top-1 vs k is in the headline). */
    private static Drawn overviewCharts(List<Summary.Row> summary, Path outDir, List<String> notes)
            throws IOException {
        Drawn charts = new Drawn();
        chart(charts, outDir, notes, "upsampler", () -> Charts.upsamplerBars(summary, outDir, notes));
        chart(charts, outDir, notes, "backend", () -> Charts.backendBars(summary, outDir, notes));
        return charts;
    }

    /**
     * Per dataset: the upsampler comparison (with two or more upsamplers) and the strip of example images, whose
     * items are the test images of the dataset's galleries (predictions.csv).
     */
    private record Upsamplers(List<HtmlReport.UpsamplerView> views, Drawn charts) {
        static Upsamplers of(List<Summary.Row> summary, List<RunData> runs, Collection<GalleryRequest> requests,
                             Path outDir, Set<String> names, List<String> notes) throws IOException {
            Map<String, UpsamplerComparison.Table> tables = new LinkedHashMap<>();
            UpsamplerComparison.of(summary).forEach(t -> tables.put(t.dataset(), t));
            Map<String, Map<String, Gallery.Item>> predicted = new LinkedHashMap<>();
            for (GalleryRequest g : requests) {
                Map<String, Gallery.Item> items = predicted.computeIfAbsent(g.row.dataset(), d -> new LinkedHashMap<>());
                g.items.forEach(i -> items.putIfAbsent(i.image(), i));
            }
            List<HtmlReport.UpsamplerView> views = new ArrayList<>();
            Drawn all = new Drawn();
            for (String dataset : summary.stream().map(Summary.Row::dataset).distinct().toList()) {
                UpsamplerComparison.Table t = tables.get(dataset);
                Drawn drawn = new Drawn();
                if (t != null) {
                    chart(drawn, outDir, notes, "upsampler comparison",
                            () -> UpsamplerComparison.charts(t, outDir, names));
                }
                List<Gallery.Item> items = List.copyOf(predicted.getOrDefault(dataset, Map.of()).values());
                List<String> ups = UpsamplerComparison.ordered(summary.stream()
                        .filter(r -> r.dataset().equals(dataset)).map(Summary.Row::upsampler).toList());
                ExampleStrip.Strip strip = items.isEmpty() ? null
                        : ExampleStrip.of(runs, dataset, ups, items, outDir, names, notes).orElse(null);
                if (t != null || strip != null) {
                    views.add(new HtmlReport.UpsamplerView(dataset, t, drawn.figures(), strip));
                }
                all.addAll(drawn);
            }
            return new Upsamplers(views, all);
        }
    }

    /**
     * Per dataset with fine-tune rows: the comparison, top-1 by mode and the training curves (training.csv, read
     * only when some head trained the tower); their files go to {@code drawn}.
     */
    private static List<FineTuneSection> fineTuning(List<Summary.Row> summary, MergedResults merged,
                                                    List<RunData> runs, Path outDir, Set<String> names,
                                                    List<String> notes, Drawn drawn) throws IOException {
        List<FineTuneComparison.Table> tables = FineTuneComparison.of(summary, merged.rows());
        // only runs that trained keep a training.csv: the others are not said to lack one
        List<RunData> trainedRuns = runs.stream().filter(run -> run.results().stream()
                .anyMatch(r -> FineTuneComparison.FINE_TUNE.equals(r.get("protocol")))).toList();
        List<ReportRow> training = tables.stream().allMatch(t -> t.lines().isEmpty()) ? null
                : mergeOptional(trainedRuns, RunData::training, RunData.TRAINING, notes, "the training curves are");
        List<FineTuneSection> sections = new ArrayList<>();
        for (FineTuneComparison.Table t : tables) {
            Drawn byMode = new Drawn();
            chart(byMode, outDir, notes, "fine-tuning mode", () -> FineTuneCharts.accuracyByMode(t, outDir, names));
            Drawn curves = new Drawn();
            if (training != null) {
                chart(curves, outDir, notes, "training curve",
                        () -> FineTuneCharts.trainingCurves(t, training, outDir, names, notes));
            }
            drawn.addAll(byMode);
            drawn.addAll(curves);
            sections.add(new FineTuneSection(t, byMode.figures(), curves.figures()));
        }
        return sections;
    }

    /**
     * What to show per system (backend, backbone, dataset, upsampler).
     *
     * @param rows        one row per system for the confusion and per-class tables: its zero-shot row, else
     *                    its best k-shot row
     * @param galleryRows rows that get a gallery: every zero-shot row and the best k-shot row of each system
     */
    private record Focus(List<Summary.Row> rows, List<Summary.Row> galleryRows) {
        static Focus of(List<Summary.Row> summary) {
            Map<String, List<Summary.Row>> systems = new LinkedHashMap<>();
            summary.forEach(r -> systems.computeIfAbsent(r.system(), k -> new ArrayList<>()).add(r));
            List<Summary.Row> focus = new ArrayList<>();
            List<Summary.Row> galleryRows = new ArrayList<>();
            for (List<Summary.Row> rows : systems.values()) {
                List<Summary.Row> zs = rows.stream().filter(r -> r.zeroShot() && r.top1().present())
                        .sorted(Comparator.comparing((Summary.Row r) -> !Summary.ZERO_SHOT.equals(r.head()))).toList();
                Optional<Summary.Row> best = rows.stream().filter(r -> !r.zeroShot() && r.top1().present())
                        .max(Comparator.comparingDouble(r -> r.top1().mean()));
                if (!zs.isEmpty()) {
                    focus.add(zs.get(0));
                } else {
                    best.ifPresent(focus::add);
                }
                galleryRows.addAll(zs);
                best.ifPresent(galleryRows::add);
            }
            return new Focus(focus, galleryRows);
        }
    }

    /**
     * The most-confused-pairs tables (confusions.csv) and, per focus row, the classes its heat map shows.
     *
     * @param heat by {@link MergedResults#key(Summary.Row)}; counted later from predictions.csv
     */
    private record Confusions(List<HtmlReport.Table> pairTables, Map<String, HeatRequest> heat) {
        static Confusions of(List<RunData> runs, List<Summary.Row> focus, Labels labels, List<String> notes) {
            List<ReportRow> confusions = mergeOptional(runs, RunData::confusions, RunData.CONFUSIONS, notes,
                    "the most-confused-pairs tables and heat maps are");
            List<HtmlReport.Table> pairTables = new ArrayList<>();
            Map<String, HeatRequest> heat = new LinkedHashMap<>();
            if (confusions == null) {
                return new Confusions(pairTables, heat);
            }
            for (Summary.Row r : focus) {
                List<TopConfusions.Pair> pairs = TopConfusions.of(confusions, r);
                if (pairs.isEmpty()) {
                    notes.add("confusions.csv has no rows for " + labels.of(r) + ".");
                    continue;
                }
                pairTables.add(new HtmlReport.Table(labels.of(r), TopConfusions.HEADER,
                        pairs.subList(0, Math.min(PAIRS_SHOWN, pairs.size())).stream()
                                .map(TopConfusions.Pair::cells).toList()));
                List<String> classes = TopConfusions.classes(pairs, HEAT_MAP_CLASSES);
                if (classes.size() >= 2) {
                    heat.put(MergedResults.key(r), new HeatRequest(r, classes));
                } else {
                    notes.add(labels.of(r) + ": no class was confused with another; no heat map.");
                }
            }
            return new Confusions(pairTables, heat);
        }
    }

    /** Which experiment and seed (the lowest kept) each gallery shows, by identity with seed. */
    private static Map<String, GalleryRequest> galleryRequests(List<Summary.Row> galleryRows, MergedResults merged) {
        Map<String, GalleryRequest> galleries = new LinkedHashMap<>();
        for (Summary.Row r : galleryRows) {
            TreeSet<Long> seeds = merged.seedsOf().get(MergedResults.key(r));
            if (seeds == null || seeds.isEmpty()) {
                continue;
            }
            long seed = seeds.first();
            String full = MergedResults.key(r) + "|" + seed;
            galleries.put(full, new GalleryRequest(r, seed, merged.owner().get(full)));
        }
        return galleries;
    }

    /**
     * One pass over each predictions.csv: counts for the heat maps and items for the galleries, from the rows
     * of the run whose results were kept. Returns the run directories without predictions.csv.
     */
    private static Set<String> readPredictions(List<RunData> runs, MergedResults merged,
                                               Map<String, HeatRequest> heat, Map<String, GalleryRequest> galleries,
                                               List<String> notes) throws IOException {
        Set<String> noPredictions = new LinkedHashSet<>();
        for (int i = 0; i < runs.size(); i++) {
            RunData run = runs.get(i);
            if (!run.hasPredictions()) {
                noPredictions.add(run.dir().toString());
                continue;
            }
            final int index = i;
            ReportCsv.forEach(run.predictionsFile(), p -> {
                String full = MergedResults.key(p, true);
                if (!merged.ownedBy(full, index)) {
                    return;
                }
                HeatRequest h = heat.get(MergedResults.key(p, false));
                if (h != null) {
                    h.add(p.get("true_class"), p.get("predicted_class"));
                }
                GalleryRequest g = galleries.get(full);
                if (g != null) {
                    g.items.add(new Gallery.Item(p.get("image"), p.get("true_class"), p.get("predicted_class")));
                }
            });
        }
        if (!noPredictions.isEmpty() && (!heat.isEmpty() || !galleries.isEmpty())) {
            notes.add("No predictions.csv in " + String.join(", ", noPredictions)
                    + ": its heat maps and galleries are left out.");
        }
        return noPredictions;
    }

    /** One heat map per request that has predictions among its classes (other predictions in one column). */
    private static Drawn heatMaps(Collection<HeatRequest> requests, Path outDir, Labels labels, Set<String> names,
                                  List<String> notes) throws IOException {
        Drawn drawn = new Drawn();
        for (HeatRequest h : requests) {
            Summary.Row r = h.row;
            if (h.total == 0) {
                notes.add(labels.of(r) + ": no predictions of its most confused classes; no heat map.");
                continue;
            }
            List<String> predicted = new ArrayList<>(h.classes);
            if (h.otherUsed()) {
                predicted.add(OTHER);
            }
            int[][] counts = new int[h.classes.size()][predicted.size()];
            for (int t = 0; t < h.classes.size(); t++) {
                System.arraycopy(h.counts[t], 0, counts[t], 0, predicted.size());
            }
            String name = Names.unique(Names.slug("confusion", r.backend(), r.backbone(), r.dataset(),
                    r.upsampler(), r.protocol(), r.head(), r.zeroShot() ? "" : "k" + r.kLabel()), names);
            try {
                Charts.Figure f = Charts.heatMap(outDir, name, "Most confused classes: " + labels.of(r),
                        h.classes, predicted, counts);
                drawn.figures().add(f);
                drawn.files().add(outDir.resolve(f.png()));
                drawn.files().add(outDir.resolve(f.svg()));
            } catch (RuntimeException e) {
                notes.add("Heat map for " + labels.of(r) + " failed: " + e);
            }
        }
        return drawn;
    }

    /**
     * One gallery per request, from the thumbnails its run kept: the pick is made among the predictions that
     * have one, so every image shown is one the run stored.
     */
    private static Drawn galleries(Collection<GalleryRequest> requests, List<RunData> runs, Path outDir,
                                   Labels labels, Set<String> names, Set<String> noPredictions, List<String> notes)
            throws IOException {
        Drawn drawn = new Drawn();
        List<Path> earlier = runs.stream().map(RunData::dir).filter(d -> !d.equals(outDir)).toList();
        Map<GalleryRequest, List<String>> alsoOn = sameOnOtherBackends(requests);
        for (GalleryRequest g : alsoOn.keySet()) {
            Summary.Row r = g.row;
            String title = labels.of(r) + (r.zeroShot() ? "" : ", seed " + g.seed)
                    + (alsoOn.get(g).isEmpty() ? "" : "; the same predictions on " + String.join(", ", alsoOn.get(g)));
            RunData run = runs.get(g.run);
            if (g.items.isEmpty()) {
                if (!noPredictions.contains(run.dir().toString())) {
                    notes.add("Gallery " + title + ": no predictions stored; gallery omitted.");
                }
                continue;
            }
            String name = Names.unique(Names.slug("gallery", r.backend(), r.backbone(), r.dataset(), r.upsampler(),
                    r.protocol(), r.head(), r.zeroShot() ? "" : "k" + r.kLabel()), names);
            Thumbnails.Folder thumbnails = Thumbnails.Folder.of(run.dir(), r.dataset(), r.upsampler());
            List<Gallery.Item> shown = g.items.stream().filter(i -> thumbnails.of(i.image()).isPresent()).toList();
            Optional<Charts.Figure> f = Gallery.render(outDir, name, title, Gallery.pick(shown, GALLERY_SIZE),
                    thumbnails, earlier, notes);
            f.ifPresent(fig -> {
                drawn.figures().add(fig);
                drawn.files().add(outDir.resolve(fig.png()));
            });
        }
        return drawn;
    }

    /**
     * The galleries to draw, each with the other backends whose gallery would show the very same images with the
     * very same predictions (parity held): those are drawn once, so the page stays small enough to mail.
     */
    private static Map<GalleryRequest, List<String>> sameOnOtherBackends(Collection<GalleryRequest> requests) {
        Map<String, GalleryRequest> first = new LinkedHashMap<>();
        Map<GalleryRequest, List<String>> out = new LinkedHashMap<>();
        for (GalleryRequest g : requests) {
            Summary.Row r = g.row;
            String items = new TreeSet<>(g.items.stream().map(Gallery.Item::toString).toList()).toString();
            String same = String.join("|", r.backbone(), r.dataset(), r.upsampler(), r.protocol(), r.head(),
                    r.finetune(), r.kLabel(), Long.toString(g.seed), items);
            GalleryRequest kept = first.putIfAbsent(same, g);
            if (kept == null || g.items.isEmpty()) {
                out.put(g, new ArrayList<>());
            } else {
                out.get(kept).add(r.backend());
            }
        }
        return out;
    }

    /** Per-class recall (per_class.csv) of each focus row. */
    private static List<HtmlReport.Table> perClassTables(List<RunData> runs, List<Summary.Row> focus, Labels labels,
                                                         List<String> notes) {
        List<HtmlReport.Table> perClass = new ArrayList<>();
        List<ReportRow> perClassRows = mergeOptional(runs, RunData::perClass, RunData.PER_CLASS, notes,
                "the per-class recall tables are");
        if (perClassRows != null) {
            for (Summary.Row r : focus) {
                HtmlReport.Table t = perClassTable(perClassRows, r, labels);
                if (t != null) {
                    perClass.add(t);
                }
            }
        }
        return perClass;
    }

    /** The "runs" section: each run's settings (run.json without run_id) and how many of its rows were used. */
    private static List<HtmlReport.RunInfo> runInfos(List<RunData> runs, MergedResults merged, Path outDir) {
        List<HtmlReport.RunInfo> infos = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            RunData run = runs.get(i);
            Map<String, String> settings = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : run.runJson().properties()) {
                if (!e.getKey().equals("run_id")) {
                    settings.put(e.getKey(), text(e.getValue()));
                }
            }
            infos.add(new HtmlReport.RunInfo(run.runId(), display(outDir, run.dir()),
                    relative(outDir, run.dir().resolve(RunData.RESULTS)), settings, merged.usedRows()[i]));
        }
        return infos;
    }

    // ------------------------------------------------------------------ helpers

    /** One table per run that compared several backends (its parity.csv as written). */
    private static List<HtmlReport.Table> parityTables(List<RunData> runs) {
        List<HtmlReport.Table> tables = new ArrayList<>();
        for (RunData run : runs) {
            run.parity().filter(rows -> !rows.isEmpty()).ifPresent(rows -> {
                List<String> header = new ArrayList<>(rows.get(0).cells().keySet());
                List<List<String>> cells = rows.stream().map(r -> header.stream().map(r::get).toList()).toList();
                tables.add(new HtmlReport.Table("Run " + run.runId(), header, cells));
            });
        }
        return tables;
    }

    @FunctionalInterface
    private interface ChartMaker {
        List<Charts.Figure> make() throws IOException;
    }

    private static void chart(Drawn drawn, Path outDir, List<String> notes, String what, ChartMaker maker)
            throws IOException {
        try {
            for (Charts.Figure f : maker.make()) {
                drawn.figures().add(f);
                drawn.files().add(outDir.resolve(f.png()));
                drawn.files().add(outDir.resolve(f.svg()));
            }
        } catch (RuntimeException e) {
            // A chart library failure on odd data must not cost the rest of the report.
            notes.add("The " + what + " chart could not be drawn: " + e);
        }
    }

    /** Rows of an optional file across runs (repeats dropped), or null when no run has it; notes who lacks it. */
    private static List<ReportRow> mergeOptional(List<RunData> runs,
                                                 java.util.function.Function<RunData, Optional<List<ReportRow>>> get,
                                                 String file, List<String> notes, String what) {
        List<ReportRow> out = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        boolean any = false;
        Set<Map<String, String>> seen = new HashSet<>();
        for (RunData run : runs) {
            Optional<List<ReportRow>> rows = get.apply(run);
            if (rows.isEmpty()) {
                missing.add(run.dir().toString());
                continue;
            }
            any = true;
            for (ReportRow r : rows.get()) {
                Map<String, String> cells = new LinkedHashMap<>(r.cells());
                cells.remove("run_id");
                if (seen.add(cells)) {
                    out.add(r);
                }
            }
        }
        if (!any) {
            notes.add("No " + file + " in " + String.join(", ", missing) + ": " + what + " left out.");
            return null;
        }
        if (!missing.isEmpty()) {
            notes.add("No " + file + " in " + String.join(", ", missing) + ": " + what + " incomplete.");
        }
        return out;
    }

    /** Notes from the results: skipped images, mixed provenance within one summary row (skipped heads: {@link Unavailable}). */
    private static void resultNotes(List<ReportRow> merged, List<String> notes) {
        Map<String, Long> skippedImages = new LinkedHashMap<>();
        Map<String, Map<String, Set<String>>> provenance = new LinkedHashMap<>();
        for (ReportRow r : merged) {
            long n = r.integer("n_skipped", 0);
            String system = String.join(" · ", r.get("backend"), r.get("backbone"), r.get("dataset"),
                    r.get("upsampler"));
            if (n > 0) {
                skippedImages.merge(system, n, Math::max);
            }
            Map<String, Set<String>> p = provenance.computeIfAbsent(MergedResults.key(r, false),
                    k -> new LinkedHashMap<>());
            for (String col : List.of("model_sha256", "runtime_version", "templates", "preprocess", "split")) {
                if (r.has(col)) {
                    p.computeIfAbsent(col, k -> new TreeSet<>()).add(r.get(col));
                }
            }
        }
        skippedImages.forEach((system, n) -> notes.add(n + " unreadable image(s) were skipped when evaluating "
                + system + " (n_skipped in results.csv)."));
        provenance.forEach((key, cols) -> cols.forEach((col, values) -> {
            if (values.size() > 1) {
                notes.add("Rows averaged together for " + key.replace("|", " · ") + " differ in " + col + ": "
                        + String.join(", ", values) + ".");
            }
        }));
    }

    private static HtmlReport.Table perClassTable(List<ReportRow> rows, Summary.Row r, Labels labels) {
        Map<String, long[]> byClass = new LinkedHashMap<>();
        Map<String, Set<String>> seeds = new HashMap<>();
        for (ReportRow c : rows) {
            if (!(c.get("backend").equals(r.backend()) && c.get("dataset").equals(r.dataset())
                    && c.get("upsampler").equals(r.upsampler()) && c.get("protocol").equals(r.protocol())
                    && c.get("head").equals(r.head()) && c.k() == r.k()
                    && (c.get("backbone").isEmpty() || c.get("backbone").equals(r.backbone())))) {
                continue;
            }
            long[] s = byClass.computeIfAbsent(c.get("class"), k -> new long[2]);
            s[0] += c.integer("n", 0);
            s[1] += c.integer("correct", 0);
            seeds.computeIfAbsent(c.get("class"), k -> new HashSet<>()).add(c.get("seed"));
        }
        if (byClass.isEmpty()) {
            return null;
        }
        List<Map.Entry<String, long[]>> entries = new ArrayList<>(byClass.entrySet());
        entries.sort(Comparator.comparingDouble((Map.Entry<String, long[]> e) -> recall(e.getValue()))
                .thenComparing(Map.Entry::getKey));
        List<List<String>> out = new ArrayList<>();
        for (Map.Entry<String, long[]> e : entries.subList(0, Math.min(PER_CLASS_SHOWN, entries.size()))) {
            long[] s = e.getValue();
            out.add(List.of(e.getKey(), Long.toString(s[0]), Long.toString(s[1]),
                    s[0] == 0 ? "" : String.format(Locale.ROOT, "%.1f%%", 100 * recall(s)),
                    Integer.toString(seeds.get(e.getKey()).size())));
        }
        return new HtmlReport.Table(labels.of(r) + " (" + Math.min(PER_CLASS_SHOWN, entries.size()) + " of "
                + entries.size() + " classes)", List.of("class", "n", "correct", "recall", "seeds"), out);
    }

    private static double recall(long[] s) {
        return s[0] == 0 ? Double.NaN : (double) s[1] / s[0];
    }

    private static String text(JsonNode v) {
        if (v == null || v.isNull()) {
            return "";
        }
        if (v.isArray()) {
            List<String> parts = new ArrayList<>();
            v.forEach(e -> parts.add(e.isValueNode() ? e.asText() : e.toString()));
            return String.join(", ", parts);
        }
        return v.isValueNode() ? v.asText() : v.toString();
    }

    /** A '/'-separated relative path from the report folder, or null when there is none (other drive). */
    static String relative(Path from, Path to) {
        try {
            Path rel = from.relativize(to.toAbsolutePath().normalize());
            List<String> parts = new ArrayList<>();
            rel.forEach(p -> parts.add(p.toString()));
            return parts.isEmpty() ? "." : String.join("/", parts);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String display(Path outDir, Path dir) {
        if (dir.equals(outDir)) {
            return ". (this folder)";
        }
        String rel = relative(outDir, dir);
        return rel == null ? dir.toString() : rel;
    }

    /** Labels naming an experiment: its backend, the other dimensions that vary in the report, its head. */
    private static final class Labels {
        private final boolean backbone;
        private final boolean dataset;
        private final boolean upsampler;

        Labels(List<Summary.Row> rows) {
            backbone = rows.stream().map(Summary.Row::backbone).distinct().count() > 1;
            dataset = rows.stream().map(Summary.Row::dataset).distinct().count() > 1;
            upsampler = rows.stream().map(Summary.Row::upsampler).distinct().count() > 1;
        }

        String of(Summary.Row r) {
            List<String> parts = new ArrayList<>();
            boolean none = !backbone && !dataset && !upsampler;
            parts.add(r.backend());
            if (backbone) {
                parts.add(r.backbone());
            }
            if (dataset) {
                parts.add(r.dataset());
            }
            if (upsampler || none) {
                parts.add(r.upsampler());
            }
            parts.add(Charts.condition(r, !Summary.ZERO_SHOT.equals(r.protocol()) && !"k-shot".equals(r.protocol())));
            return String.join(" · ", parts);
        }
    }

    /** Counts of true × predicted among the chosen classes of one experiment (all seeds). */
    private static final class HeatRequest {
        final Summary.Row row;
        final List<String> classes;
        final Map<String, Integer> index = new HashMap<>();
        final int[][] counts;
        long total;

        HeatRequest(Summary.Row row, List<String> classes) {
            this.row = row;
            this.classes = classes;
            for (int i = 0; i < classes.size(); i++) {
                index.put(classes.get(i), i);
            }
            counts = new int[classes.size()][classes.size() + 1];
        }

        void add(String trueClass, String predicted) {
            Integer t = index.get(trueClass);
            if (t == null) {
                return;
            }
            Integer p = index.get(predicted);
            counts[t][p == null ? classes.size() : p]++;
            total++;
        }

        boolean otherUsed() {
            for (int[] row : counts) {
                if (row[classes.size()] > 0) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The predictions of one experiment and seed, for a gallery. */
    private static final class GalleryRequest {
        final Summary.Row row;
        final long seed;
        final int run;
        final List<Gallery.Item> items = new ArrayList<>();

        GalleryRequest(Summary.Row row, long seed, int run) {
            this.row = row;
            this.seed = seed;
            this.run = run;
        }
    }
}
