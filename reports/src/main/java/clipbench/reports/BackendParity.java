package clipbench.reports;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which backends agree, from the runs' parity.csv: a pair agrees on a dataset, backbone and upsampler when its min
 * cosine is at least {@link #MIN_COSINE} and no test image's top-1 flips. parity.csv names neither backbone nor
 * dataset, so a run's rows stand for every backbone and dataset of that run. Backends agree as a group when the
 * agreeing pairs connect them all (parity compares the first backend with each other one).
 */
final class BackendParity {
    /** Smallest min cosine of two backends still read as the same model. */
    static final double MIN_COSINE = 0.99999;

    private final Map<String, List<String[]>> agreeing = new HashMap<>();

    private BackendParity() {
    }

    static BackendParity of(List<RunData> runs) {
        BackendParity p = new BackendParity();
        for (RunData run : runs) {
            List<ReportRow> rows = run.parity().orElse(List.of());
            Set<String> systems = new HashSet<>();
            run.results().forEach(r -> systems.add(r.get("dataset") + "|" + r.get("backbone")));
            for (ReportRow r : rows) {
                if (r.number("min_cosine") >= MIN_COSINE && r.integer("flips", 1) == 0) {
                    for (String s : systems) {
                        p.agreeing.computeIfAbsent(s + "|" + r.get("upsampler"), k -> new ArrayList<>())
                                .add(new String[] {r.get("backend_a"), r.get("backend_b")});
                    }
                }
            }
        }
        return p;
    }

    /** Whether parity rows connect all {@code backends} (one backend always agrees with itself). */
    boolean agree(String dataset, String backbone, String upsampler, Collection<String> backends) {
        Set<String> want = new HashSet<>(backends);
        if (want.size() < 2) {
            return true;
        }
        List<String[]> pairs = agreeing.getOrDefault(dataset + "|" + backbone + "|" + upsampler, List.of());
        Set<String> reached = new HashSet<>(Set.of(want.iterator().next()));
        boolean grew = true;
        while (grew) {
            grew = false;
            for (String[] pair : pairs) {
                if (reached.contains(pair[0]) != reached.contains(pair[1])) {
                    grew |= reached.add(pair[0]) | reached.add(pair[1]);
                }
            }
        }
        return reached.containsAll(want);
    }
}
