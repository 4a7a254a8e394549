package clipbench.reports;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * summary.csv: results.csv rows grouped by everything that identifies an experiment but the seed (backend,
 * backbone, dataset, upsampler, protocol, head, finetune, k), with the mean and the sample standard deviation (n - 1)
 * of top-1, top-5 and mean per-class recall over the seeds. A std is empty for a single value; a mean is
 * empty where no seed has a value (a skipped head, whose {@code note} says why).
 *
 * <p>Rows are sorted by backend, backbone, dataset, upsampler, protocol (zero-shot first), head, finetune and k (ascending,
 * "all" last). k is written as in results.csv: a number, or "all".
 */
public final class Summary {
    public static final String FILE = "summary.csv";

    public static final List<String> COLUMNS = List.of("backend", "backbone", "dataset", "upsampler", "protocol",
            "head", "finetune", "k", "n_seeds", "top1_mean", "top1_std", "top5_mean", "top5_std", "mean_per_class_recall_mean",
            "mean_per_class_recall_std", "note");

    /** The protocol of zero-shot rows. */
    public static final String ZERO_SHOT = "zero-shot";

    private Summary() {
    }

    /**
     * Mean and sample standard deviation of the values present.
     *
     * @param n    how many seeds had a value
     * @param mean NaN when {@code n == 0}
     * @param std  NaN when {@code n < 2}
     */
    public record Stat(int n, double mean, double std) {
        public static Stat of(List<Double> values) {
            List<Double> v = values.stream().filter(d -> d != null && !Double.isNaN(d)).toList();
            int n = v.size();
            if (n == 0) {
                return new Stat(0, Double.NaN, Double.NaN);
            }
            double sum = 0;
            for (double d : v) {
                sum += d;
            }
            double mean = sum / n;
            if (n < 2) {
                return new Stat(1, mean, Double.NaN);
            }
            double ss = 0;
            for (double d : v) {
                ss += (d - mean) * (d - mean);
            }
            return new Stat(n, mean, Math.sqrt(ss / (n - 1)));
        }

        public boolean present() {
            return n > 0;
        }

        /** The std, or 0 where there is none (for error bars). */
        public double stdOrZero() {
            return Double.isNaN(std) ? 0 : std;
        }
    }

    /** One summary.csv row. */
    public record Row(String backend, String backbone, String dataset, String upsampler, String protocol,
                      String head, String finetune, int k, int nSeeds, Stat top1, Stat top5, Stat meanPerClassRecall, String note) {

        public boolean zeroShot() {
            return ZERO_SHOT.equals(protocol);
        }

        /** The head with its fine-tuning mode when it trained more than the head ({@code lite last:2}). */
        public String headLabel() {
            return finetune.isEmpty() || finetune.equals("head") ? head : head + " " + finetune;
        }

        /** k as written: a number or "all". */
        public String kLabel() {
            return ReportRow.kLabel(k);
        }

        /** The experiment without its head and k: the "system" being measured. */
        public String system() {
            return String.join("|", backend, backbone, dataset, upsampler);
        }

        public List<String> cells() {
            return List.of(backend, backbone, dataset, upsampler, protocol, head, finetune, kLabel(),
                    Integer.toString(nSeeds), number(top1.mean()), number(top1.std()), number(top5.mean()),
                    number(top5.std()), number(meanPerClassRecall.mean()), number(meanPerClassRecall.std()), note);
        }
    }

    /** Zero-shot first, then the other protocols alphabetically. */
    public static int compareProtocols(String a, String b) {
        boolean za = ZERO_SHOT.equals(a);
        boolean zb = ZERO_SHOT.equals(b);
        if (za != zb) {
            return za ? -1 : 1;
        }
        return a.compareTo(b);
    }

    public static final Comparator<Row> ORDER = Comparator.comparing(Row::backend)
            .thenComparing(Row::backbone).thenComparing(Row::dataset).thenComparing(Row::upsampler)
            .thenComparing(Row::protocol, Summary::compareProtocols).thenComparing(Row::head)
            .thenComparing(Row::finetune).thenComparing(Row::k, ReportRow::compareK);

    /** The rows of each dataset, datasets in the order they first appear. */
    static Map<String, List<Row>> byDataset(List<Row> rows) {
        Map<String, List<Row>> m = new LinkedHashMap<>();
        rows.forEach(r -> m.computeIfAbsent(r.dataset(), d -> new ArrayList<>()).add(r));
        return m;
    }

    /** Groups results.csv rows (any columns beyond those used are ignored) into summary rows, sorted. */
    public static List<Row> of(List<ReportRow> results) {
        Map<List<Object>, List<ReportRow>> groups = new LinkedHashMap<>();
        for (ReportRow r : results) {
            List<Object> key = List.of(r.get("backend"), r.get("backbone"), r.get("dataset"), r.get("upsampler"),
                    r.get("protocol"), r.get("head"), r.get("finetune"), r.k());
            groups.computeIfAbsent(key, x -> new ArrayList<>()).add(r);
        }
        List<Row> out = new ArrayList<>();
        groups.forEach((key, rows) -> {
            Set<String> notes = new LinkedHashSet<>();
            List<Double> top1 = new ArrayList<>();
            List<Double> top5 = new ArrayList<>();
            List<Double> recall = new ArrayList<>();
            for (ReportRow r : rows) {
                top1.add(r.number("top1"));
                top5.add(r.number("top5"));
                recall.add(r.number("mean_per_class_recall"));
                if (!r.get("note").isEmpty()) {
                    notes.add(r.get("note"));
                }
            }
            ReportRow first = rows.get(0);
            out.add(new Row(first.get("backend"), first.get("backbone"), first.get("dataset"),
                    first.get("upsampler"), first.get("protocol"), first.get("head"), first.get("finetune"), first.k(),
                    rows.size(),
                    Stat.of(top1), Stat.of(top5), Stat.of(recall), String.join("; ", notes)));
        });
        out.sort(ORDER);
        return out;
    }

    public static void write(List<Row> rows, Path file) throws IOException {
        CsvTable.write(file, COLUMNS, rows.stream().map(Row::cells).toList());
    }

    /** Empty for NaN, otherwise six decimals (as results.csv). */
    static String number(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6f", v);
    }
}
