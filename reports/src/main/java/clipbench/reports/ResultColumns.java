package clipbench.reports;

import clipbench.protocol.Prediction;
import clipbench.protocol.Provenance;
import clipbench.protocol.ResultRow;
import java.util.List;
import java.util.Locale;

/** Column names and cell values of results.csv and predictions.csv, in one place. */
public final class ResultColumns {
    public static final List<String> RESULTS = List.of("run_id", "backend", "runtime_version", "backbone",
            "model_sha256", "dataset", "split", "upsampler", "preprocess", "templates", "protocol", "head", "k",
            "seed", "n_train", "n_test", "n_skipped", "top1", "top5", "mean_per_class_recall", "embed_seconds",
            "images_per_second", "upsample_seconds", "trainable_params", "note", "clipbench_version");

    public static final List<String> PREDICTIONS = List.of("run_id", "backend", "backbone", "dataset",
            "upsampler", "protocol", "head", "k", "seed", "image", "true_class", "predicted_class", "score");

    private ResultColumns() {
    }

    public static List<String> cells(ResultRow r) {
        Provenance p = r.provenance();
        return List.of(p.runId(), p.backend(), p.runtimeVersion(), p.backbone(), p.modelSha256(), p.dataset(),
                p.split(), p.upsampler(), p.preprocess(), p.templates(), r.protocol(), r.head(),
                Integer.toString(r.k()), Long.toString(r.seed()), Integer.toString(r.nTrain()),
                Integer.toString(r.nTest()), Integer.toString(r.skipped()), number(r.top1()), number(r.top5()),
                number(r.meanPerClassRecall()), number(r.embedSeconds()), number(r.imagesPerSecond()),
                number(r.upsampleSeconds()), Long.toString(r.trainableParams()), r.note(), p.clipbenchVersion());
    }

    public static List<String> cells(ResultRow r, Prediction p) {
        Provenance v = r.provenance();
        return List.of(v.runId(), v.backend(), v.backbone(), v.dataset(), v.upsampler(), r.protocol(), r.head(),
                Integer.toString(r.k()), Long.toString(r.seed()), p.image(), p.trueClass(), p.predictedClass(),
                String.format(Locale.ROOT, "%.6f", p.score()));
    }

    /** The resume key of a results.csv record, matching {@link ResultRow#key()}. */
    public static String key(java.util.function.Function<String, String> cell) {
        return String.join("|", cell.apply("backend"), cell.apply("backbone"), cell.apply("dataset"),
                cell.apply("upsampler"), cell.apply("protocol"), cell.apply("head"), cell.apply("k"),
                cell.apply("seed"));
    }

    /** Empty for NaN (a skipped head), otherwise enough digits to recompute accuracies exactly. */
    static String number(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v);
    }
}
