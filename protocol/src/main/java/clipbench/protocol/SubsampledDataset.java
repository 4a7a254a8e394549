package clipbench.protocol;

import clipbench.api.spi.Dataset;
import clipbench.api.spi.DatasetItem;
import clipbench.api.spi.Fingerprints;
import clipbench.api.spi.ForwardingDataset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A dataset whose test split keeps at most {@code perClass} images of each class (the first ones by a
 * fixed hash of their ids, so the choice is stable and spread over the split), for runs that must finish in
 * bounded time. The name says so ({@code NAME[test<=N/class]}), so every result row and report shows it.
 */
public final class SubsampledDataset extends ForwardingDataset {
    private final int perClass;
    private final List<DatasetItem> test;

    private SubsampledDataset(Dataset inner, int perClass) {
        super(inner);
        this.perClass = perClass;
        List<List<DatasetItem>> byClass = new ArrayList<>();
        for (int c = 0; c < inner.classes().size(); c++) {
            byClass.add(new ArrayList<>());
        }
        for (DatasetItem item : inner.items(inner.testSplit())) {
            byClass.get(item.label()).add(item);
        }
        List<String> keep = new ArrayList<>();
        for (List<DatasetItem> items : byClass) {
            items.stream().sorted(Comparator.comparing((DatasetItem i) -> Fingerprints.sha256(i.id()))
                            .thenComparing(DatasetItem::id))
                    .limit(perClass).forEach(i -> keep.add(i.id()));
        }
        Set<String> kept = new HashSet<>(keep);
        this.test = inner.items(inner.testSplit()).stream().filter(i -> kept.contains(i.id())).toList();
    }

    /** {@code dataset} with its test split cut to {@code perClass} images per class. */
    public static Dataset testPerClass(Dataset dataset, int perClass) {
        if (perClass <= 0) {
            throw new IllegalArgumentException("test per class: must be positive, got " + perClass);
        }
        return new SubsampledDataset(dataset, perClass);
    }

    @Override
    public String name() {
        return inner().name() + "[test<=" + perClass + "/class]";
    }

    @Override
    public List<DatasetItem> items(String split) {
        return split.equals(inner().testSplit()) ? test : inner().items(split);
    }

    @Override
    public String fingerprint() {
        return Fingerprints.sha256(inner().fingerprint() + "\ntest per class " + perClass);
    }
}
