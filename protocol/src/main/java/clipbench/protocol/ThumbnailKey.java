package clipbench.protocol;

import java.util.Objects;

/**
 * Names one thumbnail: the test image {@code item} of {@code dataset} as {@code upsampler} handed it to the
 * backbone's transform. The values are those of the result rows ({@code dataset}, {@code upsampler}) and of
 * predictions.csv ({@code image}), so a report finds a prediction's thumbnail from the CSVs alone.
 */
public record ThumbnailKey(String dataset, String upsampler, String item) {
    public ThumbnailKey {
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(upsampler, "upsampler");
        Objects.requireNonNull(item, "item");
    }
}
