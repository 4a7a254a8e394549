package clipbench.datasets;

import clipbench.api.spi.ClassInfo;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.DatasetItem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * A dataset of image files listed once by a provider ({@code imagefolder}, {@code fruits360}, {@code emoji},
 * {@code manifest}): immutable metadata, pixels read on demand by each {@link DatasetItem}. Every item's id is
 * its file's path relative to {@link #root()} with {@code /} separators (or absolute, for a manifest entry
 * outside the manifest's folder).
 */
public final class FileDataset implements Dataset {
    private final Path root;
    private final String name;
    private final List<ClassInfo> classes;
    private final Map<String, List<DatasetItem>> items;
    private final List<String> warnings;
    private final OptionalInt nativeResolution;
    private final List<Path> metadataFiles;

    /**
     * @param metadataFiles files besides the images whose change changes the dataset (e.g. {@code emoji.json},
     *                      the manifest CSV); they enter the {@link #fingerprint()}
     */
    FileDataset(Path root, String name, List<ClassInfo> classes, Map<String, List<DatasetItem>> items,
                List<String> warnings, OptionalInt nativeResolution, List<Path> metadataFiles) {
        this.root = root;
        this.name = name;
        this.classes = List.copyOf(classes);
        Map<String, List<DatasetItem>> copy = new LinkedHashMap<>();
        items.forEach((split, list) -> copy.put(split, List.copyOf(list)));
        this.items = copy;
        this.warnings = List.copyOf(warnings);
        this.nativeResolution = nativeResolution;
        this.metadataFiles = List.copyOf(metadataFiles);
    }

    /** The folder item ids are relative to (absolute, normalised). */
    public Path root() {
        return root;
    }

    /** The file of an item of this dataset. */
    public Path file(DatasetItem item) {
        return root.resolve(item.id());
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
    public OptionalInt nativeResolution() {
        return nativeResolution;
    }

    /**
     * SHA-256 over, per split and item in order, {@code split/id=label size mtime}, read from the file system
     * when called (a file rewritten after listing changes it; a vanished file counts as {@code missing}), then
     * the same for the metadata files.
     */
    @Override
    public String fingerprint() {
        MessageDigest md = sha256();
        for (Map.Entry<String, List<DatasetItem>> split : items.entrySet()) {
            for (DatasetItem item : split.getValue()) {
                update(md, split.getKey() + "/" + item.id() + "=" + item.label() + " " + stat(file(item)) + "\n");
            }
        }
        for (Path file : metadataFiles) {
            update(md, "meta " + file + " " + stat(file) + "\n");
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void update(MessageDigest md, String text) {
        md.update(text.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code size mtime-ns} of a file, or {@code missing}. */
    static String stat(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return a.size() + " " + a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
        } catch (IOException e) {
            return "missing";
        }
    }

    @Override
    public String toString() {
        return name + " " + splits() + ", " + classes.size() + " classes";
    }
}
