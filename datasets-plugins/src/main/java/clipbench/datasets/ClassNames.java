package clipbench.datasets;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns a dataset's class folder name into the name put into prompt templates.
 *
 * <p>Rules, in order:
 * <ol>
 *   <li>underscores and hyphens become spaces;</li>
 *   <li>whitespace runs fold to one space, ends trimmed;</li>
 *   <li>trailing all-digit words (Fruits-360 variety numbers) are dropped, but never the only word, so a
 *       digit class such as {@code 7} keeps its name;</li>
 *   <li>lower-cased ({@link Locale#ROOT}).</li>
 * </ol>
 * Examples: {@code Apple Red 1 -> apple red}, {@code apple_golden_1 -> apple golden},
 * {@code Pepper-Orange  2 -> pepper orange}, {@code 7 -> 7}.
 *
 * <p>Word order is kept as the folder spells it ({@code apple red}); natural order and override files are
 * meant to be added here, keeping this class the one place that names classes for prompts.
 */
public final class ClassNames {
    private static final Pattern SEPARATORS = Pattern.compile("[_\\-\\s\\p{Z}]+");
    private static final Pattern DIGITS = Pattern.compile("\\p{Nd}+");

    private ClassNames() {
    }

    /**
     * The prompt name for a class folder name.
     *
     * @throws IllegalArgumentException when the name is null or has no characters other than separators
     */
    public static String promptName(String folderName) {
        if (folderName == null) {
            throw new IllegalArgumentException("class name: must not be null");
        }
        String spaced = SEPARATORS.matcher(folderName).replaceAll(" ").strip();
        if (spaced.isEmpty()) {
            throw new IllegalArgumentException("class name: '" + folderName + "' has no letters or digits");
        }
        List<String> words = new ArrayList<>(Arrays.asList(spaced.split(" ")));
        while (words.size() > 1 && DIGITS.matcher(words.get(words.size() - 1)).matches()) {
            words.remove(words.size() - 1);
        }
        return String.join(" ", words).toLowerCase(Locale.ROOT);
    }
}
