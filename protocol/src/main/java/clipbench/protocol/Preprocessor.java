package clipbench.protocol;

import clipbench.clip.image.ClipTransform;
import clipbench.clip.image.PilResample;
import clipbench.api.image.RgbImage;
import clipbench.api.model.PreprocessSpec;

/** Turns a decoded image into the float input a backbone expects, as its {@link PreprocessSpec} says. */
public final class Preprocessor {
    private final PreprocessSpec spec;
    private final ClipTransform clip;

    public Preprocessor(PreprocessSpec spec) {
        this.spec = spec;
        this.clip = new ClipTransform(spec.imageSize(), spec.mean(), spec.std());
    }

    public PreprocessSpec spec() {
        return spec;
    }

    public int floatsPerImage() {
        return 3 * spec.imageSize() * spec.imageSize();
    }

    /** Writes the CHW input for {@code image} into {@code dst} at {@code offset}. */
    public void applyInto(RgbImage image, float[] dst, int offset) {
        if (spec.mode().equals("clip")) {
            clip.applyInto(image, dst, offset);
            return;
        }
        // scale01 (Keras-style): squash to size x size, values in [0,1], no normalisation.
        int size = spec.imageSize();
        RgbImage resized = image.width() == size && image.height() == size
                ? image : PilResample.resize(image, size, size, PilResample.Filter.BILINEAR);
        byte[] px = resized.pixels();
        int plane = size * size;
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                dst[offset + c * plane + i] = (px[i * 3 + c] & 0xff) / 255f;
            }
        }
    }
}
