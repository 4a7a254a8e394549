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

    /** The heads, backbones and backends one reason hit, each in first-seen order. */
    private record Hit(Set<String> heads, Set<String> backbones, Set<String> backends) {
        Hit() {
            this(new LinkedHashSet<>(), new LinkedHashSet<>(), new LinkedHashSet<>());
        }
    }

    static List<String> lines(List<Summary.Row> summary) {
        Map<String, Hit> byReason = new LinkedHashMap<>();
        for (Summary.Row r : summary) {
            // a backend that cannot train is said once, in the fine-tuning section
            if (r.top1().present() || FineTuneComparison.inferenceOnly(r)) {
                continue;
            }
            Hit hit = byReason.computeIfAbsent(r.note().isEmpty() ? "no accuracy recorded" : r.note(), k -> new Hit());
            hit.heads().add(Headline.head(r));
            hit.backbones().add(r.backbone());
            hit.backends().add(r.backend());
        }
        List<String> out = new ArrayList<>();
        byReason.forEach((reason, hit) -> out.add(String.join(", ", hit.heads()) + ": " + reason + " — "
                + String.join(", ", hit.backbones()) + " (backends " + String.join(", ", hit.backends()) + ")"));
        return out;
    }
}
