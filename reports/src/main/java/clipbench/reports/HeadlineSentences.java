package clipbench.reports;

import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Two to four sentences read off a {@link Headline}: the best configuration, the upsampler's effect (the best
 * upsampler on average against each other one, over the cells both have), how top-1 grows from the smallest to
 * the largest k, and whether the backends agree. Differences are in percentage points of the cells' means.
 */
final class HeadlineSentences {
    private HeadlineSentences() {
    }

    static List<String> of(Headline h) {
        List<String> out = new ArrayList<>();
        best(h, out);
        upsamplers(h, out);
        smallK(h, out);
        backends(h, out);
        return out;
    }

    private static void best(Headline h, List<String> out) {
        Headline.Line bestLine = null;
        int bestColumn = -1;
        Headline.Part bestPart = null;
        for (Headline.Line l : h.lines()) {
            for (int c = 0; c < h.columns().size(); c++) {
                for (Headline.Part p : l.cells().get(c).parts()) {
                    if (bestPart == null || p.top1().mean() > bestPart.top1().mean()) {
                        bestLine = l;
                        bestColumn = c;
                        bestPart = p;
                    }
                }
            }
        }
        if (bestPart == null) {
            return;
        }
        boolean split = bestLine.cells().get(bestColumn).split();
        out.add("Best: " + bestLine.backbone() + " · " + bestLine.upsampler()
                + (h.showHead() ? " · " + bestLine.head() : "") + " " + where(h.columns().get(bestColumn))
                + (split ? " on " + String.join(", ", bestPart.backends()) : "") + ": "
                + HtmlReport.percent(bestPart.top1()) + " %.");
    }

    /** The best upsampler (highest mean over its cells) against each other upsampler, cell by cell. */
    private static void upsamplers(Headline h, List<String> out) {
        Map<String, Map<String, Double>> byUpsampler = new LinkedHashMap<>();
        for (Headline.Line l : h.lines()) {
            for (int c = 0; c < h.columns().size(); c++) {
                Headline.Cell cell = l.cells().get(c);
                if (!cell.empty()) {
                    byUpsampler.computeIfAbsent(l.upsampler(), u -> new LinkedHashMap<>())
                            .put(l.backbone() + "|" + l.head() + "|" + h.columns().get(c), cell.best());
                }
            }
        }
        if (byUpsampler.size() < 2) {
            return;
        }
        String leader = byUpsampler.entrySet().stream().max(Map.Entry.comparingByValue((a, b) -> Double.compare(
                average(a), average(b)))).orElseThrow().getKey();
        Map<String, Double> lead = byUpsampler.get(leader);
        long backbones = h.lines().stream().map(Headline.Line::backbone).distinct().count();
        String scope = backbones == 1 ? "on " + h.lines().get(0).backbone()
                : backbones == 2 ? "on both backbones" : "on all " + backbones + " backbones";
        boolean onlyK = !h.columns().contains(Headline.ZERO_SHOT);
        List<String> parts = new ArrayList<>();
        byUpsampler.forEach((other, cells) -> {
            if (other.equals(leader)) {
                return;
            }
            DoubleSummaryStatistics d = new DoubleSummaryStatistics();
            cells.forEach((key, v) -> {
                Double mine = lead.get(key);
                if (mine != null) {
                    d.accept(100 * (mine - v));
                }
            });
            if (d.getCount() == 0) {
                return;
            }
            if (d.getMin() > 0) {
                parts.add(leader + " beats " + other + " by " + range(d) + " points "
                        + (onlyK ? "at every k" : "in every column") + " " + scope);
            } else {
                long ahead = cells.keySet().stream().filter(k -> lead.containsKey(k) && lead.get(k) > cells.get(k))
                        .count();
                parts.add(leader + " is ahead of " + other + " in " + ahead + " of " + d.getCount() + " cells ("
                        + signed(d.getMin()) + " to " + signed(d.getMax()) + " points)");
            }
        });
        if (!parts.isEmpty()) {
            out.add("Upsampler: " + String.join("; ", parts) + ".");
        }
    }

    /** From the smallest to the largest numeric k: the rise of each line, and the seeds' spread at the smallest. */
    private static void smallK(Headline h, List<String> out) {
        List<Integer> kColumns = new ArrayList<>();
        for (int c = 0; c < h.columns().size(); c++) {
            if (!h.columns().get(c).equals(Headline.ZERO_SHOT)) {
                kColumns.add(c);
            }
        }
        if (kColumns.size() < 2) {
            return;
        }
        int lo = kColumns.get(0);
        int hi = kColumns.get(kColumns.size() - 1);
        DoubleSummaryStatistics rise = new DoubleSummaryStatistics();
        double spread = 0;
        for (Headline.Line l : h.lines()) {
            Headline.Cell a = l.cells().get(lo);
            Headline.Cell b = l.cells().get(hi);
            if (!a.empty() && !b.empty()) {
                rise.accept(100 * (b.best() - a.best()));
            }
            for (Headline.Part p : a.parts()) {
                spread = Math.max(spread, 100 * p.top1().stdOrZero());
            }
        }
        if (rise.getCount() == 0) {
            return;
        }
        String from = "k=" + h.columns().get(lo);
        out.add("From " + from + " to k=" + h.columns().get(hi) + " top-1 "
                + (rise.getMin() >= 0 ? "rises by " + range(rise) : "changes by " + signed(rise.getMin()) + " to "
                + signed(rise.getMax())) + " points" + (spread > 0 ? String.format(Locale.ROOT,
                "; at %s the std over seeds reaches %.1f points", from, spread) : "") + ".");
    }

    private static void backends(Headline h, List<String> out) {
        if (h.backends().size() < 2) {
            return;
        }
        long cells = h.lines().stream().flatMap(l -> l.cells().stream()).filter(c -> !c.empty()).count();
        long split = h.lines().stream().flatMap(l -> l.cells().stream()).filter(Headline.Cell::split).count();
        if (split == 0) {
            out.add("Backends " + String.join(", ", h.backends()) + " agree in every cell (parity: min cosine ≥ "
                    + BackendParity.MIN_COSINE + ", no top-1 flips; equal numbers), so each cell is one value.");
        } else {
            out.add("Backends differ in " + split + " of " + cells + " cells (marked ≠, one value per backend).");
        }
    }

    /** "at k=8" or "zero-shot". */
    static String where(String column) {
        return column.equals(Headline.ZERO_SHOT) ? "zero-shot" : "at k=" + column;
    }

    private static double average(Map<String, Double> cells) {
        return cells.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static String range(DoubleSummaryStatistics d) {
        String lo = String.format(Locale.ROOT, "%.1f", d.getMin());
        String hi = String.format(Locale.ROOT, "%.1f", d.getMax());
        return lo.equals(hi) ? lo : lo + "–" + hi;
    }

    private static String signed(double v) {
        return String.format(Locale.ROOT, "%+.1f", v);
    }
}
