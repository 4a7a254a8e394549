package clipbench.datasets;

import clipbench.api.image.ImageDecoder;
import clipbench.api.image.RgbImage;
import clipbench.api.spi.ClassInfo;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.DatasetItem;
import clipbench.api.spi.DatasetProvider;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.imageio.ImageIO;

/**
 * Opens {@code imagefolder:ROOT}, a folder of class folders of images, as torchvision's ImageFolder does.
 *
 * <h2>Layout</h2>
 * <ul>
 *   <li>{@code ROOT/<split>/<class>/<image>}: the root holds split folders (used when any visible folder
 *       directly under the root has a visible sub-folder). Folders under the root without class folders
 *       are skipped with a warning.</li>
 *   <li>{@code ROOT/<class>/<image>}: otherwise the root holds class folders, read as one split named
 *       {@value #SINGLE_SPLIT}.</li>
 * </ul>
 * Hidden entries (name starting with {@code .}, or hidden to the file system) are ignored everywhere
 * without a warning. Files outside class folders are skipped (with a warning when they look like images,
 * so a {@code README} or {@code SOURCE.md} beside the splits is silent).
 *
 * <h2>Order</h2>
 * <ul>
 *   <li>Splits: training ({@code train}, {@code training}) first, then any other names, then validation
 *       ({@code val}, {@code valid}, {@code validation}, {@code dev}), then test ({@code test},
 *       {@code testing}) last; names matched ignoring case, ties ordered by name.</li>
 *   <li>Classes: the union of class folder names over all splits, sorted by {@link String#compareTo}
 *       (so upper case sorts before lower case); the label of an item is its index here. A class missing
 *       from a split is a warning, not an error.</li>
 *   <li>Items: sorted by id, the path relative to the root with {@code /} separators.</li>
 * </ul>
 *
 * <h2>Files</h2>
 * Image extensions (any case) are those of {@link #supportedExtensions()}: {@code jpg, jpeg, png, bmp, gif,
 * webp} as far as {@link ImageIO} reads them in this JVM (no {@code webp} without an ImageIO plugin; TIFF is
 * not used). Other files in a class folder, nested folders and class folders without images are warnings
 * naming their path. Pixels are read only by {@link DatasetItem#load()}, with {@link ImageDecoder}.
 */
public final class ImageFolderDatasetProvider implements DatasetProvider {
    /** Split name used when the root holds class folders directly. */
    public static final String SINGLE_SPLIT = "all";

    private static final List<String> CANDIDATE_EXTENSIONS = List.of("jpg", "jpeg", "png", "bmp", "gif", "webp");
    private static final Set<String> TRAIN_NAMES = Set.of("train", "training");
    private static final Set<String> VALIDATION_NAMES = Set.of("val", "valid", "validation", "dev");
    private static final Set<String> TEST_NAMES = Set.of("test", "testing");

    private static volatile List<String> supported;

    @Override
    public String id() {
        return "imagefolder";
    }

    @Override
    public String description() {
        return "folder of class folders: ROOT/<split>/<class>/<image> or ROOT/<class>/<image>";
    }

    /**
     * Lower-case image extensions listed by this provider: the candidates {@code jpg, jpeg, png, bmp, gif,
     * webp} that {@link ImageIO#getReaderFileSuffixes()} reports in this JVM, sorted.
     */
    public static List<String> supportedExtensions() {
        List<String> s = supported;
        if (s == null) {
            Set<String> readable = new TreeSet<>();
            for (String suffix : ImageIO.getReaderFileSuffixes()) {
                readable.add(suffix.toLowerCase(Locale.ROOT));
            }
            s = CANDIDATE_EXTENSIONS.stream().filter(readable::contains).sorted().toList();
            supported = s;
        }
        return s;
    }

    /** Split order: training first, others, validation, test last (names ignoring case), then by name. */
    public static final Comparator<String> SPLIT_ORDER = Comparator
            .comparingInt(ImageFolderDatasetProvider::splitRank)
            .thenComparing(String.CASE_INSENSITIVE_ORDER)
            .thenComparing(Comparator.naturalOrder());

    private static int splitRank(String split) {
        String s = split.toLowerCase(Locale.ROOT);
        if (TRAIN_NAMES.contains(s)) {
            return 0;
        }
        if (VALIDATION_NAMES.contains(s)) {
            return 2;
        }
        if (TEST_NAMES.contains(s)) {
            return 3;
        }
        return 1;
    }

    /**
     * @param location path of the dataset root folder
     * @throws IOException naming the path when the root does not exist, is not a folder or has no class
     *                     folders
     */
    @Override
    public Dataset open(String location) throws IOException {
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException("imagefolder: give the dataset folder, e.g. imagefolder:/data/fruits");
        }
        Path root = Path.of(location).toAbsolutePath().normalize();
        if (!Files.exists(root)) {
            throw new NoSuchFileException(root.toString(), null, "imagefolder: dataset folder does not exist");
        }
        if (!Files.isDirectory(root)) {
            throw new IOException(root + ": imagefolder: not a folder");
        }
        List<String> warnings = new ArrayList<>();
        List<Path> top = visibleDirectories(root);

