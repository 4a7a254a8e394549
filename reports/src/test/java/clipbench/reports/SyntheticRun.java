package clipbench.reports;

import clipbench.clip.image.ImageDecoder;
import clipbench.protocol.ThumbnailKey;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a run directory the way RunDirectory does (run.json, results.csv, predictions.csv and optionally
 * confusions.csv, per_class.csv and training.csv), with predictions derived from each row's top-1, and
 * thumbnails of its test images.
 */
final class SyntheticRun {
    static final List<String> CLASSES = List.of("apple", "banana", "cherry", "grape");
    static final int PER_CLASS = 3;

    static final List<String> RESULTS = List.of("run_id", "backend", "runtime_version", "backbone", "model_sha256",
            "dataset", "split", "upsampler", "preprocess", "templates", "protocol", "head", "k", "seed", "n_train",
            "n_test", "n_skipped", "top1", "top5", "mean_per_class_recall", "embed_seconds", "images_per_second",
            "upsample_seconds", "trainable_params", "selected_l2", "note", "clipbench_version", "finetune", "epochs",
            "fit_seconds", "selected");
    static final List<String> PREDICTIONS = List.of("run_id", "backend", "backbone", "dataset", "upsampler",
            "protocol", "head", "k", "seed", "image", "true_class", "predicted_class", "score", "finetune");
    static final List<String> CONFUSIONS = List.of("backend", "backbone", "dataset", "upsampler", "protocol",
            "head", "k", "seed", "class_a", "class_b", "m_ab", "m_ba", "n_a", "n_b", "iou", "finetune");
    static final List<String> PER_CLASS_COLUMNS = List.of("backend", "backbone", "dataset", "upsampler",
            "protocol", "head", "k", "seed", "class", "n", "correct", "recall", "finetune");

    /** One results.csv row; top1 NaN for a skipped head. */
    record Row(String backend, String upsampler, String protocol, String head, String k, long seed, double top1,
               double top5, double recall, String note, int skipped, Training training) {
    }

    /**
     * The fine-tuning cells of a row: its mode (empty in runs before fine-tuning), epochs run, the best epoch
     * ({@code selected}'s best_epoch; negative: none), trainable parameters and fit seconds.
     */
    record Training(String finetune, int epochs, int bestEpoch, long params, double fitSeconds) {
        static final Training NONE = new Training("", 0, -1, 68, 0.25);
    }

    final String runId;
    final String backbone = "tiny-clip-vit";
    final String dataset = "emoji-fruit";
    final List<Row> rows = new ArrayList<>();
    /** training.csv lines (ResultColumns.TRAINING); the file is written when there are some. */
    final List<List<String>> training = new ArrayList<>();
    final Map<String, Object> runJson = new LinkedHashMap<>();
    boolean confusions = true;
    boolean perClass = true;
    /** Whether the run kept thumbnails of its test images (as a run through RunDirectory does). */
    boolean thumbnails = true;
    /** Whether it also kept the originals (before any upsampler), as runs do since the example strips. */
    boolean originals = true;
    List<String> classes = CLASSES;

    SyntheticRun(String runId) {
        this.runId = runId;
        runJson.put("run_id", runId);
    }

    SyntheticRun row(String backend, String upsampler, String protocol, String head, String k, long seed,
                     double top1, double top5, double recall) {
        rows.add(new Row(backend, upsampler, protocol, head, k, seed, top1, top5, recall, "", 0, Training.NONE));
        return this;
    }

    SyntheticRun skipped(String backend, String upsampler, String protocol, String head, String k, long seed,
                         String note) {
        rows.add(new Row(backend, upsampler, protocol, head, k, seed, Double.NaN, Double.NaN, Double.NaN, note, 0,
                Training.NONE));
        return this;
    }

    /** A row with fine-tuning cells (top1 NaN: skipped, with {@code note}). */
    SyntheticRun tuned(String backend, String upsampler, String protocol, String head, String k, long seed,
                       double top1, String note, Training training) {
        rows.add(new Row(backend, upsampler, protocol, head, k, seed, top1, Math.min(1, top1 + 0.2), top1 - 0.02,
                note, 0, training));
        return this;
    }

