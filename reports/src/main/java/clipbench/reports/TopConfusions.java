package clipbench.reports;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The most confused class pairs of one experiment, from confusions.csv rows summed over seeds. */
final class TopConfusions {
    private TopConfusions() {
    }

    /** A pair of classes (a before b in name order), counts summed over seeds, iou averaged. */
    record Pair(String a, String b, long mab, long mba, long na, long nb, double iou, int seeds) {
        long confused() {
            return mab + mba;
        }

        List<String> cells() {
            return List.of(a, b, Long.toString(mab), Long.toString(mba), Long.toString(na), Long.toString(nb),
                    Double.isNaN(iou) ? "" : String.format(Locale.ROOT, "%.4f", iou), Integer.toString(seeds));
        }
    }

    static final List<String> HEADER = List.of("class a", "class b", "m_ab", "m_ba", "n_a", "n_b", "iou", "seeds");

    /** Whether a confusions.csv row belongs to {@code r}'s experiment (any seed); backbone when the file has it. */
    static boolean matches(ReportRow c, Summary.Row r) {
        return c.get("backend").equals(r.backend()) && c.get("dataset").equals(r.dataset())
                && c.get("upsampler").equals(r.upsampler()) && c.get("protocol").equals(r.protocol())
                && c.get("head").equals(r.head()) && c.k() == r.k()
                && (c.get("backbone").isEmpty() || c.get("backbone").equals(r.backbone()));
    }

    /** Pairs of {@code r}'s experiment, most confused first (then higher iou, then names). */
    static List<Pair> of(List<ReportRow> confusions, Summary.Row r) {
        Map<List<String>, long[]> counts = new LinkedHashMap<>();
        Map<List<String>, double[]> iou = new LinkedHashMap<>();
        Map<List<String>, Set<String>> seeds = new LinkedHashMap<>();
        for (ReportRow c : confusions) {
            if (!matches(c, r)) {
                continue;
            }
            String a = c.get("class_a");
            String b = c.get("class_b");
            long mab = c.integer("m_ab", 0);
            long mba = c.integer("m_ba", 0);
            long na = c.integer("n_a", 0);
            long nb = c.integer("n_b", 0);
            if (a.compareTo(b) > 0) {
                String t = a;
                a = b;
                b = t;
                long u = mab;
                mab = mba;
                mba = u;
                u = na;
                na = nb;
                nb = u;
            }
            List<String> key = List.of(a, b);
            long[] s = counts.computeIfAbsent(key, k -> new long[4]);
            s[0] += mab;
            s[1] += mba;
            s[2] += na;
            s[3] += nb;
            double v = c.number("iou");
            if (!Double.isNaN(v)) {
                double[] m = iou.computeIfAbsent(key, k -> new double[2]);
                m[0] += v;
                m[1]++;
            }
            seeds.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(c.get("seed"));
        }
        List<Pair> out = new ArrayList<>();
        counts.forEach((key, s) -> {
            double[] m = iou.get(key);
            out.add(new Pair(key.get(0), key.get(1), s[0], s[1], s[2], s[3], m == null ? Double.NaN : m[0] / m[1],
                    seeds.get(key).size()));
        });
        out.sort(Comparator.comparingLong(Pair::confused).reversed()
                .thenComparing(p -> Double.isNaN(p.iou()) ? 0 : -p.iou())
                .thenComparing(Pair::a).thenComparing(Pair::b));
        return out;
    }

    /** The classes of the top pairs (with any confusion), in pair order, at most {@code max}. */
    static List<String> classes(List<Pair> pairs, int max) {
        Set<String> out = new LinkedHashSet<>();
        for (Pair p : pairs) {
            if (p.confused() == 0) {
                break;
            }
            Set<String> next = new LinkedHashSet<>(out);
            next.add(p.a());
            next.add(p.b());
            if (next.size() > max) {
                break;
            }
            out = next;
        }
        return new ArrayList<>(out);
    }
}
