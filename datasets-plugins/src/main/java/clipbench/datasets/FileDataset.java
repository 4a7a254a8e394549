package clipbench.datasets;

import clipbench.api.spi.ClassInfo;
import clipbench.api.spi.DatasetItem;
import clipbench.api.spi.Fingerprints;
import clipbench.api.spi.ListedDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
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
public final class FileDataset extends ListedDataset {
    private final Path root;
    private final OptionalInt nativeResolution;
    private final List<Path> metadataFiles;
    private final Map<String, List<String>> captions;

    /**
     * @param metadataFiles files besides the images whose change changes the dataset (e.g. {@code emoji.json},
     *                      the manifest CSV); they enter the {@link #fingerprint()}
     */
    FileDataset(Path root, String name, List<ClassInfo> classes, Map<String, List<DatasetItem>> items,
                List<String> warnings, OptionalInt nativeResolution, List<Path> metadataFiles) {
        this(root, name, classes, items, warnings, nativeResolution, metadataFiles, Map.of());
    }

    /**
     * @param captions texts describing items, by item id (see {@link #captions}); they must come from the
     *                 metadata files, so the fingerprint covers them
     */
    FileDataset(Path root, String name, List<ClassInfo> classes, Map<String, List<DatasetItem>> items,
                List<String> warnings, OptionalInt nativeResolution, List<Path> metadataFiles,
                Map<String, List<String>> captions) {
        super(name, classes, items, warnings);
        this.root = root;
        this.nativeResolution = nativeResolution;
        this.metadataFiles = List.copyOf(metadataFiles);
        this.captions = Map.copyOf(captions);
    }

    /** The folder item ids are relative to (absolute, normalised). */
    public Path root() {
        return root;
    }

    /** The file of an item of this dataset: the path it was listed with (ids of odd names are escaped). */
    public Path file(DatasetItem item) {
        return item.source() instanceof FileImage f ? f.file() : root.resolve(item.id());
    }

    @Override
    public List<String> captions(DatasetItem item) {
        return captions.getOrDefault(item.id(), List.of());
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
        MessageDigest md = Fingerprints.sha256();
        for (String split : splits()) {
            for (DatasetItem item : items(split)) {
                Fingerprints.update(md, split + "/" + item.id() + "=" + item.label() + " " + stat(file(item)) + "\n");
            }
        }
        for (Path file : metadataFiles) {
            Fingerprints.update(md, "meta " + file + " " + stat(file) + "\n");
        }
        return Fingerprints.hex(md);
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
}