    /** One training.csv line of a fine-tuning row. */
    SyntheticRun epoch(String backend, String upsampler, String head, String mode, String k, long seed, int epoch,
                       double trainLoss, double valAccuracy) {
        training.add(List.of(backend, backbone, dataset, upsampler, "fine-tune", head, mode, k, Long.toString(seed),
                Integer.toString(epoch), num(trainLoss), num(valAccuracy), num(1 - valAccuracy)));
        return this;
    }

    /** A zero-shot row and lite/pro k-shot rows for k = 1, 2, all and seeds 0..2, with top-1 from a formula. */
    SyntheticRun standard(String backend, String upsampler, double base) {
        row(backend, upsampler, "zero-shot", "zero-shot", "0", -1, base, Math.min(1, base + 0.3), base - 0.05);
        String[] ks = {"1", "2", "all"};
        for (String head : List.of("lite", "pro")) {
            for (int ki = 0; ki < ks.length; ki++) {
                for (long seed = 0; seed < 3; seed++) {
                    double t = Math.min(1, base + 0.1 * (ki + 1) + (head.equals("pro") ? 0.05 : 0) + 0.02 * seed);
                    row(backend, upsampler, "k-shot", head, ks[ki], seed, t, Math.min(1, t + 0.2), t - 0.02);
                }
            }
        }
        return this;
    }

    static String image(String cls, int i) {
        return "Test/" + cls + "/" + cls + "_" + i + ".png";
    }

    /** Writes the run into {@code dir}. */
    void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        StringBuilder json = new StringBuilder("{\n");
        int n = 0;
        for (Map.Entry<String, Object> e : runJson.entrySet()) {
            json.append(n++ == 0 ? "" : ",\n").append("  \"").append(e.getKey()).append("\": ");
            Object v = e.getValue();
            if (v instanceof List<?> l) {
                json.append('[');
                for (int i = 0; i < l.size(); i++) {
                    json.append(i == 0 ? "" : ", ").append('"').append(jsonEscape(l.get(i).toString())).append('"');
                }
                json.append(']');
            } else {
                json.append('"').append(jsonEscape(String.valueOf(v))).append('"');
            }
        }
        Files.writeString(dir.resolve("run.json"), json.append("\n}\n").toString());

