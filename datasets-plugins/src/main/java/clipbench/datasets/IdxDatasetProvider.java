package clipbench.datasets;

import clipbench.api.image.RgbImage;
import clipbench.api.spi.ClassInfo;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.DatasetItem;
import clipbench.api.spi.DatasetProvider;
import clipbench.api.spi.Fingerprints;
import clipbench.api.spi.ListedDataset;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Opens {@code idx:DIR}, MNIST-style IDX files (LeCun's format, used by MNIST, Fashion-MNIST, KMNIST, EMNIST).
 *
 * <h2>Files</h2>
 * <ul>
 *   <li>Splits: {@code train-images-idx3-ubyte} + {@code train-labels-idx1-ubyte} are split {@code Training};
 *       {@code t10k-images-idx3-ubyte} + {@code t10k-labels-idx1-ubyte} are {@code Test}. Each name may use
 *       {@code .} instead of the last {@code -} ({@code train-images.idx3-ubyte}) and may end in {@code .gz};
 *       files are read as gzip when they start with gzip's magic bytes, whatever their name. At least one split
 *       must be present; an images file without its labels file (or the reverse) is an error.</li>
 *   <li>Format (big-endian): images: magic {@code 0x00000803} (unsigned bytes, 3 dimensions), count, rows,
 *       columns, then count x rows x columns bytes; labels: magic {@code 0x00000801}, count, then count bytes. A
 *       wrong magic, a count that differs between the two files, or a file shorter than its header says is an
 *       {@link IOException} naming the file. Labels are read (and checked) when the dataset is opened; raw image
 *       files are checked for length then, gzipped ones when their pixels are first read.</li>
 *   <li>Pixels: gray values as stored (MNIST and Fashion-MNIST: 0 = black background), converted to RGB with
 *       R = G = B. The first {@link DatasetItem#load()} of a split reads that split's whole image array into one
 *       {@code byte[]} (Fashion-MNIST training: 60000 x 28 x 28 = 47 MB; test 7.8 MB), kept for the dataset's
 *       lifetime; later loads copy one image out of it. A file that fails to read fails every load of its split
 *       with the same message (it is not decompressed again per item). Memory-mapping was not used: most IDX
 *       files are gzipped, and the array is small.</li>
 *   <li>Item ids: {@code <images file name>#<index>}, e.g. {@code train-images-idx3-ubyte.gz#41}, in file
 *       order.</li>
 * </ul>
 *
 * <h2>Classes</h2>
 * From {@code classes.json} in DIR, or {@code ?classes=FILE}: a JSON list whose element i names label i, either a
 * string (used as both original and prompt name, as written) or an object {@code {"name": "T-shirt/top",
 * "prompt": "t-shirt or top"}}. Without one, classes are the label values {@code 0 .. max}, named by their digits.
 * A label outside the named classes is an error. {@link Dataset#nativeResolution()} is the image side when every
 * split has square images of one size.
 *
 * <p>Syntax: {@code idx:DIR[?classes=FILE]}. See {@link FashionMnistDatasetProvider} for the packaged
 * Fashion-MNIST.
 */
public final class IdxDatasetProvider implements DatasetProvider {
    public static final String ID = "idx";
    public static final int IMAGES_MAGIC = 0x00000803;
    public static final int LABELS_MAGIC = 0x00000801;
    public static final String CLASSES_FILE = "classes.json";
    static final Set<String> OPTIONS = Set.of("classes");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> SPLIT_PREFIXES = Map.of("Training", "train", "Test", "t10k");
    private static final List<String> SPLIT_ORDER = List.of("Training", "Test");

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "MNIST-style IDX files: DIR/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz], classes from"
                + " classes.json or ?classes=FILE";
    }

    @Override
    public Dataset open(String location) throws IOException {
        DatasetLocation loc = DatasetLocation.parse(ID, location, OPTIONS);
        if (loc.path().isBlank()) {
            throw new IllegalArgumentException("idx: give the folder holding the IDX files, e.g. idx:/data/mnist");
        }
        Path dir = ImageFolderDatasetProvider.existingFolder(ID, loc.path());
        Optional<Path> classes = loc.option("classes").map(Path::of);
        if (classes.isEmpty() && Files.isRegularFile(dir.resolve(CLASSES_FILE))) {
            classes = Optional.of(dir.resolve(CLASSES_FILE));
        }
        Path name = dir.getFileName();
        return open(ID, dir, ID + ":" + (name == null ? dir : name), classes.isPresent()
                ? readClasses(classes.get()) : null, classes);
    }

    /**
     * Opens the IDX files of {@code dir}.
     *
     * @param classes     class names by label, or null to name classes by their label values
     * @param classesFile where {@code classes} came from (for messages and the fingerprint), if a file
     */
    static IdxDataset open(String id, Path dir, String name, List<ClassInfo> classes, Optional<Path> classesFile)
            throws IOException {
        Map<String, IdxSplit> splits = new LinkedHashMap<>();
        for (String split : SPLIT_ORDER) {
            String prefix = SPLIT_PREFIXES.get(split);
            Path images = find(dir, prefix + "-images", "idx3-ubyte");
            Path labels = find(dir, prefix + "-labels", "idx1-ubyte");
            if (images == null && labels == null) {
                continue;
            }
            if (images == null || labels == null) {
                Path have = images == null ? labels : images;
                throw new NoSuchFileException(dir.resolve(prefix + (images == null ? "-images-idx3-ubyte"
                        : "-labels-idx1-ubyte")).toString(), null, id + ": " + have.getFileName()
                        + " has no matching " + (images == null ? "images" : "labels") + " file (.gz or raw)");
            }
            splits.put(split, IdxSplit.open(split, images, labels));
        }
        if (splits.isEmpty()) {
            throw new IOException(dir + ": " + id + ": no IDX files (expected train-images-idx3-ubyte[.gz] +"
                    + " train-labels-idx1-ubyte[.gz] and/or t10k-images-idx3-ubyte[.gz] + t10k-labels-idx1-ubyte[.gz])");
        }
        int maxLabel = 0;
        for (IdxSplit s : splits.values()) {
            for (byte b : s.labels) {
                maxLabel = Math.max(maxLabel, b & 0xFF);
            }
        }
        List<ClassInfo> infos = classes;
        if (infos == null) {
            infos = new ArrayList<>();
            for (int i = 0; i <= maxLabel; i++) {
                infos.add(new ClassInfo(i, Integer.toString(i), Integer.toString(i)));
            }
        } else {
            for (IdxSplit s : splits.values()) {
                for (int i = 0; i < s.labels.length; i++) {
                    if ((s.labels[i] & 0xFF) >= infos.size()) {
                        throw new IOException(s.labelsFile + ": label " + (s.labels[i] & 0xFF) + " at index " + i
                                + " but " + classesFile.map(Path::toString).orElse(id) + " names only "
                                + infos.size() + " classes");
                    }
                }
            }
        }
        return new IdxDataset(name, infos, splits, classesFile);
    }

    /** The first of {@code stem-kind}, {@code stem.kind}, each raw then {@code .gz}, that exists. */
    private static Path find(Path dir, String stem, String kind) {
        for (String name : List.of(stem + "-" + kind, stem + "." + kind, stem + "-" + kind + ".gz",
                stem + "." + kind + ".gz")) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    /** Reads a classes file: a JSON list of names or of {@code {"name", "prompt"}} objects. */
    public static List<ClassInfo> readClasses(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "classes file not found");
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isArray() || root.isEmpty()) {
            throw new IOException(file + ": expected a non-empty JSON list of class names (label 0 first)");
        }
        List<ClassInfo> classes = new ArrayList<>();
        for (JsonNode n : root) {
            String original;
            String prompt;
            if (n.isTextual()) {
                original = n.asText();
                prompt = original;
            } else if (n.isObject() && n.path("name").isTextual()) {
                original = n.path("name").asText();
                prompt = n.path("prompt").isTextual() ? n.path("prompt").asText() : original;
            } else {
                throw new IOException(file + ": element " + classes.size() + " must be a string or"
                        + " {\"name\": ..., \"prompt\": ...}, got " + n);
            }
            if (original.isBlank() || prompt.isBlank()) {
                throw new IOException(file + ": element " + classes.size() + " has an empty name");
            }
            classes.add(new ClassInfo(classes.size(), original, prompt));
        }
        return classes;
    }

    /** Opens a file, through gzip when it starts with gzip's magic bytes. */
    static InputStream openMaybeGzip(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
        }
        return in;
    }

    static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    /** Reads and checks an IDX header: magic, then one positive int per dimension. */
    static int[] readHeader(DataInputStream in, Path file, int magic, String what) throws IOException {
        int found;
        try {
            found = in.readInt();
        } catch (EOFException e) {
            throw new IOException(file + ": truncated IDX file: no header (" + what + ")", e);
        }
        if (found != magic) {
            throw new IOException(file + ": not an IDX " + what + " file: magic " + String.format("0x%08X", found)
                    + ", expected " + String.format("0x%08X", magic) + " (unsigned bytes, " + (magic & 0xFF)
                    + " dimension" + ((magic & 0xFF) == 1 ? "" : "s") + ")");
        }
        int[] dims = new int[magic & 0xFF];
        for (int i = 0; i < dims.length; i++) {
            try {
                dims[i] = in.readInt();
            } catch (EOFException e) {
                throw new IOException(file + ": truncated IDX file: header ends after " + i + " of " + dims.length
                        + " dimensions", e);
            }
            if (dims[i] < 0 || (i > 0 && dims[i] == 0)) {
                throw new IOException(file + ": IDX dimension " + i + " is " + dims[i]);
            }
        }
        return dims;
    }

    /** Reads exactly {@code n} bytes or fails naming the file and how many there were. */
    static byte[] readBody(InputStream in, Path file, long n, String what) throws IOException {
        if (n > Integer.MAX_VALUE - 8) {
            throw new IOException(file + ": " + what + " of " + n + " bytes is too large for one array");
        }
        byte[] data = new byte[(int) n];
        int got;
        try {
            got = in.readNBytes(data, 0, data.length);
        } catch (EOFException e) {
            throw new IOException(file + ": truncated " + what + " (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new IOException(file + ": cannot read " + what + ": " + e.getMessage(), e);
        }
        if (got < data.length) {
            throw new IOException(file + ": truncated IDX file: header promises " + n + " bytes of " + what
                    + ", the file holds " + got);
        }
        return data;
    }

    /** One split: its labels (read at open) and its images (read at first load). */
    static final class IdxSplit {
        final String name;
        final Path imagesFile;
        final Path labelsFile;
        final int count;
        final int rows;
        final int cols;
        final byte[] labels;
        private byte[] pixels;
        private IOException failure;

        private IdxSplit(String name, Path imagesFile, Path labelsFile, int count, int rows, int cols, byte[] labels) {
            this.name = name;
            this.imagesFile = imagesFile;
            this.labelsFile = labelsFile;
            this.count = count;
            this.rows = rows;
            this.cols = cols;
            this.labels = labels;
        }

        static IdxSplit open(String name, Path images, Path labels) throws IOException {
            byte[] labelBytes;
            try (DataInputStream in = new DataInputStream(openMaybeGzip(labels))) {
                int n = readHeader(in, labels, LABELS_MAGIC, "labels")[0];
                labelBytes = readBody(in, labels, n, "labels");
            }
            int[] dims;
            try (DataInputStream in = new DataInputStream(openMaybeGzip(images))) {
                dims = readHeader(in, images, IMAGES_MAGIC, "images");
            }
            if (dims[0] != labelBytes.length) {
                throw new IOException(images + ": holds " + dims[0] + " images but " + labels + " holds "
                        + labelBytes.length + " labels");
            }
            long body = (long) dims[0] * dims[1] * dims[2];
            if (!isGzip(images)) {
                long size = Files.size(images);
                if (size < 16 + body) {
                    throw new IOException(images + ": truncated IDX file: header promises " + body
                            + " bytes of images (" + dims[0] + " x " + dims[1] + " x " + dims[2] + "), the file holds "
                            + (size - 16));
                }
            }
            return new IdxSplit(name, images, labels, dims[0], dims[1], dims[2], labelBytes);
        }

        /** The whole image array, read once; a failure is remembered and rethrown. */
        synchronized byte[] pixels() throws IOException {
            if (pixels == null) {
                if (failure == null) {
                    try (DataInputStream in = new DataInputStream(openMaybeGzip(imagesFile))) {
                        readHeader(in, imagesFile, IMAGES_MAGIC, "images");
                        pixels = readBody(in, imagesFile, (long) count * rows * cols, "images");
                    } catch (IOException e) {
                        failure = e;
                    }
                }
                if (failure != null) {
                    throw new IOException(failure.getMessage(), failure);
                }
            }
            return pixels;
        }

        RgbImage image(int index) throws IOException {
            byte[] all = pixels();
            int plane = rows * cols;
            byte[] rgb = new byte[plane * 3];
            int base = index * plane;
            for (int i = 0; i < plane; i++) {
                byte v = all[base + i];
                rgb[3 * i] = v;
                rgb[3 * i + 1] = v;
                rgb[3 * i + 2] = v;
            }
            return new RgbImage(cols, rows, rgb);
        }
    }

    /** An opened IDX dataset. */
    public static final class IdxDataset extends ListedDataset {
        private final Map<String, IdxSplit> splits;
        private final Optional<Path> classesFile;

        IdxDataset(String name, List<ClassInfo> classes, Map<String, IdxSplit> splits, Optional<Path> classesFile) {
            super(name, classes, list(splits), List.of());
            this.splits = splits;
            this.classesFile = classesFile;
        }

        /** Each split's items: id {@code IMAGES_FILE#INDEX}, pixels read from the (cached) images file. */
        private static Map<String, List<DatasetItem>> list(Map<String, IdxSplit> splits) {
            Map<String, List<DatasetItem>> items = new LinkedHashMap<>();
            for (IdxSplit s : splits.values()) {
                String file = s.imagesFile.getFileName().toString();
                List<DatasetItem> list = new ArrayList<>(s.count);
                for (int i = 0; i < s.count; i++) {
                    int index = i;
                    list.add(new DatasetItem(file + "#" + i, s.labels[i] & 0xFF, () -> s.image(index)));
                }
                items.put(s.name, list);
            }
            return items;
        }

        /** The images file of a split. */
        public Path imagesFile(String split) {
            items(split);
            return splits.get(split).imagesFile;
        }

        /** Square images of one size in every split: that size. */
        @Override
        public OptionalInt nativeResolution() {
            int size = -1;
            for (IdxSplit s : splits.values()) {
                if (s.rows != s.cols || (size >= 0 && size != s.rows)) {
                    return OptionalInt.empty();
                }
                size = s.rows;
            }
            return size > 0 ? OptionalInt.of(size) : OptionalInt.empty();
        }

        /** SHA-256 of each split's file names, sizes, modification times and labels, and the classes file. */
        @Override
        public String fingerprint() {
            MessageDigest md = Fingerprints.sha256();
            for (IdxSplit s : splits.values()) {
                Fingerprints.update(md, s.name + " " + s.imagesFile.getFileName() + " " + FileDataset.stat(s.imagesFile)
                        + " " + s.labelsFile.getFileName() + " " + FileDataset.stat(s.labelsFile) + "\n");
                md.update(s.labels);
            }
            classesFile.ifPresent(f -> Fingerprints.update(md, "classes " + f + " " + FileDataset.stat(f)));
            return Fingerprints.hex(md);
        }
    }
}
