package clipbench.protocol;

import java.util.Objects;

/**
 * Names one thumbnail: the test image {@code item} of {@code dataset} as {@code upsampler} handed it to the
 * backbone's transform. The values are those of the result rows ({@code dataset}, {@code upsampler}) and of
 * predictions.csv ({@code image}), so a report finds a prediction's thumbnail from the CSVs alone.
 */
public record ThumbnailKey(String dataset, String upsampler, String item) {
    /**
     * The upsampler name of an original: a test image as the dataset gave it, before any upsampler (for the
     * report's example strips). Brackets keep it apart from every upsampler setting ({@code ID[:ARGUMENT]}).
     */
    public static final String ORIGINAL = "(original)";

    public ThumbnailKey {
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(upsampler, "upsampler");
        Objects.requireNonNull(item, "item");
    }

    /** The key of {@code item}'s original in {@code dataset}. */
    public static ThumbnailKey original(String dataset, String item) {
        return new ThumbnailKey(dataset, ORIGINAL, item);
    }
}