        List<List<String>> results = new ArrayList<>();
        List<List<String>> predictions = new ArrayList<>();
        List<List<String>> confusionRows = new ArrayList<>();
        List<List<String>> perClassRows = new ArrayList<>();
        int nTest = classes.size() * PER_CLASS;
        for (Row r : rows) {
            results.add(List.of(runId, r.backend, r.backend + "-runtime 1.0", backbone, "abc123", dataset, "Test",
                    r.upsampler, "clip 224", "clip7", r.protocol, r.head, r.k, Long.toString(r.seed),
                    r.protocol.equals("zero-shot") ? "0" : "8", Integer.toString(nTest), Integer.toString(r.skipped),
                    num(r.top1), num(r.top5), num(r.recall), "1.5", "8.0", "0.1",
                    r.protocol.equals("zero-shot") ? "0" : Long.toString(r.training.params()), "", r.note,
                    "0.1.0-SNAPSHOT", r.training.finetune(), Integer.toString(r.training.epochs()),
                    num(r.training.fitSeconds()),
                    r.training.bestEpoch() < 0 ? "l2=0.01" : "best_epoch=" + r.training.bestEpoch() + ";stop_rule=x"));
            if (Double.isNaN(r.top1)) {
                continue;
            }
            int wrong = (int) Math.round((1 - r.top1) * nTest);
            int[][] m = new int[classes.size()][classes.size()];
            for (int j = 0; j < nTest; j++) {
                int c = j % classes.size();
                int i = j / classes.size();
                // the (seed-shifted) first `wrong` images are predicted as the next class
                boolean isWrong = Math.floorMod(j + r.seed, nTest) < wrong;
                int p = isWrong ? (c + 1) % classes.size() : c;
                m[c][p]++;
                predictions.add(List.of(runId, r.backend, backbone, dataset, r.upsampler, r.protocol, r.head, r.k,
                        Long.toString(r.seed), image(classes.get(c), i), classes.get(c), classes.get(p),
                        String.format(Locale.ROOT, "%.6f", 0.9 - 0.01 * j), r.training.finetune()));
            }
            for (int a = 0; a < classes.size(); a++) {
                int na = 0;
                for (int v : m[a]) {
                    na += v;
                }
                perClassRows.add(List.of(r.backend, backbone, dataset, r.upsampler, r.protocol, r.head, r.k,
                        Long.toString(r.seed), classes.get(a), Integer.toString(na), Integer.toString(m[a][a]),
                        num((double) m[a][a] / na), r.training.finetune()));
                for (int b = a + 1; b < classes.size(); b++) {
                    int nb = 0;
                    for (int v : m[b]) {
                        nb += v;
                    }
                    if (m[a][b] + m[b][a] == 0) {
                        continue;
                    }
                    double iou = (double) (m[a][b] + m[b][a]) / (na + nb);
                    confusionRows.add(List.of(r.backend, backbone, dataset, r.upsampler, r.protocol, r.head, r.k,
                            Long.toString(r.seed), classes.get(a), classes.get(b), Integer.toString(m[a][b]),
                            Integer.toString(m[b][a]), Integer.toString(na), Integer.toString(nb), num(iou),
                            r.training.finetune()));
                }
            }
        }
        CsvTable.write(dir.resolve("results.csv"), RESULTS, results);
        CsvTable.write(dir.resolve("predictions.csv"), PREDICTIONS, predictions);
        if (!training.isEmpty()) {
            CsvTable.write(dir.resolve(RunData.TRAINING), ResultColumns.TRAINING, training);
        }
        if (confusions) {
            CsvTable.write(dir.resolve("confusions.csv"), CONFUSIONS, confusionRows);
        }
        if (perClass) {
            CsvTable.write(dir.resolve("per_class.csv"), PER_CLASS_COLUMNS, perClassRows);
        }
        if (thumbnails) {
            for (String upsampler : rows.stream().map(Row::upsampler).distinct().toList()) {
                for (int c = 0; c < classes.size(); c++) {
                    for (int i = 0; i < PER_CLASS; i++) {
                        Thumbnails.write(dir, new ThumbnailKey(dataset, upsampler, image(classes.get(c), i)),
                                ImageDecoder.toRgb(picture(c, i)));
                    }
                }
            }
        }
        if (thumbnails && originals) {
            for (int c = 0; c < classes.size(); c++) {
                for (int i = 0; i < PER_CLASS; i++) {
                    Thumbnails.write(dir, ThumbnailKey.original(dataset, image(classes.get(c), i)),
                            ImageDecoder.toRgb(Gallery.scaleToFit(picture(c, i), ORIGINAL_WIDTH, ORIGINAL_WIDTH)));
                }
            }
        }
    }

    /** The originals' width: a quarter of the upsampled pictures'. */
    static final int ORIGINAL_WIDTH = 12;

    /** A test image: one colour per class with a stripe, so thumbnails differ. */
    static BufferedImage picture(int c, int i) {
        Color[] colors = {new Color(0xd32f2f), new Color(0xfbc02d), new Color(0x7b1fa2), new Color(0x388e3c),
            new Color(0x1976d2), new Color(0x5d4037)};
        BufferedImage img = new BufferedImage(48, 40, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 48, 40);
        g.setColor(colors[c % colors.length]);
        g.fillOval(6 + 2 * i, 4, 34, 32);
        g.setColor(Color.BLACK);
        g.drawLine(0, 39 - 5 * i, 47, 5 * i);
        g.dispose();
        return img;
    }

    static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v);
    }

    private static String jsonEscape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
