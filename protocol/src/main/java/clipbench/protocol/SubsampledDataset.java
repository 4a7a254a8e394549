package clipbench.protocol;

import clipbench.api.spi.ClassInfo;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.DatasetItem;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalInt;

/**
 * A dataset whose test split keeps at most {@code perClass} images of each class (the first ones by a
 * fixed hash of their ids, so the choice is stable and spread over the split), for runs that must finish in
 * bounded time. The name says so ({@code NAME[test<=N/class]}), so every result row and report shows it.
 */
public final class SubsampledDataset implements Dataset {
    private final Dataset inner;
    private final int perClass;
    private final List<DatasetItem> test;

    private SubsampledDataset(Dataset inner, int perClass) {
        this.inner = inner;
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
            items.stream().sorted(Comparator.comparing((DatasetItem i) -> hash(i.id())).thenComparing(DatasetItem::id))
                    .limit(perClass).forEach(i -> keep.add(i.id()));
        }
        java.util.Set<String> kept = new java.util.HashSet<>(keep);
        this.test = inner.items(inner.testSplit()).stream().filter(i -> kept.contains(i.id())).toList();
    }

    /** {@code dataset} with its test split cut to {@code perClass} images per class. */
    public static Dataset testPerClass(Dataset dataset, int perClass) {
        if (perClass <= 0) {
            throw new IllegalArgumentException("test per class: must be positive, got " + perClass);
        }
        return new SubsampledDataset(dataset, perClass);
    }

    private static String hash(String id) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(id.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String name() {
        return inner.name() + "[test<=" + perClass + "/class]";
    }

    @Override
    public List<String> splits() {
        return inner.splits();
    }

    @Override
    public List<ClassInfo> classes() {
        return inner.classes();
    }

    @Override
    public List<DatasetItem> items(String split) {
        return split.equals(inner.testSplit()) ? test : inner.items(split);
    }

    @Override
    public List<String> warnings() {
        return inner.warnings();
    }

    @Override
    public String fingerprint() {
        return hash(inner.fingerprint() + "\ntest per class " + perClass);
    }

    @Override
    public OptionalInt nativeResolution() {
        return inner.nativeResolution();
    }

    @Override
    public String testSplit() {
        return inner.testSplit();
    }
}
