package clipbench.datasets;

import clipbench.clip.image.ImageDecoder;
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
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

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
 * Image extensions (any case) are those of {@link #supportedExtensions()}, the ones {@link ImageDecoder} reads:
 * {@code bmp, gif, jpeg, jpg, png, tif, tiff, webp}. Other files in a class folder, empty (0-byte) image files, nested folders and class folders
 * without images are warnings naming their path, and are skipped. Pixels are read only by
 * {@link DatasetItem#load()}, with {@link ImageDecoder}; an image that cannot be decoded fails there with an
 * {@link IOException} naming its file (the pipeline skips and counts it). A file whose name is not valid in the
 * JVM's file name encoding (a Latin-1 name under a UTF-8 locale) is read all the same; its id spells that name
 * as a URI does ({@code Red apple/caf%E9.jpg}), since Java cannot show its bytes as text.
 *
 * <h2>Symbolic links</h2>
 * Links are followed while they stay inside the dataset root. A split folder, class folder or image that is a
 * symbolic link leading outside the root is skipped with a warning naming the link and its target, so a
 * dataset cannot silently read (or fingerprint) files elsewhere; {@code -D}{@value #FOLLOW_EXTERNAL_LINKS}{@code
 * =true} follows them.
 *
 * <h2>Options</h2>
 * {@code imagefolder:ROOT?names=FILE&native=N} (see {@link DatasetLocation} for the syntax):
 * <ul>
 *   <li>{@code names=FILE}: class-name overrides, CSV {@code folder,prompt} or JSON (see {@link ClassNames});
 *       without it, {@code ROOT/class-names.csv} or {@code ROOT/class-names.json} is used when present. Relative
 *       paths are resolved against the current directory.</li>
 *   <li>{@code native=N}: declares the images' native resolution N (Fruits-360: 100), reported by
 *       {@link Dataset#nativeResolution()}.</li>
 * </ul>
 * Prompt names come from {@link ClassNames#promptName} unless overridden. {@link FileDataset#fingerprint()} hashes
 * ids, labels, file sizes and modification times.
 */
public final class ImageFolderDatasetProvider implements DatasetProvider {
    /** Split name used when the root holds class folders directly. */
    public static final String SINGLE_SPLIT = "all";

    /** System property: {@code true} follows symbolic links leading outside the dataset root. */
    public static final String FOLLOW_EXTERNAL_LINKS = "clipbench.followExternalLinks";
    private static final Set<String> TRAIN_NAMES = Set.of("train", "training");
    private static final Set<String> VALIDATION_NAMES = Set.of("val", "valid", "validation", "dev");
    private static final Set<String> TEST_NAMES = Set.of("test", "testing");

    @Override
    public String id() {
        return "imagefolder";
    }

    @Override
    public String description() {
        return "folder of class folders: ROOT/<split>/<class>/<image> or ROOT/<class>/<image>";
    }

    /** Lower-case image extensions listed by this provider, sorted: {@link ImageDecoder#fileExtensions()}. */
    public static List<String> supportedExtensions() {
        return ImageDecoder.fileExtensions();
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

    /** Option keys of {@code imagefolder:ROOT?...}. */
    public static final Set<String> OPTIONS = Set.of("names", "native");

    /**
     * @param location path of the dataset root folder, optionally followed by {@code ?names=FILE&native=N}
     * @throws IOException naming the path when the root does not exist, is not a folder or has no class
     *                     folders, or when an override file is invalid
     */
    @Override
    public Dataset open(String location) throws IOException {
        DatasetLocation loc = DatasetLocation.parse(id(), location, OPTIONS);
        if (loc.path().isBlank()) {
            throw new IllegalArgumentException("imagefolder: give the dataset folder, e.g. imagefolder:/data/fruits");
        }
        Path root = existingFolder(id(), loc.path());
        Path rootName = root.getFileName();
        String name = "imagefolder:" + (rootName == null ? root.toString() : rootName.toString());
        return list(new Listing(id(), root, name, null, ClassNames::promptName,
                loc.option("names").map(Path::of), loc.positiveInt(id(), "native")));
    }

    /** The absolute, normalised folder, or an IOException naming it. */
    static Path existingFolder(String id, String path) throws IOException {
        Path root = Path.of(path).toAbsolutePath().normalize();
        if (!Files.exists(root)) {
            throw new NoSuchFileException(root.toString(), null, id + ": dataset folder does not exist");
        }
        if (!Files.isDirectory(root)) {
            throw new IOException(root + ": " + id + ": not a folder");
        }
        return root;
    }

    /**
     * What {@link #list} lists.
     *
     * @param id               provider id, for messages
     * @param root             absolute dataset root
     * @param name             dataset name in results
     * @param onlySplits       null: detect the layout (split folders or class folders); otherwise the root must
     *                         hold split folders and only those named here (ignoring case, in this order of
     *                         preference for the spelling) are read, other folders being skipped with a warning
     * @param promptRule       folder name to prompt name, unless overridden
     * @param namesFile        explicit override file; empty: {@link ClassNames#findOverrides} in the root
     * @param nativeResolution declared native resolution
     */
    record Listing(String id, Path root, String name, Set<String> onlySplits, Function<String, String> promptRule,
                   Optional<Path> namesFile, OptionalInt nativeResolution) {
    }

    /** Lists a folder tree as the class comment describes; shared by {@code imagefolder} and {@code fruits360}. */
    static FileDataset list(Listing listing) throws IOException {
        Path root = listing.root();
        String id = listing.id();
        List<String> warnings = new ArrayList<>();
        Path realRoot = root.toRealPath();
        List<Path> top = inside(realRoot, visibleDirectories(root), warnings);

        // Which layout: split folders holding class folders, or class folders directly under the root.
        Map<String, Path> splitDirs = new LinkedHashMap<>();
        Map<String, List<Path>> classDirsBySplit = new LinkedHashMap<>();
        boolean splitLayout = listing.onlySplits() != null;
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
                String dirName = dir.getFileName().toString();
                if (listing.onlySplits() != null && listing.onlySplits().stream().noneMatch(dirName::equalsIgnoreCase)) {
                    warnings.add(dir + ": not a " + id + " split " + listing.onlySplits() + "; skipped");
                } else if (visibleDirectories(dir).isEmpty()) {
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
                classDirsBySplit.put(name, inside(realRoot, visibleDirectories(split), warnings));
                warnStrayImages(split, warnings);
            }
            if (splits.isEmpty()) {
                throw new IOException(root + ": " + id + ": no split folders with class folders (expected "
                        + root + "/<split>/<class>/<image>" + (listing.onlySplits() == null ? ""
                        : " with <split> one of " + listing.onlySplits()) + ")");
            }
        } else {
            if (top.isEmpty()) {
                throw new IOException(root + ": " + id + ": no class folders (expected " + root
                        + "/<class>/<image> or " + root + "/<split>/<class>/<image>)");
            }
            warnStrayImages(root, warnings);
            splitDirs.put(SINGLE_SPLIT, root);
            classDirsBySplit.put(SINGLE_SPLIT, top);
        }

        // Classes: union of folder names over all splits.
        TreeSet<String> classNames = new TreeSet<>();
        classDirsBySplit.values().forEach(dirs -> dirs.forEach(d -> classNames.add(d.getFileName().toString())));
        Optional<Path> namesFile = listing.namesFile().isPresent() ? listing.namesFile()
                : ClassNames.findOverrides(root);
        Map<String, String> overrides = namesFile.isPresent() ? ClassNames.readOverrides(namesFile.get()) : Map.of();
        for (String folder : overrides.keySet()) {
            if (!classNames.contains(folder)) {
                warnings.add(namesFile.get() + ": overrides the name of class '" + folder
                        + "', which this dataset does not have");
            }
        }
        List<ClassInfo> classes = new ArrayList<>();
        Map<String, Integer> labels = new LinkedHashMap<>();
        for (String folder : classNames) {
            String prompt = overrides.get(folder);
            if (prompt == null) {
                try {
                    prompt = listing.promptRule().apply(folder);
                } catch (IllegalArgumentException e) {
                    prompt = folder;
                    warnings.add(root + ": class folder '" + folder + "': " + e.getMessage() + "; prompt uses it as is");
                }
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
                    String problem = externalLink(realRoot, entry);
                    problem = problem != null ? problem : imageFileProblem(entry, extensions);
                    if (problem != null) {
                        warnings.add(entry + ": " + problem + "; skipped");
                    } else {
                        list.add(new DatasetItem(relativeId(root, entry), label, new FileImage(entry)));
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
            throw new IOException(root + ": " + id + ": no class folders");
        }
        return new FileDataset(root, listing.name(), classes, items, warnings, listing.nativeResolution(),
                namesFile.map(List::of).orElse(List.of()));
    }

    /**
     * Why a file cannot be a dataset image (a folder, not a regular file, an extension ImageIO does not read, an
     * empty file), or null when it can. Undecodable content is found only when the image is loaded.
     */
    static String imageFileProblem(Path entry, Set<String> extensions) {
        if (Files.isDirectory(entry)) {
            return "nested folder inside a class folder";
        }
        if (!Files.isRegularFile(entry)) {
            return Files.exists(entry) ? "not a regular file" : "no such file";
        }
        if (!extensions.contains(extension(entry))) {
            return "not a supported image extension " + supportedExtensions();
        }
        try {
            if (Files.size(entry) == 0) {
                return "empty file (0 bytes)";
            }
        } catch (IOException e) {
            return "cannot read its size: " + e.getMessage();
        }
        if (!Files.isReadable(entry)) {
            return "not readable (permission denied)";
        }
        return null;
    }

    /**
     * The path of {@code file} relative to {@code root} with {@code /} separators. A name whose bytes are not
     * valid in the JVM's file name encoding (decoded to U+FFFD) is spelled as in a URI instead, whose percent
     * escapes keep those bytes ({@code caf%E9.jpg}), so two such names never share an id.
     */
    static String relativeId(Path root, Path file) {
        Path relative = root.relativize(file);
        String id = relative.toString().replace(file.getFileSystem().getSeparator(), "/");
        if (id.indexOf('\uFFFD') < 0) {
            return id;
        }
        String uri = root.toUri().relativize(file.toUri()).getRawPath();
        String[] escaped = uri.split("/");
        if (escaped.length != relative.getNameCount()) {
            return uri;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < escaped.length; i++) {
            String name = relative.getName(i).toString();
            sb.append(i == 0 ? "" : "/").append(name.indexOf('\uFFFD') < 0 ? name : escaped[i]);
        }
        return sb.toString();
    }

    /** {@code entries} less the symbolic links leading outside {@code realRoot}, each a warning. */
    private static List<Path> inside(Path realRoot, List<Path> entries, List<String> warnings) {
        List<Path> kept = new ArrayList<>();
        for (Path entry : entries) {
            String problem = externalLink(realRoot, entry);
            if (problem == null) {
                kept.add(entry);
            } else {
                warnings.add(entry + ": " + problem + "; skipped");
            }
        }
        return kept;
    }

    /**
     * Why {@code entry} is not followed: a symbolic link whose target lies outside {@code realRoot} (unless
     * {@value #FOLLOW_EXTERNAL_LINKS} is true); null otherwise, broken links included (reported as missing files).
     */
    static String externalLink(Path realRoot, Path entry) {
        if (!Files.isSymbolicLink(entry) || Boolean.getBoolean(FOLLOW_EXTERNAL_LINKS)) {
            return null;
        }
        Path target;
        try {
            target = entry.toRealPath();
        } catch (IOException e) {
            return null;
        }
        if (target.startsWith(realRoot)) {
            return null;
        }
        return "symbolic link to " + target + ", outside the dataset root " + realRoot + " (-D" + FOLLOW_EXTERNAL_LINKS
                + "=true follows it)";
    }

    /** Decodes an image file; every error names the file. */
    static RgbImage read(Path file) throws IOException {
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

    static String extension(Path file) {
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
