package clipbench.reports;

import clipbench.protocol.ClassCount;
import clipbench.protocol.ConfusedPairs;
import clipbench.protocol.Outcome;
import clipbench.protocol.Prediction;
import clipbench.protocol.Provenance;
import clipbench.protocol.ResultRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Column names and cell values of the run's CSV files, in one place. */
public final class ResultColumns {
    public static final List<String> RESULTS = List.of("run_id", "backend", "runtime_version", "backbone",
            "model_sha256", "dataset", "split", "upsampler", "preprocess", "templates", "protocol", "head", "finetune",
            "k", "seed", "n_train", "k_effective", "n_test", "n_skipped", "n_skipped_train", "n_dataset_warnings", "top1", "top5", "mean_per_class_recall",
            "embed_seconds",
            "images_per_second", "upsample_seconds", "fit_seconds", "cached", "timing",
            "timed_images", "steady_images", "trainable_params", "epochs", "peak_rss_mb", "selected_l2",
            "selected", "note", "clipbench_version");

    /** The columns that identify a row (all of them but the run id lead every other table). */
    private static final List<String> IDENTITY = List.of("backend", "backbone", "dataset", "upsampler", "protocol",
            "head", "finetune", "k", "seed");

    public static final List<String> PREDICTIONS = concat(List.of("run_id"), IDENTITY,
            List.of("image", "true_class", "predicted_class", "score"));
    public static final List<String> PER_CLASS = concat(IDENTITY, List.of("class", "n", "correct", "recall"));
    public static final List<String> CONFUSIONS = concat(IDENTITY,
            List.of("class_a", "class_b", "m_ab", "m_ba", "n_a", "n_b", "iou"));

    /** Fine-tuning rows' epochs: epoch 0 is before training (training.csv). */
    public static final List<String> TRAINING = concat(IDENTITY,
            List.of("epoch", "train_loss", "val_accuracy", "val_loss"));

    public static final List<String> CLASSES = List.of("class", "prompt_name", "n_train", "n_test",
            "n_skipped_train", "n_skipped_test");

    public static final List<String> PARITY = List.of("upsampler", "backend_a", "backend_b", "n_images",
            "min_cosine", "mean_cosine", "max_abs_diff", "classifier", "top1_a", "top1_b", "top1_agreement", "flips");

    private ResultColumns() {
    }

    public static List<String> cells(clipbench.protocol.Parity.Row r) {
        return List.of(r.upsampler(), r.backendA(), r.backendB(), Integer.toString(r.nImages()),
                String.format(Locale.ROOT, "%.9f", r.minCosine()), String.format(Locale.ROOT, "%.9f", r.meanCosine()),
                String.format(Locale.ROOT, "%.3e", r.maxAbsDiff()), r.classifier(), number(r.top1A()),
                number(r.top1B()), number(r.top1Agreement()), Integer.toString(r.flips()));
    }

