package clipbench.reports;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The results.csv rows of several runs as one comparison: a row whose identity (backend, backbone, dataset,
 * upsampler, protocol, head, k and seed) repeats one already read is dropped, with a note.
 *
 * @param rows     the rows kept, in reading order
 * @param owner    for each identity with seed ({@link #key(ReportRow, boolean)}), the index of the run whose row
 *                 was kept
 * @param seedsOf  for each identity without seed, the seeds kept
 * @param usedRows rows kept per run
 */
record MergedResults(List<ReportRow> rows, Map<String, Integer> owner, Map<String, TreeSet<Long>> seedsOf,
                     int[] usedRows) {

    static MergedResults of(List<RunData> runs, List<String> notes) {
        List<ReportRow> merged = new ArrayList<>();
        Map<String, Integer> owner = new HashMap<>();
        Map<String, TreeSet<Long>> seedsOf = new HashMap<>();
        int[] usedRows = new int[runs.size()];
        for (int i = 0; i < runs.size(); i++) {
            Map<Integer, Integer> dupes = new LinkedHashMap<>();
            for (ReportRow r : runs.get(i).results()) {
                String key = key(r, true);
                Integer first = owner.putIfAbsent(key, i);
                if (first != null) {
                    dupes.merge(first, 1, Integer::sum);
                    continue;
                }
                merged.add(r);
                usedRows[i]++;
                seedsOf.computeIfAbsent(key(r, false), k -> new TreeSet<>()).add(r.integer("seed", -1));
            }
            for (Map.Entry<Integer, Integer> e : dupes.entrySet()) {
                notes.add(e.getValue() + " row(s) of run " + runs.get(i).runId() + " (" + runs.get(i).dir()
                        + ") repeat rows of run " + runs.get(e.getKey()).runId()
                        + " (same backend, backbone, dataset, upsampler, protocol, head, finetune, k and seed); the first"
                        + " read were kept.");
            }
        }
        return new MergedResults(merged, owner, seedsOf, usedRows);
    }

    /** Whether run {@code run}'s row was kept for {@code fullKey}, an identity with seed. */
    boolean ownedBy(String fullKey, int run) {
        Integer o = owner.get(fullKey);
        return o != null && o == run;
    }

    /**
     * The identity of a results/predictions row: backend|backbone|dataset|upsampler|protocol|head|finetune|k[|seed]
     * (finetune empty in runs before fine-tuning).
     */
    static String key(ReportRow r, boolean withSeed) {
        String k = String.join("|", r.get("backend"), r.get("backbone"), r.get("dataset"), r.get("upsampler"),
                r.get("protocol"), r.get("head"), r.get("finetune"), ReportRow.kLabel(r.k()));
        return withSeed ? k + "|" + r.integer("seed", -1) : k;
    }

    /** The identity (without seed) of a summary row. */
    static String key(Summary.Row r) {
        return String.join("|", r.backend(), r.backbone(), r.dataset(), r.upsampler(), r.protocol(), r.head(),
                r.finetune(), r.kLabel());
    }
}
