package clipbench.reports;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What embedding cost, per backend and backbone of one dataset, from results.csv: images/s (the steady rate of
 * {@code images_per_second}, median over upsamplers) and embedding seconds ({@code embed_seconds}, summed over
 * upsamplers). Each backend × backbone × upsampler counts once, with its first row that embedded; a row whose
 * embeddings came from the cache ({@code timing} cached) carries the making run's figures and is left out.
 *
 * @param lines   one per backend × backbone that embedded in these runs
 * @param cached  backend × backbone × upsampler combinations whose timings were all cached (not shown)
 */
record EmbedCost(String dataset, List<Line> lines, List<String> cached) {

    /** One backend on one backbone: {@code systems} upsamplers measured. */
    record Line(String backend, String backbone, double imagesPerSecond, double embedSeconds, int systems) {
        List<String> cells() {
            return List.of(backend, backbone, String.format(Locale.ROOT, "%.1f", imagesPerSecond),
                    String.format(Locale.ROOT, "%.1f", embedSeconds), Integer.toString(systems));
        }
    }

    static final List<String> HEADER = List.of("backend", "backbone", "images/s (steady, median)",
            "embed s (sum)", "upsamplers");

    static EmbedCost of(String dataset, List<ReportRow> results) {
        Map<String, ReportRow> firstFresh = new LinkedHashMap<>();
        Set<String> seen = new LinkedHashSet<>();
        for (ReportRow r : results) {
            if (!r.get("dataset").equals(dataset)) {
                continue;
            }
            String system = String.join(" · ", r.get("backend"), r.get("backbone"), r.get("upsampler"));
            seen.add(system);
            boolean fresh = !"cached".equals(r.get("timing")) && !"true".equalsIgnoreCase(r.get("cached"))
                    && !Double.isNaN(r.number("images_per_second"));
            if (fresh) {
                firstFresh.putIfAbsent(system, r);
            }
        }
        Map<String, List<ReportRow>> byBackend = new LinkedHashMap<>();
        firstFresh.values().forEach(r -> byBackend.computeIfAbsent(r.get("backend") + "|" + r.get("backbone"),
                k -> new ArrayList<>()).add(r));
        List<Line> lines = new ArrayList<>();
        byBackend.forEach((key, rows) -> {
            double[] rates = rows.stream().mapToDouble(r -> r.number("images_per_second")).sorted().toArray();
            double median = rates.length % 2 == 1 ? rates[rates.length / 2]
                    : (rates[rates.length / 2 - 1] + rates[rates.length / 2]) / 2;
            double seconds = rows.stream().mapToDouble(r -> r.number("embed_seconds")).filter(v -> !Double.isNaN(v))
                    .sum();
            lines.add(new Line(rows.get(0).get("backend"), rows.get(0).get("backbone"), median, seconds,
                    rows.size()));
        });
        List<String> cached = seen.stream().filter(s -> !firstFresh.containsKey(s)).toList();
        return new EmbedCost(dataset, lines, cached);
    }
}
