package dev.clipbench.examples.dataset;

import clipbench.api.spi.ClassInfo;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.DatasetItem;
import clipbench.api.spi.DatasetProvider;
import clipbench.api.spi.Fingerprints;
import clipbench.api.spi.ListedDataset;
import clipbench.clip.image.ImageDecoder;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code filename-labels:FOLDER}: one flat folder of images whose file names carry the label, as in the Simpsons
 * characters test set: {@code homer_simpson_12.jpg} is class {@code homer_simpson}, prompted as
 * {@code homer simpson}. Every image is in the split {@code Test} (for zero-shot runs).
 *
 * <p>Files that are not images, or whose name does not end in {@code _<number>}, are skipped with a warning naming
 * them. Hidden files are ignored. Pixels are read only when the harness asks for an item.
 */
public final class FilenameLabelsDatasetProvider implements DatasetProvider {
    /** {@code <class>_<number>.<extension>} */
    private static final Pattern NAME = Pattern.compile("(.+)_\\d+\\.([^.]+)");

    @Override
    public String id() {
        return "filename-labels";
    }

    @Override
    public String description() {
        return "one folder of images named <class>_<number>.<ext> (e.g. homer_simpson_12.jpg), all in split Test";
    }

    @Override
    public Dataset open(String location) throws IOException {
        if (location.isBlank()) {
            throw new IllegalArgumentException(id() + ": give the image folder, e.g. " + id() + ":/data/simpsons");
        }
        Path folder = Path.of(location).toAbsolutePath().normalize();
        if (!Files.isDirectory(folder)) {
            throw new IOException(folder + ": " + id() + ": not a folder");
        }
        List<String> extensions = ImageDecoder.fileExtensions();
        List<String> warnings = new ArrayList<>();
        Map<String, List<Path>> byClass = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                Matcher m = NAME.matcher(name);
                if (name.startsWith(".") || Files.isDirectory(file)) {
                    continue;
                } else if (!m.matches() || !extensions.contains(m.group(2).toLowerCase(Locale.ROOT))) {
                    warnings.add(file + ": not <class>_<number>.<image extension " + extensions + ">; skipped");
                } else {
                    byClass.computeIfAbsent(m.group(1), c -> new ArrayList<>()).add(file);
                }
            }
        }
        if (byClass.isEmpty()) {
            throw new IOException(folder + ": " + id() + ": no images named <class>_<number>.<ext>");
        }
        // Labels are indices into the classes sorted by name; items are sorted by file name.
        List<ClassInfo> classes = new ArrayList<>();
        List<DatasetItem> items = new ArrayList<>();
        for (Map.Entry<String, List<Path>> e : byClass.entrySet()) {
            int label = classes.size();
            classes.add(new ClassInfo(label, e.getKey(), e.getKey().replace('_', ' ')));
            for (Path file : e.getValue()) {
                items.add(new DatasetItem(file.getFileName().toString(), label, () -> ImageDecoder.read(file)));
            }
        }
        items.sort((a, b) -> a.id().compareTo(b.id()));
        return new FilenameLabelsDataset(folder, id() + ":" + folder.getFileName(), classes, items, warnings);
    }

    /** The listing, and a fingerprint that changes when any image file changes (for the embedding cache). */
    static final class FilenameLabelsDataset extends ListedDataset {
        private final Path folder;

        FilenameLabelsDataset(Path folder, String name, List<ClassInfo> classes, List<DatasetItem> items,
                              List<String> warnings) {
            super(name, classes, Map.of("Test", items), warnings);
            this.folder = folder;
        }

        @Override
        public String fingerprint() {
            MessageDigest md = Fingerprints.sha256();
            for (DatasetItem item : items("Test")) {
                Path file = folder.resolve(item.id());
                String stat;
                try {
                    stat = Files.size(file) + " " + Files.getLastModifiedTime(file).toMillis();
                } catch (IOException e) {
                    stat = "missing";
                }
                Fingerprints.update(md, item.id() + "=" + item.label() + " " + stat + "\n");
            }
            return Fingerprints.hex(md);
        }
    }
}
