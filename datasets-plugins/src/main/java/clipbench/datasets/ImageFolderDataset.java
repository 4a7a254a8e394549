package clipbench.datasets;

import clipbench.api.spi.ClassInfo;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.DatasetItem;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An image folder listed once by {@link ImageFolderDatasetProvider}: immutable metadata, pixels read on
 * demand by each {@link DatasetItem}.
 */
public final class ImageFolderDataset implements Dataset {
    private final Path root;
    private final String name;
    private final List<ClassInfo> classes;
    private final Map<String, List<DatasetItem>> items;
    private final List<String> warnings;

    ImageFolderDataset(Path root, String name, List<ClassInfo> classes, Map<String, List<DatasetItem>> items,
                       List<String> warnings) {
        this.root = root;
        this.name = name;
        this.classes = List.copyOf(classes);
        Map<String, List<DatasetItem>> copy = new LinkedHashMap<>();
        items.forEach((split, list) -> copy.put(split, List.copyOf(list)));
        this.items = copy;
        this.warnings = List.copyOf(warnings);
    }

    /** The dataset root folder (absolute, normalised). */
    public Path root() {
        return root;
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
        return name + " " + splits() + ", " + classes.size() + " classes";
    }
}
