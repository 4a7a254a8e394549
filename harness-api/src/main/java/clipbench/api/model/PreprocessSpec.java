package clipbench.api.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * How images become model input.
 *
 * @param mode      {@code clip}: shortest side to size with PIL bicubic, center crop, normalise;
 *                  {@code scale01}: resize to size x size with PIL bilinear, values in [0,1] (Keras-style)
 * @param imageSize input height and width
 * @param mean      per-channel mean (RGB), ignored by {@code scale01}
 * @param std       per-channel std (RGB), ignored by {@code scale01}
 */
public record PreprocessSpec(String mode, int imageSize, float[] mean, float[] std) {
    public static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    public static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

    public PreprocessSpec {
        mode = mode == null ? "clip" : mode.toLowerCase(Locale.ROOT);
        if (!mode.equals("clip") && !mode.equals("scale01")) {
            throw new IllegalArgumentException("field 'preprocess' must be 'clip' or 'scale01', got '" + mode + "'");
        }
        if (imageSize <= 0) {
            throw new IllegalArgumentException("field 'image_size' must be positive, got " + imageSize);
        }
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean/std: need 3 values each");
        }
        for (int c = 0; c < 3; c++) {
            // std divides every pixel: 0 would give Inf/NaN input and silently wrong embeddings
            if (!(std[c] > 0) || !Float.isFinite(std[c]) || !Float.isFinite(mean[c])) {
                throw new IllegalArgumentException("field 'std' must hold 3 positive numbers and 'mean' 3 finite"
                        + " numbers, got mean=" + Arrays.toString(mean) + " std=" + Arrays.toString(std));
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    public static PreprocessSpec clip(int imageSize) {
        return new PreprocessSpec("clip", imageSize, CLIP_MEAN, CLIP_STD);
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    /** Stable text for cache keys and provenance. */
    public String describe() {
        return mode + "/" + imageSize + "/mean=" + Arrays.toString(mean) + "/std=" + Arrays.toString(std);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PreprocessSpec p && p.describe().equals(describe());
    }

    @Override
    public int hashCode() {
        return describe().hashCode();
    }

    @Override
    public String toString() {
        return describe();
    }
}