    public static List<String> cells(ResultRow r) {
        Provenance p = r.provenance();
        String selected = r.selected().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(";"));
        return List.of(p.runId(), p.backend(), p.runtimeVersion(), p.backbone(), p.modelSha256(), p.dataset(),
                p.split(), p.upsampler(), p.preprocess(), p.templates(), r.protocol(), r.head(), r.training().finetune(),
                k(r.k()),
                Long.toString(r.seed()), Integer.toString(r.nTrain()), Integer.toString(r.kEffective()),
                Integer.toString(r.nTest()), Integer.toString(r.skipped()), Integer.toString(r.trainSkipped()),
                Integer.toString(r.datasetWarnings()), number(r.top1()),
                number(r.top5()), number(r.meanPerClassRecall()),
                number(r.embedSeconds()), number(r.imagesPerSecond()), number(r.upsampleSeconds()),
                number(r.fitSeconds()), Boolean.toString(r.cached()), r.timing().label(),
                Integer.toString(r.timedImages()), Integer.toString(r.steadyImages()), Long.toString(r.trainableParams()),
                Integer.toString(r.training().epochs()), number(r.training().peakRssMb()), r.selected().getOrDefault("l2", ""), selected, r.note(), p.clipbenchVersion());
    }

    /**
     * A classes.csv row; a count not known (-1) is empty, or the stored cell when {@code stored} (the
     * class's earlier row, by column) has one; skip counts keep the larger of stored and known.
     */
    public static List<String> cells(ClassCount c, java.util.function.Function<String, String> stored) {
        return List.of(c.className(), c.promptName(), count(c.nTrain(), null), count(c.nTest(), null),
                count(c.skippedTrain(), stored == null ? null : stored.apply("n_skipped_train")),
                count(c.skippedTest(), stored == null ? null : stored.apply("n_skipped_test")));
    }

    private static String count(int known, String stored) {
        if (stored == null || stored.isEmpty()) {
            return known < 0 ? "" : Integer.toString(known);
        }
        return Integer.toString(Math.max(known, Integer.parseInt(stored)));
    }

    public static List<List<String>> predictions(ResultRow r, List<Prediction> predictions) {
        List<List<String>> out = new ArrayList<>(predictions.size());
        for (Prediction p : predictions) {
            out.add(concat(List.of(r.provenance().runId()), identity(r), List.of(p.image(), p.trueClass(),
                    p.predictedClass(), String.format(Locale.ROOT, "%.6f", p.score()))));
        }
        return out;
    }

    /** Recall of every class present in the test labels. */
    public static List<List<String>> perClass(Outcome o) {
        List<List<String>> out = new ArrayList<>();
        int[][] m = o.confusion();
        for (int c = 0; c < m.length; c++) {
            int n = 0;
            for (int v : m[c]) {
                n += v;
            }
            if (n > 0) {
                out.add(concat(identity(o.row()), List.of(o.classNames().get(c), Integer.toString(n),
                        Integer.toString(m[c][c]), number((double) m[c][c] / n))));
            }
        }
        return out;
    }

    /** The most confused pairs by IoU. */
    public static List<List<String>> confusions(Outcome o, int limit) {
        List<List<String>> out = new ArrayList<>();
        for (ConfusedPairs.Pair p : ConfusedPairs.top(o.confusion(), limit)) {
            out.add(concat(identity(o.row()), List.of(o.classNames().get(p.a()), o.classNames().get(p.b()),
                    Integer.toString(p.mab()), Integer.toString(p.mba()), Integer.toString(p.na()),
                    Integer.toString(p.nb()), number(p.iou()))));
        }
        return out;
    }

    /** The resume key of a results.csv record, matching {@link ResultRow#key()}. */
    public static String key(java.util.function.Function<String, String> cell) {
        return ResultRow.key(cell.apply("backend"), cell.apply("backbone"), cell.apply("dataset"),
                cell.apply("upsampler"), cell.apply("protocol"), cell.apply("head"), cell.apply("k"),
                cell.apply("seed"), cell.apply("finetune"));
    }

    private static List<String> identity(ResultRow r) {
        Provenance p = r.provenance();
        return List.of(p.backend(), p.backbone(), p.dataset(), p.upsampler(), r.protocol(), r.head(),
                r.training().finetune(), k(r.k()), Long.toString(r.seed()));
    }

    /** The training.csv rows of a fine-tuning outcome (none for other rows). */
    public static List<List<String>> training(Outcome o) {
        List<List<String>> out = new ArrayList<>();
        for (clipbench.protocol.finetune.EpochRecord e : o.training()) {
            out.add(concat(identity(o.row()), List.of(Integer.toString(e.epoch()), number(e.trainLoss()),
                    number(e.valAccuracy()), number(e.valLoss()))));
        }
        return out;
    }

    /** k as written in every CSV: a number, or "all". */
    static String k(int k) {
        return clipbench.protocol.Shots.label(k);
    }

    /** Empty for NaN (a skipped head), otherwise enough digits to recompute accuracies exactly. */
    static String number(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v);
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        List<String> out = new ArrayList<>();
        for (List<String> p : parts) {
            out.addAll(p);
        }
        return List.copyOf(out);
    }
}
