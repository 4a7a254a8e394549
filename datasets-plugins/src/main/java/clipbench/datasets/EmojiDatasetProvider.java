package clipbench.datasets;

import clipbench.api.spi.ClassInfo;
import clipbench.api.spi.Dataset;
import clipbench.api.spi.DatasetItem;
import clipbench.api.spi.DatasetProvider;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Opens {@code emoji:DIR}, the emoji images of the npm packages {@code emoji-datasource-<vendor>} (iamcal's
 * emoji-data; package code MIT, images under their vendor's licence, e.g. Google's Noto Emoji Apache-2.0):
 * {@code emoji.json} plus {@code img/<vendor>/64/<image>.png}, 64 x 64 RGBA, composited on white by
 * {@link clipbench.clip.image.ImageDecoder}.
 *
 * <h2>Location</h2>
 * {@code DIR} is one package folder ({@code node_modules/emoji-datasource-google}; the all-vendor package
 * {@code emoji-datasource} works too, its {@code img/} holding several vendors), a {@code node_modules} folder
 * holding several {@code emoji-datasource-*} packages, or the folder above such a {@code node_modules}. Each
 * vendor is a folder {@code img/<vendor>/64}; the vendor's entries are those of its package's {@code emoji.json}
 * whose {@code has_img_<vendor>} is true.
 *
 * <h2>Options</h2>
 * {@code emoji:DIR?label=subcategory&category=Food%20%26%20Drink} ({@link DatasetLocation}: values
 * percent-encoded, {@code %20} space, {@code %26} {@code &}):
 * <ul>
 *   <li>{@code label=name|category|subcategory} (default {@code name}): what a class is. Prompt names:
 *       {@code name} lower-cased ({@code RED APPLE -> red apple}); {@code category} lower-cased with {@code &}
 *       as {@code and} ({@code Food & Drink -> food and drink}); {@code subcategory} with hyphens as spaces and
 *       {@code &} as {@code and} ({@code food-fruit -> food fruit}). Emoji sharing a name share a class.</li>
 *   <li>{@code category=C[,C...]}, {@code subcategory=S[,S...]}: keep only these (ignoring case); an unknown value
 *       is an error listing the known ones. E.g. {@code ?subcategory=food-fruit,food-vegetable}.</li>
 *   <li>{@code vendor=V}: the vendor whose images form the one split {@code Test}; needed only when DIR holds
 *       several vendors.</li>
 *   <li>{@code train=V&test=W}: two vendors as splits {@code Training} (V's images) and {@code Test} (W's): the
 *       same emoji drawn by another vendor. Classes are the union; a class one vendor lacks is a warning.</li>
 *   <li>{@code skin=true}: also list the skin-tone variations of an emoji as items of its class (default
 *       false: one image per emoji).</li>
 * </ul>
 *
 * <p>Each item has {@linkplain Dataset#captions captions}: its emoji's name, short names and keywords
 * ({@link #captions(JsonNode)}); skin-tone variations share their emoji's.
 *
 * <p>Classes are sorted by their original name ({@link String#compareTo}); items by id (the image's path
 * relative to DIR). An entry whose image file is missing or empty is a warning naming the path, and is skipped.
 * Native resolution 64. The fingerprint covers ids, labels, image sizes and times, and the {@code emoji.json}
 * files.
 */
public final class EmojiDatasetProvider implements DatasetProvider {
    public static final String ID = "emoji";
    public static final String PACKAGE_PREFIX = "emoji-datasource";
    public static final int SIZE = 64;
    static final Set<String> OPTIONS = Set.of("label", "category", "subcategory", "vendor", "train", "test", "skin");
    static final List<String> LABELS = List.of("name", "category", "subcategory");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "npm emoji-datasource-<vendor> images: emoji:DIR[?label=name|category|subcategory]"
                + "[&category=..|&subcategory=..][&vendor=V | &train=V&test=W]";
    }

    /** One vendor's images: its package folder and image folder. */
    record Vendor(String name, Path packageDir, Path imageDir) {
    }

    /** One listed image and the captions of its emoji. */
    private record Entry(String key, Path file, List<String> captions) {
    }

    @Override
    public Dataset open(String location) throws IOException {
        DatasetLocation loc = DatasetLocation.parse(ID, location, OPTIONS);
        if (loc.path().isBlank()) {
            throw new IllegalArgumentException("emoji: give the npm package folder, e.g. "
                    + "emoji:node_modules/emoji-datasource-google (npm install emoji-datasource-google)");
        }
        Path root = ImageFolderDatasetProvider.existingFolder(ID, loc.path());
        Map<String, Vendor> vendors = vendors(root);
        if (vendors.isEmpty()) {
            throw new IOException(root + ": emoji: no emoji-datasource package here (expected emoji.json and img/<vendor>/"
                    + SIZE + "/, or node_modules/emoji-datasource-<vendor>/ folders; install one with"
                    + " 'npm install emoji-datasource-google')");
        }
        String label = loc.option("label").orElse("name").toLowerCase(Locale.ROOT);
        if (!LABELS.contains(label)) {
            throw new IllegalArgumentException("emoji: label must be one of " + LABELS + ", got '" + label + "'");
        }
        Map<String, String> splitVendors = splitVendors(loc, vendors);
        boolean skin = loc.flag(ID, "skin", false);
        Set<String> categories = list(loc.option("category").orElse(null));
        Set<String> subcategories = list(loc.option("subcategory").orElse(null));

        List<String> warnings = new ArrayList<>();
        Map<String, List<Entry>> entriesBySplit = new LinkedHashMap<>();
        Set<Path> jsonFiles = new LinkedHashSet<>();
        for (Map.Entry<String, String> split : splitVendors.entrySet()) {
            Vendor vendor = vendors.get(split.getValue());
            Path jsonFile = vendor.packageDir().resolve("emoji.json");
            jsonFiles.add(jsonFile);
            JsonNode all = readJson(jsonFile);
            checkFilter(jsonFile, all, "category", categories);
            checkFilter(jsonFile, all, "subcategory", subcategories);
            List<Entry> entries = new ArrayList<>();
            String flag = "has_img_" + vendor.name();
            for (JsonNode e : all) {
                if (!matches(e, "category", categories) || !matches(e, "subcategory", subcategories)) {
                    continue;
                }
                String key = e.path(label).asText("");
                if (key.isBlank()) {
                    warnings.add(jsonFile + ": entry " + e.path("unified").asText("?") + " has no " + label + "; skipped");
                    continue;
                }
                List<String> captions = captions(e);
                List<JsonNode> images = new ArrayList<>();
                images.add(e);
                if (skin && e.path("skin_variations").isObject()) {
                    e.path("skin_variations").forEach(images::add);
                }
                for (JsonNode img : images) {
                    if (!img.path(flag).asBoolean(false) || !img.path("image").isTextual()) {
                        continue;
                    }
                    Path file = vendor.imageDir().resolve(img.path("image").asText());
                    String problem = ImageFolderDatasetProvider.imageFileProblem(file, Set.of("png"));
                    if (problem != null) {
                        warnings.add(file + ": " + problem + " (listed in " + jsonFile + "); skipped");
                    } else {
                        entries.add(new Entry(key, file, captions));
                    }
                }
            }
            entriesBySplit.put(split.getKey(), entries);
        }

        TreeSet<String> keys = new TreeSet<>();
        entriesBySplit.values().forEach(list -> list.forEach(e -> keys.add(e.key())));
        if (keys.isEmpty()) {
            throw new IOException(root + ": emoji: no images left after the filters " + loc.options());
        }
        Map<String, Integer> labels = new LinkedHashMap<>();
        List<ClassInfo> classes = new ArrayList<>();
        for (String key : keys) {
            labels.put(key, classes.size());
            classes.add(new ClassInfo(classes.size(), key, promptName(label, key)));
        }
        Map<String, List<DatasetItem>> items = new LinkedHashMap<>();
        Map<String, List<String>> captions = new LinkedHashMap<>();
        for (Map.Entry<String, List<Entry>> split : entriesBySplit.entrySet()) {
            Set<String> present = new TreeSet<>();
            List<DatasetItem> list = new ArrayList<>();
            for (Entry e : split.getValue()) {
                present.add(e.key());
                Path file = e.file();
                String id = ImageFolderDatasetProvider.relativeId(root, file);
                list.add(new DatasetItem(id, labels.get(e.key()), new FileImage(file)));
                captions.put(id, e.captions());
            }
            if (splitVendors.size() > 1) {
                for (String key : keys) {
                    if (!present.contains(key)) {
                        warnings.add(vendors.get(splitVendors.get(split.getKey())).imageDir() + ": class '" + key
                                + "' has no image from vendor " + splitVendors.get(split.getKey()) + " (split '"
                                + split.getKey() + "')");
                    }
                }
            }
            list.sort(Comparator.comparing(DatasetItem::id));
            items.put(split.getKey(), list);
        }
        return new FileDataset(root, name(loc, label, splitVendors), classes, items, warnings, OptionalInt.of(SIZE),
                List.copyOf(jsonFiles), captions);
    }

    /**
     * An emoji's captions: its name lower-cased, then each short name with {@code _} and {@code -} as spaces
     * ({@code flag-eg -> flag eg}), then its {@code keywords} if the package lists any (emoji-datasource 16 does
     * not); duplicates dropped, order kept.
     */
    static List<String> captions(JsonNode e) {
        Set<String> out = new LinkedHashSet<>();
        addCaption(out, e.path("name").asText(""));
        e.path("short_names").forEach(n -> addCaption(out, n.asText("").replace('_', ' ').replace('-', ' ')));
        e.path("keywords").forEach(n -> addCaption(out, n.asText("")));
        return List.copyOf(out);
    }

    private static void addCaption(Set<String> out, String text) {
        String clean = text.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").strip();
        if (!clean.isEmpty()) {
            out.add(clean);
        }
    }

    /** The prompt name of a class key for this label kind (see the class comment). */
    static String promptName(String label, String key) {
        String lower = key.toLowerCase(Locale.ROOT).replace("&", "and").replaceAll("\\s+", " ").strip();
        return label.equals("subcategory") ? lower.replace('-', ' ') : lower;
    }

    private static String name(DatasetLocation loc, String label, Map<String, String> splitVendors) {
        StringBuilder b = new StringBuilder(ID).append(':').append(String.join("->", splitVendors.values()));
        List<String> opts = new ArrayList<>();
        if (!label.equals("name")) {
            opts.add("label=" + label);
        }
        for (String key : List.of("category", "subcategory", "skin")) {
            loc.option(key).ifPresent(v -> opts.add(key + "=" + v));
        }
        if (!opts.isEmpty()) {
            b.append('?').append(String.join("&", opts));
        }
        return b.toString();
    }

    /** Split name to vendor name, from the vendor/train/test options. */
    private static Map<String, String> splitVendors(DatasetLocation loc, Map<String, Vendor> vendors) {
        String vendor = loc.option("vendor").orElse(null);
        String train = loc.option("train").orElse(null);
        String test = loc.option("test").orElse(null);
        Map<String, String> out = new LinkedHashMap<>();
        if (train != null) {
            if (test == null || vendor != null) {
                throw new IllegalArgumentException("emoji: train=V needs test=W (and no vendor=)");
            }
            out.put("Training", knownVendor(train, vendors));
            out.put("Test", knownVendor(test, vendors));
            return out;
        }
        if (vendor != null && test != null && !vendor.equals(test)) {
            throw new IllegalArgumentException("emoji: give vendor=V or test=V, not both");
        }
        String only = vendor != null ? vendor : test;
        if (only == null) {
            if (vendors.size() > 1) {
                throw new IllegalArgumentException("emoji: several vendors here " + vendors.keySet()
                        + "; choose one with ?vendor=V, or two with ?train=V&test=W");
            }
            only = vendors.keySet().iterator().next();
        }
        out.put("Test", knownVendor(only, vendors));
        return out;
    }

    private static String knownVendor(String name, Map<String, Vendor> vendors) {
        String v = name.strip().toLowerCase(Locale.ROOT);
        if (!vendors.containsKey(v)) {
            throw new IllegalArgumentException("emoji: no images of vendor '" + name + "' here; vendors: "
                    + vendors.keySet() + " (npm install emoji-datasource-" + v + ")");
        }
        return v;
    }

    /** Vendors found at the location, by name (sorted). */
    static Map<String, Vendor> vendors(Path root) throws IOException {
        Map<String, Vendor> found = new TreeMap<>();
        if (Files.isRegularFile(root.resolve("emoji.json"))) {
            addPackage(root, found);
            return found;
        }
        Path modules = Files.isDirectory(root.resolve("node_modules")) ? root.resolve("node_modules") : root;
        List<Path> packages = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(modules, Files::isDirectory)) {
            for (Path p : stream) {
                if (p.getFileName().toString().startsWith(PACKAGE_PREFIX) && Files.isRegularFile(p.resolve("emoji.json"))) {
                    packages.add(p);
                }
            }
        }
        // the all-vendor package first, so a vendor's own package wins
        packages.sort(Comparator.comparing((Path p) -> p.getFileName().toString().length())
                .thenComparing(p -> p.getFileName().toString()));
        for (Path p : packages) {
            addPackage(p, found);
        }
        return found;
    }

    private static void addPackage(Path pkg, Map<String, Vendor> found) throws IOException {
        Path img = pkg.resolve("img");
        if (!Files.isDirectory(img)) {
            return;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(img, Files::isDirectory)) {
            for (Path vendorDir : stream) {
                Path sized = vendorDir.resolve(Integer.toString(SIZE));
                if (Files.isDirectory(sized)) {
                    String name = vendorDir.getFileName().toString().toLowerCase(Locale.ROOT);
                    found.put(name, new Vendor(name, pkg, sized));
                }
            }
        }
    }

    private static JsonNode readJson(Path file) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isArray()) {
            throw new IOException(file + ": expected a JSON list of emoji entries");
        }
        return root;
    }

    private static Set<String> list(String value) {
        if (value == null) {
            return null;
        }
        return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toCollection(TreeSet::new));
    }

    private static boolean matches(JsonNode e, String field, Set<String> wanted) {
        return wanted == null || wanted.contains(e.path(field).asText("").toLowerCase(Locale.ROOT));
    }

    private static void checkFilter(Path file, JsonNode all, String field, Set<String> wanted) {
        if (wanted == null) {
            return;
        }
        Set<String> known = new TreeSet<>();
        all.forEach(e -> known.add(e.path(field).asText("")));
        Set<String> knownLower = known.stream().map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        for (String w : wanted) {
            if (!knownLower.contains(w)) {
                throw new IllegalArgumentException("emoji: no " + field + " '" + w + "' in " + file + "; "
                        + field + " values: " + known);
            }
        }
    }
}
