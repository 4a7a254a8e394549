package clipbench.reports;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What could not run, said once per reason: summary rows without an accuracy grouped by their note, naming the
 * heads and the backbones it hit ("zero-shot, pro: needs a text tower — nsfwjs-mobilenet_v2, nsfwjs-inception_v3"),
 * instead of one line per backend × upsampler × k.
 */
final class Unavailable {
    private Unavailable() {
    }

    static List<String> lines(List<Summary.Row> summary) {
        Map<String, Set<String>[]> byReason = new LinkedHashMap<>();
        for (Summary.Row r : summary) {
            // a backend that cannot train is said once, in the fine-tuning section
            if (r.top1().present() || FineTuneComparison.inferenceOnly(r)) {
                continue;
            }
            String reason = r.note().isEmpty() ? "no accuracy recorded" : r.note();
            @SuppressWarnings("unchecked")
            Set<String>[] sets = byReason.computeIfAbsent(reason, k -> new Set[] {new LinkedHashSet<>(),
                new LinkedHashSet<>(), new LinkedHashSet<>()});
            sets[0].add(Headline.head(r));
            sets[1].add(r.backbone());
            sets[2].add(r.backend());
        }
        List<String> out = new ArrayList<>();
        byReason.forEach((reason, sets) -> out.add(String.join(", ", sets[0]) + ": " + reason + " — "
                + String.join(", ", sets[1]) + " (backends " + String.join(", ", sets[2]) + ")"));
        return out;
    }
}
