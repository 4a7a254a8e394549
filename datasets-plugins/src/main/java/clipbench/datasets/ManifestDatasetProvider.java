package clipbench.datasets;

import clipbench.api.spi.ClassInfo;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.DatasetItem;
import clipbench.api.spi.DatasetProvider;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Opens {@code manifest:FILE.csv}: a CSV listing images and their labels, for data that is not laid out in
 * folders.
 *
 * <ul>
 *   <li>Rows: {@code path,label[,split]} (RFC 4180 quoting via Apache Commons CSV, UTF-8, surrounding spaces
 *       trimmed, blank lines and {@code #} comment lines ignored). A first row {@code path,label} or
 *       {@code path,label,split} (any case) is a header and skipped. A row with fewer than 2 or more than 3
 *       fields, or an empty path or label, is an {@link IOException} naming {@code FILE:line}.</li>
 *   <li>{@code path}: an image file, relative to the CSV's folder (or absolute). Missing files, unsupported
 *       extensions, empty files and a path listed twice in a split are warnings naming the path, and skipped.</li>
 *   <li>{@code split}: default {@value #DEFAULT_SPLIT}. Splits are ordered as imagefolder orders them (training
 *       first, test last).</li>
 *   <li>Classes: the distinct labels sorted by {@link String#compareTo}; prompt names by
 *       {@link ClassNames#promptName} (as imagefolder), unless an override file gives them ({@code ?names=FILE},
 *       or {@code class-names.csv}/{@code .json} beside the manifest). A class missing from a split is a
 *       warning.</li>
 *   <li>Items keep the manifest's row order; the id is the path relative to the CSV's folder with {@code /}
 *       separators (absolute for files outside it).</li>
 * </ul>
 * Syntax: {@code manifest:FILE.csv[?names=FILE][&native=N]}. The fingerprint covers the items' files and the CSV.
 */
public final class ManifestDatasetProvider implements DatasetProvider {
    public static final String ID = "manifest";
    public static final String DEFAULT_SPLIT = "Test";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "CSV manifest: manifest:FILE.csv with rows path,label[,split] (paths relative to the CSV, split"
                + " default Test)";
    }

    private record Row(long line, String path, String label, String split) {
    }

    @Override
    public Dataset open(String location) throws IOException {
        DatasetLocation loc = DatasetLocation.parse(ID, location, ImageFolderDatasetProvider.OPTIONS);
        if (loc.path().isBlank()) {
            throw new IllegalArgumentException("manifest: give the CSV file, e.g. manifest:/data/list.csv");
        }
        Path csv = Path.of(loc.path()).toAbsolutePath().normalize();
        if (!Files.isRegularFile(csv)) {
            throw new NoSuchFileException(csv.toString(), null, "manifest: CSV file not found");
        }
        Path root = csv.getParent();
        List<Row> rows = read(csv);
        if (rows.isEmpty()) {
            throw new IOException(csv + ": manifest: no rows (expected path,label[,split])");
        }

        List<String> warnings = new ArrayList<>();
        Set<String> extensions = Set.copyOf(ImageFolderDatasetProvider.supportedExtensions());
        TreeSet<String> labelNames = new TreeSet<>();
        rows.forEach(r -> labelNames.add(r.label()));
        Optional<Path> namesFile = loc.option("names").map(Path::of);
        if (namesFile.isEmpty()) {
            namesFile = ClassNames.findOverrides(root);
        }
        Map<String, String> overrides = namesFile.isPresent() ? ClassNames.readOverrides(namesFile.get()) : Map.of();
        for (String label : overrides.keySet()) {
            if (!labelNames.contains(label)) {
                warnings.add(namesFile.get() + ": overrides the name of class '" + label
                        + "', which this manifest does not have");
            }
        }
        Map<String, Integer> labels = new LinkedHashMap<>();
        List<ClassInfo> classes = new ArrayList<>();
        for (String label : labelNames) {
            String prompt = overrides.get(label);
            if (prompt == null) {
                try {
                    prompt = ClassNames.promptName(label);
                } catch (IllegalArgumentException e) {
                    prompt = label;
                    warnings.add(csv + ": label '" + label + "': " + e.getMessage() + "; prompt uses it as is");
                }
            }
            labels.put(label, classes.size());
            classes.add(new ClassInfo(classes.size(), label, prompt));
        }

        Map<String, List<DatasetItem>> bySplit = new TreeMap<>(ImageFolderDatasetProvider.SPLIT_ORDER);
        Map<String, Set<String>> seen = new LinkedHashMap<>();
        Map<String, Set<Integer>> present = new LinkedHashMap<>();
        for (Row row : rows) {
            Path file = root.resolve(row.path()).normalize();
            present.computeIfAbsent(row.split(), s -> new HashSet<>());
            String problem = ImageFolderDatasetProvider.imageFileProblem(file, extensions);
            if (problem != null) {
                warnings.add(file + ": " + problem + " (" + csv.getFileName() + " line " + row.line() + "); skipped");
                continue;
            }
            String id = file.startsWith(root) ? ImageFolderDatasetProvider.relativeId(root, file) : file.toString();
            if (!seen.computeIfAbsent(row.split(), s -> new HashSet<>()).add(id)) {
                warnings.add(file + ": listed twice in split '" + row.split() + "' (" + csv.getFileName() + " line "
                        + row.line() + "); skipped");
                continue;
            }
            int label = labels.get(row.label());
            present.get(row.split()).add(label);
            bySplit.computeIfAbsent(row.split(), s -> new ArrayList<>())
                    .add(new DatasetItem(id, label, new FileImage(file)));
        }
        for (Map.Entry<String, Set<Integer>> split : present.entrySet()) {
            if (split.getValue().isEmpty()) {
                warnings.add(csv + ": split '" + split.getKey() + "' has no usable images; left out");
                continue;
            }
            for (ClassInfo c : classes) {
                if (!split.getValue().contains(c.index())) {
                    warnings.add(csv + ": class '" + c.originalName() + "' has no images in split '" + split.getKey() + "'");
                }
            }
        }
        if (bySplit.isEmpty()) {
            throw new IOException(csv + ": manifest: none of the listed images is usable (see the paths: "
                    + warnings.stream().limit(3).toList() + ")");
        }
        Map<String, List<DatasetItem>> items = new LinkedHashMap<>(bySplit);
        List<Path> meta = new ArrayList<>(List.of(csv));
        namesFile.ifPresent(meta::add);
        return new FileDataset(root, ID + ":" + csv.getFileName(), classes, items, warnings,
                loc.positiveInt(ID, "native"), meta);
    }

    private static List<Row> read(Path csv) throws IOException {
        CSVFormat format = CSVFormat.DEFAULT.builder().setCommentMarker('#').setIgnoreEmptyLines(true)
                .setIgnoreSurroundingSpaces(true).get();
        List<Row> rows = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(csv, StandardCharsets.UTF_8);
             CSVParser parser = CSVParser.parse(reader, format)) {
            boolean first = true;
            for (CSVRecord r : parser) {
                long line = parser.getCurrentLineNumber();
                boolean header = first && r.size() >= 2 && r.get(0).equalsIgnoreCase("path")
                        && r.get(1).equalsIgnoreCase("label") && (r.size() == 2 || r.get(2).equalsIgnoreCase("split"));
                first = false;
                if (header) {
                    continue;
                }
                if (r.size() < 2 || r.size() > 3) {
                    throw new IOException(csv + ":" + line + ": expected path,label[,split], got " + r.size()
                            + " field(s): " + r.toList());
                }
                String split = r.size() == 3 && !r.get(2).isEmpty() ? r.get(2) : DEFAULT_SPLIT;
                if (r.get(0).isEmpty() || r.get(1).isEmpty()) {
                    throw new IOException(csv + ":" + line + ": empty path or label: " + r.toList());
                }
                rows.add(new Row(line, r.get(0), r.get(1), split));
            }
        } catch (IllegalStateException | UncheckedIOException e) {
            throw new IOException(csv + ": not valid CSV: " + e.getMessage(), e);
        }
        return rows;
    }
}
