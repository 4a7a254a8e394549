package clipbench.api.spi;

import java.util.List;

/**
 * A labelled image dataset. Item lists hold only metadata; pixels are read one item at a time with
 * {@link DatasetItem#load()}, so a dataset is never held in memory.
 */
public interface Dataset {
    /** Identifies the dataset in results, e.g. {@code imagefolder:fruits}. */
    String name();

    /** Split names in a stable order, e.g. {@code [Training, Test]}. */
    List<String> splits();

    /** The classes, indexed by {@link DatasetItem#label()}. */
    List<ClassInfo> classes();

    /** Items of one split in a stable order. */
    List<DatasetItem> items(String split);

    /** Problems met while listing (skipped files, empty classes), each naming its path. */
    default List<String> warnings() {
        return List.of();
    }

    /**
     * Identifies the dataset's content for the embedding cache: a change of files must change it. The
     * default hashes item ids and labels; datasets backed by files add sizes and modification times.
     */
    default String fingerprint() {
        java.security.MessageDigest md = Fingerprints.sha256();
        for (String split : splits()) {
            for (DatasetItem item : items(split)) {
                Fingerprints.update(md, split + "/" + item.id() + "=" + item.label() + "\n");
            }
        }
        return Fingerprints.hex(md);
    }

    /** The images' native resolution when the dataset declares one (Fruits-360: 100), else empty. */
    default java.util.OptionalInt nativeResolution() {
        return java.util.OptionalInt.empty();
    }

    /**
     * Texts that describe an item's image (e.g. an emoji's name and short names), for aligning an image tower
     * with a text tower ({@code clipbench align}); looked up by {@link DatasetItem#id()}, so a wrapper that keeps
     * ids keeps captions. Empty (the default) when the dataset offers none for the item. Since API 1.3.
     */
    default List<String> captions(DatasetItem item) {
        return List.of();
    }

    /** Which split holds test data: {@code Test} if present, otherwise the last split. */
    default String testSplit() {
        return splits().stream().filter(s -> s.equalsIgnoreCase("test")).findFirst()
                .orElse(splits().get(splits().size() - 1));
    }
}
