package clipbench.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Turns a dataset's class folder name into the name put into prompt templates: the one place that names
 * classes for prompts.
 *
 * <h2>{@link #promptName} (imagefolder, manifest)</h2>
 * Rules, in order:
 * <ol>
 *   <li>underscores and hyphens become spaces;</li>
 *   <li>whitespace runs fold to one space, ends trimmed;</li>
 *   <li>trailing all-digit words (Fruits-360 variety numbers) are dropped, but never the only word, so a
 *       digit class such as {@code 7} keeps its name;</li>
 *   <li>lower-cased ({@link Locale#ROOT}).</li>
 * </ol>
 * Examples: {@code Apple Red 1 -> apple red}, {@code apple_golden_1 -> apple golden},
 * {@code Pepper-Orange  2 -> pepper orange}, {@code 7 -> 7}. Word order is kept as the folder spells it.
 *
 * <h2>{@link #nounFirst} (fruits360)</h2>
 * Fruits-360 names a class noun first ({@code Apple Red 1}, {@code Tomato Cherry Red}); prompts read better in
 * English order. After the cleaning above:
 * <ol>
 *   <li>a name in the {@linkplain #NOUN_FIRST_EXCEPTIONS exception table} takes its entry (compound nouns such as
 *       {@code passion fruit}, {@code ginger root}, and {@code tomato not ripened -> unripe tomato});</li>
 *   <li>a one-word name stays as it is;</li>
 *   <li>the first word is the noun, the rest are modifiers. Modifiers are grouped into units: a known multi-word
 *       variety ({@linkplain #VARIETY_PHRASES}: {@code granny smith}, {@code pink lady}, {@code red delicious},
 *       ...) is one unit, every other word its own;</li>
 *   <li>if a unit is a linking word ({@code with, of, in, and, not, de}) the folder order is kept
 *       ({@code physalis with husk});</li>
 *   <li>otherwise the units are put before the noun in reverse order: the modifier nearest the end of the folder
 *       name comes first.</li>
 * </ol>
 * Examples: {@code Apple Red 1 -> red apple}, {@code apple_golden_1 -> golden apple},
 * {@code Grape pink 2 -> pink grape}, {@code Pepper Red -> red pepper},
 * {@code Tomato Cherry Red -> red cherry tomato}, {@code Cherry Wax Black -> black wax cherry},
 * {@code Apple Granny Smith -> granny smith apple}, {@code Apple Red Delicious -> red delicious apple},
 * {@code Melon Piel de Sapo -> piel de sapo melon}, {@code Potato Red Washed -> washed red potato}.
 *
 * <h2>{@linkplain #readOverrides Override files}</h2>
 * Where a rule gives a poor name, a file maps folder names to prompt names ({@link #OVERRIDE_FILES} in the
 * dataset root, or an explicit {@code ?names=FILE}):
 * <ul>
 *   <li>CSV ({@code .csv}): one {@code folder,prompt} per line, an optional header line {@code folder,prompt},
 *       {@code #} comments, fields quoted when they hold commas;</li>
 *   <li>JSON ({@code .json}): an object {@code {"Apple Red 1": "red apple", ...}}.</li>
 * </ul>
 * Folder names match exactly (case-sensitive). An entry for a folder the dataset does not have is a warning.
 */
public final class ClassNames {
    private static final Pattern SEPARATORS = Pattern.compile("[_\\-\\s\\p{Z}]+");
    private static final Pattern DIGITS = Pattern.compile("\\p{Nd}+");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The override files looked for in a dataset root, in this order (at most one may exist). */
    public static final List<String> OVERRIDE_FILES = List.of("class-names.csv", "class-names.json");

    /** Whole cleaned names (lower case, variety numbers dropped) with a fixed prompt name. */
    public static final Map<String, String> NOUN_FIRST_EXCEPTIONS = Map.of(
            "cactus fruit", "cactus fruit",
            "passion fruit", "passion fruit",
            "ginger root", "ginger root",
            "corn husk", "corn husk",
            "strawberry wedge", "strawberry wedge",
            "apple core", "apple core",
            "tomato not ripened", "unripe tomato");

    /** Multi-word variety names kept together, in their own order, when modifiers are moved. */
    public static final List<String> VARIETY_PHRASES = List.of(
            "granny smith", "pink lady", "crimson snow", "red delicious", "red yellow", "lady finger",
            "piel de sapo");

    private static final Set<String> LINKING_WORDS = Set.of("with", "of", "in", "and", "not", "de");

    private ClassNames() {
    }

    /**
     * The prompt name for a class folder name.
     *
     * @throws IllegalArgumentException when the name is null or has no characters other than separators
     */
    public static String promptName(String folderName) {
        return String.join(" ", words(folderName));
    }

    /** The cleaned, lower-cased words of a folder name, trailing variety numbers dropped. */
    private static List<String> words(String folderName) {
        if (folderName == null) {
            throw new IllegalArgumentException("class name: must not be null");
        }
        String spaced = SEPARATORS.matcher(folderName).replaceAll(" ").strip();
        if (spaced.isEmpty()) {
            throw new IllegalArgumentException("class name: '" + folderName + "' has no letters or digits");
        }
        List<String> words = new ArrayList<>(Arrays.asList(spaced.toLowerCase(Locale.ROOT).split(" ")));
        while (words.size() > 1 && DIGITS.matcher(words.get(words.size() - 1)).matches()) {
            words.remove(words.size() - 1);
        }
        return words;
    }

    /**
     * Fruits-360's noun-first folder names in natural order; see the class comment for the rule.
     *
     * @throws IllegalArgumentException when the name is null or has no characters other than separators
     */
    public static String nounFirst(String folderName) {
        List<String> words = words(folderName);
        String cleaned = String.join(" ", words);
        String exception = NOUN_FIRST_EXCEPTIONS.get(cleaned);
        if (exception != null) {
            return exception;
        }
        if (words.size() == 1) {
            return cleaned;
        }
        List<String> units = new ArrayList<>();
        List<String> rest = words.subList(1, words.size());
        for (int i = 0; i < rest.size(); ) {
            String phrase = null;
            for (String p : VARIETY_PHRASES) {
                int n = p.split(" ").length;
                if (i + n <= rest.size() && String.join(" ", rest.subList(i, i + n)).equals(p)
                        && (phrase == null || p.length() > phrase.length())) {
                    phrase = p;
                }
            }
            if (phrase == null) {
                phrase = rest.get(i);
            }
            units.add(phrase);
            i += phrase.split(" ").length;
        }
        if (units.stream().anyMatch(LINKING_WORDS::contains)) {
            return cleaned;
        }
        StringBuilder out = new StringBuilder();
        for (int i = units.size() - 1; i >= 0; i--) {
            out.append(units.get(i)).append(' ');
        }
        return out.append(words.get(0)).toString();
    }

    /** The override file in a dataset root ({@link #OVERRIDE_FILES}), if one exists. */
    public static Optional<Path> findOverrides(Path root) throws IOException {
        Path found = null;
        for (String name : OVERRIDE_FILES) {
            Path p = root.resolve(name);
            if (Files.isRegularFile(p)) {
                if (found != null) {
                    throw new IOException(root + ": both " + found.getFileName() + " and " + name
                            + " exist; keep one class-name override file");
                }
                found = p;
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * Reads an override file (CSV or JSON by extension; see the class comment).
     *
     * @return folder name to prompt name, in file order
     * @throws IOException naming the file (and line) for a missing file, a bad row, an empty name or a folder
     *                     listed twice
     */
    public static Map<String, String> readOverrides(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "class-name override file not found");
        }
        String lower = file.getFileName().toString().toLowerCase(Locale.ROOT);
        Map<String, String> names = new LinkedHashMap<>();
        if (lower.endsWith(".json")) {
            JsonNode root;
            try {
                root = JSON.readTree(file.toFile());
            } catch (IOException e) {
                throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
            }
            if (root == null || !root.isObject()) {
                throw new IOException(file + ": expected a JSON object {\"folder name\": \"prompt name\", ...}");
            }
            Iterator<Map.Entry<String, JsonNode>> it = root.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual() || e.getValue().asText().isBlank()) {
                    throw new IOException(file + ": the prompt name of '" + e.getKey() + "' must be a non-empty string");
                }
                names.put(e.getKey(), e.getValue().asText().strip());
            }
            return names;
        }
        if (!lower.endsWith(".csv")) {
            throw new IOException(file + ": class-name overrides must be a .csv (folder,prompt) or .json file");
        }
        CSVFormat format = CSVFormat.DEFAULT.builder().setCommentMarker('#').setIgnoreEmptyLines(true)
                .setIgnoreSurroundingSpaces(true).get();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser parser = CSVParser.parse(reader, format)) {
            boolean first = true;
            for (CSVRecord row : parser) {
                boolean header = first && row.size() == 2 && row.get(0).equalsIgnoreCase("folder")
                        && row.get(1).equalsIgnoreCase("prompt");
                first = false;
                if (header) {
                    continue;
                }
                long line = parser.getCurrentLineNumber();
                if (row.size() != 2 || row.get(0).isEmpty() || row.get(1).isEmpty()) {
                    throw new IOException(file + ":" + line + ": expected 'folder,prompt', got " + row.toList());
                }
                if (names.put(row.get(0), row.get(1)) != null) {
                    throw new IOException(file + ":" + line + ": folder '" + row.get(0) + "' listed twice");
                }
            }
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            throw new IOException(file + ": not valid CSV: " + e.getMessage(), e);
        }
        return names;
    }
}
