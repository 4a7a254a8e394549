package clipbench.api.spi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A dataset listed once into memory: a name, the classes, each split's items and the listing's warnings, all
 * immutable. Subclasses add what their source knows (files to fingerprint, a native resolution); the default
 * {@link #fingerprint()} hashes ids and labels.
 */
public class ListedDataset implements Dataset {
    private final String name;
    private final List<ClassInfo> classes;
    private final Map<String, List<DatasetItem>> items;
    private final List<String> warnings;

    /** @param items each split's items, splits in the map's order */
    public ListedDataset(String name, List<ClassInfo> classes, Map<String, List<DatasetItem>> items,
                         List<String> warnings) {
        this.name = name;
        this.classes = List.copyOf(classes);
        Map<String, List<DatasetItem>> copy = new LinkedHashMap<>();
        items.forEach((split, list) -> copy.put(split, List.copyOf(list)));
        this.items = copy;
        this.warnings = List.copyOf(warnings);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<String> splits() {
        return List.copyOf(items.keySet());
    }

    @Override
    public List<ClassInfo> classes() {
        return classes;
    }

    /**
     * @throws IllegalArgumentException for a split this dataset does not have, listing those it has
     */
    @Override
    public List<DatasetItem> items(String split) {
        List<DatasetItem> list = items.get(split);
        if (list == null) {
            throw new IllegalArgumentException(name + ": no split '" + split + "'; splits: " + splits());
        }
        return list;
    }

    @Override
    public List<String> warnings() {
        return warnings;
    }

    @Override
    public String toString() {
        return describe(this);
    }

    /** {@code NAME [SPLITS], N classes}: how datasets print themselves. */
    static String describe(Dataset dataset) {
        return dataset.name() + " " + dataset.splits() + ", " + dataset.classes().size() + " classes";
    }
}