        // Which layout: split folders holding class folders, or class folders directly under the root.
        Map<String, Path> splitDirs = new LinkedHashMap<>();
        Map<String, List<Path>> classDirsBySplit = new LinkedHashMap<>();
        boolean splitLayout = false;
        for (Path dir : top) {
            if (!visibleDirectories(dir).isEmpty()) {
                splitLayout = true;
                break;
            }
        }
        if (splitLayout) {
            warnStrayImages(root, warnings);
            List<Path> splits = new ArrayList<>();
            for (Path dir : top) {
                if (visibleDirectories(dir).isEmpty()) {
                    warnings.add(dir + ": no class folders in it, so not a split; skipped (expected "
                            + root + "/<split>/<class>/<image>)");
                } else {
                    splits.add(dir);
                }
            }
            splits.sort(Comparator.comparing(p -> p.getFileName().toString(), SPLIT_ORDER));
            for (Path split : splits) {
                String name = split.getFileName().toString();
                splitDirs.put(name, split);
                classDirsBySplit.put(name, visibleDirectories(split));
                warnStrayImages(split, warnings);
            }
        } else {
            if (top.isEmpty()) {
                throw new IOException(root + ": imagefolder: no class folders (expected " + root
                        + "/<class>/<image> or " + root + "/<split>/<class>/<image>)");
            }
            warnStrayImages(root, warnings);
            splitDirs.put(SINGLE_SPLIT, root);
            classDirsBySplit.put(SINGLE_SPLIT, top);
        }

        // Classes: union of folder names over all splits.
        TreeSet<String> classNames = new TreeSet<>();
        classDirsBySplit.values().forEach(dirs -> dirs.forEach(d -> classNames.add(d.getFileName().toString())));
        List<ClassInfo> classes = new ArrayList<>();
        Map<String, Integer> labels = new LinkedHashMap<>();
        for (String folder : classNames) {
            String prompt;
            try {
                prompt = ClassNames.promptName(folder);
            } catch (IllegalArgumentException e) {
                prompt = folder;
                warnings.add(root + ": class folder '" + folder + "': " + e.getMessage() + "; prompt uses it as is");
            }
            labels.put(folder, classes.size());
            classes.add(new ClassInfo(classes.size(), folder, prompt));
        }

        Set<String> extensions = Set.copyOf(supportedExtensions());
        Map<String, List<DatasetItem>> items = new LinkedHashMap<>();
        for (Map.Entry<String, Path> split : splitDirs.entrySet()) {
            List<DatasetItem> list = new ArrayList<>();
            Set<String> present = new TreeSet<>();
            for (Path classDir : classDirsBySplit.get(split.getKey())) {
                present.add(classDir.getFileName().toString());
            }
            for (String folder : classNames) {
                Path classDir = split.getValue().resolve(folder);
                if (!present.contains(folder)) {
                    warnings.add(classDir + ": class '" + folder + "' has no folder in split '" + split.getKey() + "'");
                    continue;
                }
                int label = labels.get(folder);
                int found = 0;
                for (Path entry : visibleEntries(classDir)) {
                    if (Files.isDirectory(entry)) {
                        warnings.add(entry + ": nested folder inside a class folder; skipped");
                    } else if (!Files.isRegularFile(entry)) {
                        warnings.add(entry + ": not a regular file; skipped");
                    } else if (!extensions.contains(extension(entry))) {
                        warnings.add(entry + ": not a supported image extension " + supportedExtensions()
                                + "; skipped");
                    } else {
                        String id = root.relativize(entry).toString().replace(entry.getFileSystem().getSeparator(), "/");
                        list.add(new DatasetItem(id, label, () -> read(entry)));
                        found++;
                    }
                }
                if (found == 0) {
                    warnings.add(classDir + ": empty class folder (no supported images)");
                }
            }
            list.sort(Comparator.comparing(DatasetItem::id));
            items.put(split.getKey(), list);
        }
        if (classes.isEmpty()) {
            throw new IOException(root + ": imagefolder: no class folders");
        }
        Path rootName = root.getFileName();
        String name = "imagefolder:" + (rootName == null ? root.toString() : rootName.toString());
        return new ImageFolderDataset(root, name, classes, items, warnings);
    }

    private static RgbImage read(Path file) throws IOException {
        try {
            return ImageDecoder.read(file);
        } catch (IOException e) {
            String message = e.getMessage();
            if (message != null && message.contains(file.toString())) {
                throw e;
            }
            throw new IOException(file + ": " + message, e);
        } catch (RuntimeException e) {
            throw new IOException(file + ": cannot decode image: " + e, e);
        }
    }

    private static String extension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** Files outside class folders are skipped; only image-looking ones are worth a warning. */
    private static void warnStrayImages(Path dir, List<String> warnings) throws IOException {
        Set<String> extensions = Set.copyOf(supportedExtensions());
        for (Path entry : visibleEntries(dir)) {
            if (Files.isRegularFile(entry) && extensions.contains(extension(entry))) {
                warnings.add(entry + ": image not inside a class folder; skipped");
            }
        }
    }

    private static List<Path> visibleDirectories(Path dir) throws IOException {
        return visibleEntries(dir).stream().filter(Files::isDirectory).toList();
    }

    /** Entries of a folder, hidden ones left out, sorted by name. */
    private static List<Path> visibleEntries(Path dir) throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                if (!isHidden(p)) {
                    entries.add(p);
                }
            }
        }
        entries.sort(Comparator.comparing(p -> p.getFileName().toString()));
        return entries;
    }

    private static boolean isHidden(Path p) {
        if (p.getFileName().toString().startsWith(".")) {
            return true;
        }
        try {
            return Files.isHidden(p);
        } catch (IOException e) {
            return false;
        }
    }
}
